export type ProfileKind = 'job' | 'candidate';

/** Every BullMQ queue the product uses, with the payload its jobs carry. */
export interface QueuePayloads {
  /**
   * Extract NLP features for one job or candidate at the revision that was written. `writeLock` names the
   * advisory lock its writing transaction holds until it commits (lockProfileWrite); the reconciler's
   * jobs, added for rows long committed, carry none.
   */
  features: { kind: ProfileKind; id: string; revision: number; writeLock?: string };
  /** Rank targets for one match request. */
  match: { requestId: string };
  /** Rank targets for every subject of one lane of a bulk match run, from where the lane stopped. */
  'match-run': { runId: string; lane: number };
  /** POST one notification to the client's webhook; the client id keys its rate limit. */
  notify: { notificationId: string; clientId: string };
  /**
   * Housekeeping run by job schedulers rather than per request: `reconcile` repairs lost queue state,
   * `purge` deletes rows past their retention.
   */
  maintenance: { task: MaintenanceTask };
}

export type MaintenanceTask = 'reconcile' | 'purge';

export type QueueName = keyof QueuePayloads;

/**
 * Added to every job's data by the producer: the API request (X-Request-Id) the job descends from, see
 * lib/request-context.ts. Kept apart from the payload, whose own ids (a match request's) mean other things.
 */
export interface TraceData {
  trace?: { requestId: string };
}

/** A job's data as a worker receives it. */
export type JobData<Name extends QueueName> = QueuePayloads[Name] & TraceData;

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
  'match-run': { jobId: ({ runId, lane }) => `${runId}-${lane}` },
  notify: { jobId: ({ notificationId }) => notificationId },
  maintenance: { jobId: ({ task }) => task },
};

export const queueNames = Object.keys(queueRegistry) as QueueName[];
