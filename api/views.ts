import type {
  CandidateModel,
  JobModel,
  MatchRequestModel,
  MatchResultModel,
  MatchRunModel,
  NotificationModel,
  WebhookModel,
} from '../lib/db/models.js';
import { FEATURES_VERSION } from '../lib/matching/features.js';
import { CATEGORIES, type CategoryScores } from '../lib/matching/categories.js';
import { effectiveWeights } from '../lib/matching/weights.js';

import { progressOf } from '../lib/match-runs.js';
import { skillVocabulary } from '../lib/matching/vocabulary.js';
import type {
  CandidateResponse,
  JobResponse,
  MatchRequestResponse,
  MatchRunResponse,
  NotificationResponse,
  WebhookResponse,
} from '../lib/responses.js';

/** What the API shows of the features the workers extracted: enough to see why a match happened. */
function featuresView(profile: JobModel | CandidateModel) {
  const ready =
    profile.features !== null &&
    profile.featuresVersion === FEATURES_VERSION &&
    profile.featuresRevision === profile.revision;
  return {
    status: ready ? ('ready' as const) : ('pending' as const),
    skills: ready && profile.features ? profile.features.skills.map(skillVocabulary.nameOf) : [],
    place: ready && profile.features ? profile.features.place : null,
  };
}

function documentView(profile: JobModel | CandidateModel) {
  return profile.documentFilename === null
    ? null
    : {
        filename: profile.documentFilename,
        contentType: profile.documentContentType ?? 'application/octet-stream',
        size: profile.documentSize ?? 0,
        pages: profile.documentPages,
      };
}

/** The location as the client sent it: the place name, or the coordinates sent instead. */
function locationView(profile: JobModel | CandidateModel): string | { lat: number; lon: number } | null {
  if (profile.location !== null) return profile.location;
  return profile.latitude === null || profile.longitude === null
    ? null
    : { lat: profile.latitude, lon: profile.longitude };
}

export function jobView(job: JobModel): JobResponse {
  return {
    id: job.id,
    externalId: job.externalId,
    title: job.title,
    description: job.description,
    document: documentView(job),
    skills: job.skills,
    location: locationView(job),
    remote: job.remote,
    minYearsExperience: job.minYearsExperience,
    seniority: job.seniority,
    salaryMin: job.salaryMin,
    salaryMax: job.salaryMax,
    status: job.status,
    revision: job.revision,
    features: featuresView(job),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

export function candidateView(candidate: CandidateModel): CandidateResponse {
  return {
    id: candidate.id,
    externalId: candidate.externalId,
    name: candidate.name,
    headline: candidate.headline,
    resumeText: candidate.resumeText,
    document: documentView(candidate),
    skills: candidate.skills,
    location: locationView(candidate),
    remote: candidate.remote,
    yearsExperience: candidate.yearsExperience,
    seniority: candidate.seniority,
    salaryExpectation: candidate.salaryExpectation,
    revision: candidate.revision,
    features: featuresView(candidate),
    createdAt: candidate.createdAt,
    updatedAt: candidate.updatedAt,
  };
}

export function matchRequestView(
  request: MatchRequestModel,
  results: MatchResultModel[] | undefined,
): MatchRequestResponse {
  return {
    id: request.id,
    status: request.status,
    subject: { type: request.subjectType, id: request.subjectId },
    topK: request.topK,
    filters: request.filters,
    weights: effectiveWeights(request.weights),
    createdAt: request.createdAt,
    ...(request.startedAt ? { startedAt: request.startedAt } : {}),
    ...(request.completedAt ? { completedAt: request.completedAt } : {}),
    ...(request.error ? { error: request.error } : {}),
    ...(request.scorer ? { scorer: request.scorer } : {}),
    ...(results
      ? {
          results: results.map((result) => {
            // Stored as JSON by runMatch: an Explanation with the result's category scores and summary.
            const { categoryScores, summary, ...explanation } = result.explanation;
            return {
              rank: result.rank,
              targetId: result.targetId,
              targetExternalId: result.targetExternalId,
              score: result.score,
              // jsonb keeps keys in its own order; answers list them in the categories' order.
              ...(categoryScores
                ? {
                    categoryScores: Object.fromEntries(
                      CATEGORIES.map((name) => [name, categoryScores[name]]),
                    ) as CategoryScores,
                  }
                : {}),
              ...(summary !== undefined ? { summary } : {}),
              explanation,
            };
          }),
        }
      : {}),
  };
}

export function matchRunView(run: MatchRunModel, now: Date): MatchRunResponse {
  return {
    id: run.id,
    status: run.status,
    subject: run.subjectType === 'candidate' ? 'candidates' : 'jobs',
    filter: run.filter,
    topK: run.topK,
    targetFilters: run.targetFilters,
    progress: progressOf(run, now),
    createdAt: run.createdAt,
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.completedAt ? { completedAt: run.completedAt } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.scorer ? { scorer: run.scorer } : {}),
  };
}

/** The secret itself is never shown again after registration; the hint tells which one is in use. */
export function webhookView(webhook: WebhookModel): WebhookResponse {
  return {
    url: webhook.url,
    secretHint: webhook.secretHint,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}

export function notificationView(notification: NotificationModel): NotificationResponse {
  return {
    id: notification.id,
    type: notification.eventType,
    eventId: notification.eventId,
    requestId: notification.requestId,
    status: notification.status,
    url: notification.url,
    attempts: notification.attempts,
    lastResponseStatus: notification.lastResponseStatus,
    lastError: notification.lastError,
    createdAt: notification.createdAt,
    lastAttemptAt: notification.lastAttemptAt,
    finishedAt: notification.finishedAt,
  };
}
