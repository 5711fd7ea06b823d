import type { MatchStatus } from '../db/models.js';
import type { ProfileKind } from '../queues/registry.js';

/**
 * Every domain event, with the Kafka topic it goes to and the shape of its data. Type names carry a
 * version so consumers can tell a changed shape from an old one.
 */
export interface DomainEvents {
  'job.created.v1': ProfileEventData;
  'job.updated.v1': ProfileEventData;
  'job.deleted.v1': ProfileDeletedData;
  'candidate.created.v1': ProfileEventData;
  'candidate.updated.v1': ProfileEventData;
  'candidate.deleted.v1': ProfileDeletedData;
  'match.requested.v1': MatchEventData;
  'match.completed.v1': MatchEventData & { resultCount: number; scorer: string };
  'match.failed.v1': MatchEventData & { error: string };
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

export type AggregateType = 'job' | 'candidate' | 'match_request';

export const topics: Record<AggregateType, string> = {
  job: 'lookiy.jobs',
  candidate: 'lookiy.candidates',
  match_request: 'lookiy.match-requests',
};

export function aggregateTypeOf(type: EventType): AggregateType {
  const prefix = type.slice(0, type.indexOf('.'));
  return prefix === 'match' ? 'match_request' : (prefix as ProfileKind);
}
