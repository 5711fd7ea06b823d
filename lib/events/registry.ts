import type { MatchStatus } from '../db/models.js';
import type { ProfileKind } from '../queues/registry.js';
import type { CandidateInput, JobInput } from '../schemas.js';
import type { CategoryScores } from '../matching/categories.js';

/**
 * Every domain event, with the shape of its data. Type names carry a version so consumers can tell a
 * changed shape from an old one. On the wire the CloudEvents `type` is the name behind
 * CLOUDEVENTS_TYPE_PREFIX ('job.created.v1' goes out as 'com.lookiy.job.created.v1'); asyncapi.yaml
 * documents each one, and a test keeps the two in step.
 */
export interface DomainEvents {
  'job.created.v1': ProfileEventData;
  'job.updated.v1': ProfileEventData;
  /** Jobs have no separate "closed" event: closing is an update (status 'closed'); deleting removes it. */
  'job.deleted.v1': ProfileDeletedData;
  'candidate.created.v1': ProfileEventData;
  'candidate.updated.v1': ProfileEventData;
  'candidate.deleted.v1': ProfileDeletedData;
  'match.requested.v1': MatchEventData;
  'match.completed.v1': MatchEventData & { resultCount: number; scorer: string };
  'match.failed.v1': MatchEventData & { error: string };
  /** One subject of a bulk match run ranked: its results, once (see lib/match-runs.ts). */
  'match-run.results.v1': MatchRunResultsData;
  'match-run.completed.v1': MatchRunEventData;
  'match-run.failed.v1': MatchRunEventData & { error: string };
  'notification.delivered.v1': NotificationEventData;
  'notification.failed.v1': NotificationEventData;
  /** Not tied to a client: recorded with a null client id. */
  'model.activated.v1': ModelActivatedData;
}

export type EventType = keyof DomainEvents;

export interface ProfileEventData {
  id: string;
  externalId: string;
  revision: number;
}

export interface ProfileDeletedData {
  id: string;
  externalId: string;
}

export interface MatchEventData {
  id: string;
  status: MatchStatus;
  subject: { type: ProfileKind; id: string };
}

export interface MatchRunEventData {
  id: string;
  status: MatchStatus;
  /** The kind of profile the run ranked targets for. */
  subjectType: ProfileKind;
  /** Subjects whose results were written. */
  done: number;
}

export interface MatchRunResult {
  rank: number;
  targetId: string;
  targetExternalId: string;
  score: number;
  categoryScores: CategoryScores;
  summary: string;
}

export interface MatchRunResultsData {
  runId: string;
  subject: { type: ProfileKind; id: string; externalId: string };
  results: MatchRunResult[];
}

/** A webhook delivery's end: delivered (a 2xx answer) or failed for good (attempts used up, or refused). */
export interface NotificationEventData {
  notificationId: string;
  /** The match request the notification was about. */
  requestId: string;
  /** The outbox event id (the CloudEvents id) the notification carried. */
  eventId: string;
  url: string;
  attempts: number;
  /** The receiver's last HTTP status, when it answered at all. */
  status?: number;
  error?: string;
}

export interface ModelActivatedData {
  id: string;
  name: string;
  featuresVersion: number;
  /** The model it replaced, or null when none was active. */
  previousId: string | null;
}

export type AggregateType = 'job' | 'candidate' | 'match_request' | 'match_run' | 'notification' | 'model';

/** The aggregate each event is about; its topic follows from it. A type left out fails to compile. */
export const eventAggregates: Readonly<Record<EventType, AggregateType>> = {
  'job.created.v1': 'job',
  'job.updated.v1': 'job',
  'job.deleted.v1': 'job',
  'candidate.created.v1': 'candidate',
  'candidate.updated.v1': 'candidate',
  'candidate.deleted.v1': 'candidate',
  'match.requested.v1': 'match_request',
  'match.completed.v1': 'match_request',
  'match.failed.v1': 'match_request',
  'match-run.results.v1': 'match_run',
  'match-run.completed.v1': 'match_run',
  'match-run.failed.v1': 'match_run',
  'notification.delivered.v1': 'notification',
  'notification.failed.v1': 'notification',
  'model.activated.v1': 'model',
};

export const eventTypes = Object.keys(eventAggregates) as EventType[];

/**
 * Outbound topics, one per aggregate type, so one aggregate's events share a topic and (keyed by the
 * aggregate id) a partition: their order is kept. KAFKA_TOPIC_PREFIX goes in front of every name.
 */
export const topics: Record<AggregateType, string> = {
  job: 'lookiy.jobs',
  candidate: 'lookiy.candidates',
  match_request: 'lookiy.match-requests',
  match_run: 'lookiy.match-runs',
  notification: 'lookiy.notifications',
  model: 'lookiy.models',
};

export function aggregateTypeOf(type: EventType): AggregateType {
  return eventAggregates[type];
}

/**
 * Inbound events other systems send us: a job or candidate as it is now in their system, applied as an
 * upsert by externalId exactly as POST /v1/jobs and POST /v1/candidates apply it.
 */
export interface IngestEvents {
  'job.upsert.v1': JobInput;
  'candidate.upsert.v1': CandidateInput;
}

export type IngestEventType = keyof IngestEvents;

/** Each ingest topic carries one event type, for one kind of profile. */
export const ingestTopics: { readonly [Kind in ProfileKind]: { topic: string; type: `${Kind}.upsert.v1` } } =
  {
    job: { topic: 'lookiy.ingest.jobs', type: 'job.upsert.v1' },
    candidate: { topic: 'lookiy.ingest.candidates', type: 'candidate.upsert.v1' },
  };

/** Ingest messages that can never be applied, with the reason in their headers (see lib/events/ingest.ts). */
export const deadLetterTopic = 'lookiy.ingest.dlq';

export const CLOUDEVENTS_TYPE_PREFIX = 'com.lookiy.';

export function cloudEventType(type: EventType | IngestEventType): string {
  return `${CLOUDEVENTS_TYPE_PREFIX}${type}`;
}
