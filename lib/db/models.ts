import { Model } from 'objection';

import type { ProfileKind } from '../queues/registry.js';
import type { Features, Seniority } from '../matching/features.js';
import type { NetworkModel } from '../matching/network.js';
import type { StoredExplanation } from '../matching/scorers.js';
import type { ResolvedTargetFilters } from '../schemas.js';
import type { CategoryWeights } from '../matching/weights.js';

/** Columns are snake_case in Postgres and camelCase here; the knex instance maps between them. */
abstract class BaseModel extends Model {}

export class ClientModel extends BaseModel {
  static override tableName = 'clients';
  declare id: string;
  declare name: string;
  declare createdAt: Date;
}

export type ApiKeyScope = 'read-write' | 'read-only';

export class ApiKeyModel extends BaseModel {
  static override tableName = 'api_keys';
  declare id: string;
  declare clientId: string;
  /** Public: shown in lists and logs, and how a presented key is found. */
  declare prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored. */
  declare secretHash: string;
  declare name: string | null;
  declare scope: ApiKeyScope;
  declare createdAt: Date;
  declare lastUsedAt: Date | null;
  declare revokedAt: Date | null;
}

/** Columns that jobs and candidates share; concrete so generic code can query either table through it. */
export class ProfileModel extends BaseModel {
  // Listed so that text[] columns (skills) go to pg as arrays rather than JSON strings.
  static override jsonAttributes = ['features'];
  declare id: string;
  declare clientId: string;
  declare externalId: string;
  declare location: string | null;
  /** Coordinates the client sent instead of a place name (then location is null). */
  declare latitude: number | null;
  declare longitude: number | null;
  /** The file the profile's text was read from, when it came as one (its bytes: lib/db/profiles.ts). */
  declare documentFilename: string | null;
  declare documentContentType: string | null;
  declare documentSize: number | null;
  declare documentPages: number | null;
  declare remote: boolean | null;
  declare skills: string[];
  declare revision: number;
  declare skillKeys: string[];
  declare features: Features | null;
  declare featuresVersion: number | null;
  declare featuresRevision: number | null;
  declare createdAt: Date;
  declare updatedAt: Date;
}

export class JobModel extends ProfileModel {
  static override tableName = 'jobs';
  declare title: string;
  declare description: string;
  declare minYearsExperience: number | null;
  declare seniority: Seniority | null;
  declare salaryMin: number | null;
  declare salaryMax: number | null;
  declare status: 'open' | 'closed';
}

export class CandidateModel extends ProfileModel {
  static override tableName = 'candidates';
  declare name: string | null;
  declare headline: string | null;
  declare resumeText: string;
  declare yearsExperience: number | null;
  declare seniority: Seniority | null;
  declare salaryExpectation: number | null;
}

export type AnyProfileModel = JobModel | CandidateModel;

export const profileModels = { job: JobModel, candidate: CandidateModel } as const satisfies Record<
  ProfileKind,
  typeof JobModel | typeof CandidateModel
>;

export type MatchStatus = 'queued' | 'running' | 'completed' | 'failed';

export type MatchFilters = ResolvedTargetFilters;

export class MatchRequestModel extends BaseModel {
  static override tableName = 'match_requests';
  static override jsonAttributes = ['filters', 'weights'];
  declare id: string;
  declare clientId: string;
  declare subjectType: ProfileKind;
  declare subjectId: string;
  declare topK: number;
  declare filters: MatchFilters;
  /** As the client sent them; null (or a category left out) means the default. */
  declare weights: Partial<CategoryWeights> | null;
  declare status: MatchStatus;
  declare error: string | null;
  declare attempts: number;
  declare idempotencyKey: string | null;
  declare scorer: string | null;
  /** The match job's BullMQ priority (1 runs first), from the client's backlog when it was accepted. */
  declare queuePriority: number;
  /** Its place in the client's queue of tickets (bigint, which pg returns as a string); see insertMatchRequestForSubject. */
  declare queueTicket: string;
  declare createdAt: Date;
  declare startedAt: Date | null;
  declare completedAt: Date | null;
}

export type MatchRunStatus = MatchStatus;

/** Which subjects a match run ranks targets for (see matchRunInput). */
export interface MatchRunFilter {
  location?: string | undefined;
  remote?: boolean | undefined;
  updatedAfter?: string | undefined;
}

export class MatchRunModel extends BaseModel {
  static override tableName = 'match_runs';
  static override jsonAttributes = ['filter', 'targetFilters'];
  declare id: string;
  declare clientId: string;
  declare subjectType: ProfileKind;
  declare filter: MatchRunFilter;
  declare targetFilters: MatchFilters;
  declare topK: number;
  declare status: MatchRunStatus;
  declare error: string | null;
  /** Subjects the filter selected when the run started; null before it starts. */
  declare total: number | null;
  /** Subjects whose results are written. */
  declare done: number;
  /** Lanes its subjects are split into (match_run_lanes), ranked side by side. */
  declare lanes: number;
  declare scorer: string | null;
  declare createdAt: Date;
  declare startedAt: Date | null;
  declare completedAt: Date | null;
}

export class MatchResultModel extends BaseModel {
  static override tableName = 'match_results';
  static override idColumn = ['request_id', 'rank'];
  static override jsonAttributes = ['explanation'];
  declare requestId: string;
  declare rank: number;
  declare targetId: string;
  declare targetExternalId: string;
  declare score: number;
  /** An Explanation (lib/matching/scorers.ts), as runMatch wrote it. */
  declare explanation: StoredExplanation;
}

export class ScoringModelRow extends BaseModel {
  static override tableName = 'scoring_models';
  static override jsonAttributes = ['model', 'metrics'];
  declare id: string;
  declare name: string;
  declare featuresVersion: number;
  declare model: NetworkModel;
  declare metrics: Record<string, unknown>;
  declare active: boolean;
  declare createdAt: Date;
  declare activatedAt: Date | null;
}

export type FeedbackOutcome = 'applied' | 'interview' | 'hired' | 'rejected';

export class MatchFeedbackModel extends BaseModel {
  static override tableName = 'match_feedback';
  static override idColumn = ['request_id', 'target_id'];
  declare requestId: string;
  declare targetId: string;
  declare clientId: string;
  declare outcome: FeedbackOutcome;
  declare createdAt: Date;
  declare updatedAt: Date;
}

export class OutboxModel extends BaseModel {
  static override tableName = 'outbox';
  static override jsonAttributes = ['payload'];
  declare id: string;
  declare eventId: string;
  declare clientId: string | null;
  declare aggregateType: string;
  declare aggregateId: string;
  declare eventType: string;
  declare payload: Record<string, unknown>;
  /** The API request (X-Request-Id) the change came from, when it came from one. */
  declare requestId: string | null;
  declare createdAt: Date;
  declare publishedAt: Date | null;
  /** When the relay set the row aside because the broker refused it for good (see parkReason). */
  declare parkedAt: Date | null;
  declare parkReason: string | null;
}

export class WebhookModel extends BaseModel {
  static override tableName = 'webhooks';
  static override idColumn = 'client_id';
  declare clientId: string;
  declare url: string;
  /** What lib/notifications/secret-box.ts sealed; only the delivery opens it. */
  declare sealedSecret: string;
  /** The start of the secret, shown to tell which one is in use (signing.ts secretHint). */
  declare secretHint: string;
  declare createdAt: Date;
  declare updatedAt: Date;
}

export type NotificationStatus = 'pending' | 'delivered' | 'failed';

export class NotificationModel extends BaseModel {
  static override tableName = 'notifications';
  static override jsonAttributes = ['payload'];
  declare id: string;
  declare clientId: string;
  declare eventId: string;
  declare eventType: string;
  declare requestId: string | null;
  declare payload: Record<string, unknown>;
  declare url: string;
  declare status: NotificationStatus;
  declare attempts: number;
  declare lastResponseStatus: number | null;
  declare lastError: string | null;
  declare createdAt: Date;
  declare lastAttemptAt: Date | null;
  declare finishedAt: Date | null;
}
