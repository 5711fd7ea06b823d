export type ProfileKind = 'job' | 'candidate';

/** Every BullMQ queue the product uses, with the payload its jobs carry. */
export interface QueuePayloads {
  /** Extract NLP features for one job or candidate at the revision that was written. */
  features: { kind: ProfileKind; id: string; revision: number };
  /** Rank targets for one match request. */
  match: { requestId: string };
  /** POST one notification to the client's webhook; the client id keys its rate limit. */
  notify: { notificationId: string; clientId: string };
}

export type QueueName = keyof QueuePayloads;

interface QueueDefinition<Payload> {
  /**
   * The BullMQ job id, which makes enqueueing idempotent: adding the same id twice is a no-op.
   * BullMQ forbids ':' in custom ids (it separates Redis keys), so parts are joined with '-'.
   */
  jobId: (payload: Payload) => string;
}

export const queueRegistry: { [Name in QueueName]: QueueDefinition<QueuePayloads[Name]> } = {
  features: { jobId: ({ kind, id, revision }) => `${kind}-${id}-${revision}` },
  match: { jobId: ({ requestId }) => requestId },
  notify: { jobId: ({ notificationId }) => notificationId },
};

export const queueNames = Object.keys(queueRegistry) as QueueName[];
