import { z } from 'zod';

import { CATEGORIES, type Category } from './matching/categories.js';
import { PAIR_FEATURE_NAMES } from './matching/pair-features.js';
import { targetFiltersEcho } from './schemas.js';

/**
 * Response bodies, as the API sends them. Each view function in api/views.ts is typed by one of these, and
 * lib/openapi.ts documents them, so the TypeScript type, the document and (in the contract tests) the check
 * of what the server really sends all come from here.
 */
const timestamp = z.date().meta({ description: 'RFC 3339 date-time, UTC' });
const id = z.uuid();

const featuresView = z
  .object({
    status: z
      .enum(['pending', 'ready'])
      .meta({ description: 'ready once the NLP features of this revision exist' }),
    skills: z
      .array(z.string())
      .meta({ description: 'canonical names of the skills found (declared and in the text)' }),
    place: z
      .discriminatedUnion('status', [
        z.object({ status: z.literal('given'), lat: z.number(), lon: z.number() }),
        z.object({
          status: z.literal('resolved'),
          place: z.string().meta({ description: 'the gazetteer’s place: name, region, country code' }),
          lat: z.number(),
          lon: z.number(),
        }),
        z.object({
          status: z.literal('ambiguous'),
          candidates: z.array(z.string()).meta({ description: 'the likeliest places of that name' }),
        }),
        z.object({ status: z.literal('unknown') }),
      ])
      .nullable()
      .meta({
        id: 'PlaceResolution',
        description:
          'how the location became coordinates: given, resolved through the gazetteer, or not (ambiguous or unknown: say a country or region, or send {lat, lon}); null without a location or before the features are ready',
      }),
  })
  .meta({ id: 'ExtractedFeatures' });

const documentView = z
  .object({
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int().meta({ description: 'bytes' }),
    pages: z.number().int().nullable().meta({ description: 'a PDF’s pages; null for DOCX' }),
  })
  .nullable()
  .meta({
    id: 'StoredDocument',
    description:
      'the file the text was read from (GET …/document answers it as sent); null for a profile written as text',
  });

const location = z
  .union([z.string(), z.object({ lat: z.number(), lon: z.number() })])
  .nullable()
  .meta({ description: 'as sent: a place name or coordinates' });

const seniority = z.enum(['junior', 'mid', 'senior', 'lead']).nullable();

export const jobResponse = z
  .object({
    id,
    externalId: z.string(),
    title: z.string(),
    description: z.string(),
    document: documentView,
    skills: z.array(z.string()),
    location,
    remote: z.boolean().nullable(),
    minYearsExperience: z.number().nullable(),
    seniority,
    salaryMin: z.number().int().nullable(),
    salaryMax: z.number().int().nullable(),
    status: z.enum(['open', 'closed']),
    revision: z.number().int(),
    features: featuresView,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Job' });

export const candidateResponse = z
  .object({
    id,
    externalId: z.string(),
    name: z.string().nullable(),
    headline: z.string().nullable(),
    resumeText: z.string(),
    document: documentView,
    skills: z.array(z.string()),
    location,
    remote: z.boolean().nullable(),
    yearsExperience: z.number().nullable(),
    seniority,
    salaryExpectation: z.number().int().nullable(),
    revision: z.number().int(),
    features: featuresView,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Candidate' });

export const fieldProblem = z
  .object({
    pointer: z.string().meta({ description: 'JSON Pointer (RFC 6901) into the request' }),
    detail: z.string(),
  })
  .meta({ id: 'FieldProblem' });

export const batchReport = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    invalid: z.number().int(),
    items: z.array(
      z.object({
        index: z.number().int(),
        status: z.enum(['created', 'updated', 'invalid']),
        id: id.optional(),
        errors: z.array(fieldProblem).optional(),
      }),
    ),
  })
  .meta({ id: 'BatchReport' });

export const page = <Item extends z.ZodType>(item: Item, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: 'pass as `cursor` for the next page; null on the last' }),
    })
    .meta({ id: `${name}Page` });

const factor = z.object({
  feature: z.enum(PAIR_FEATURE_NAMES),
  value: z.number(),
  effect: z.number().meta({ description: 'how much this feature moved the score; negative lowered it' }),
});

const categoryScoresSchema = z
  .object(
    Object.fromEntries(
      CATEGORIES.map((category) => [category, z.number().min(0).max(1).nullable()]),
    ) as Record<Category, z.ZodNullable<z.ZodNumber>>,
  )
  .meta({ id: 'CategoryScores' });

export const matchResult = z
  .object({
    rank: z.number().int().min(1),
    targetId: id,
    targetExternalId: z.string(),
    score: z.number(),
    categoryScores: categoryScoresSchema.optional().meta({
      description:
        'how well each part fits, 0 to 1, null where either side does not say; read from the profiles, not the model, so they mean the same under every model version (absent on results ranked before they existed)',
    }),
    summary: z.string().optional().meta({
      description:
        'one line from the stated facts of both sides, e.g. "7 of 9 required skills; 3 years short of the 8 asked; different location"',
    }),
    explanation: z.object({
      matchedSkills: z.array(z.string()),
      missingSkills: z
        .array(z.string())
        .meta({ description: 'required skills of the job the candidate lacks' }),
      missingPreferredSkills: z.array(z.string()),
      occupation: z
        .object({
          job: z
            .string()
            .meta({ description: 'the job title’s occupation, e.g. "Software Developers (15-1252.00)"' }),
          candidate: z.string().meta({ description: 'the candidate’s occupation closest to the job’s' }),
          relation: z.enum([
            'same occupation',
            'related occupation',
            'same occupation family',
            'different occupation',
          ]),
        })
        .nullable()
        .meta({ description: 'O*NET-SOC occupations of both sides; null when either is unknown' }),
      semanticSimilarity: z
        .number()
        .nullable()
        .meta({ description: 'cosine of the two texts’ sentence embeddings; null when either has none' }),
      factors: z.array(factor).meta({
        description: 'the features that moved the score most, largest effect first; none with zero effect',
      }),
    }),
  })
  .meta({ id: 'MatchResult' });

export const matchRequestResponse = z
  .object({
    id,
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    subject: z.object({ type: z.enum(['job', 'candidate']), id }),
    topK: z.number().int(),
    filters: targetFiltersEcho,
    weights: z
      .object(
        Object.fromEntries(CATEGORIES.map((category) => [category, z.number()])) as Record<
          Category,
          z.ZodNumber
        >,
      )
      .meta({ description: 'the weights the request was scored with, defaults (0.5) filled in' }),
    createdAt: timestamp,
    startedAt: timestamp.optional(),
    completedAt: timestamp.optional(),
    error: z.string().optional().meta({ description: 'why a failed request failed' }),
    scorer: z.string().optional().meta({ description: 'the scorer (model version) that ranked it' }),
    results: z.array(matchResult).optional().meta({ description: 'best first, once completed' }),
  })
  .meta({ id: 'MatchRequest' });

export const matchRunResponse = z
  .object({
    id,
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    subject: z.enum(['candidates', 'jobs']).meta({ description: 'what the run ranks targets for' }),
    filter: z.object({
      location: z.string().optional(),
      remote: z.boolean().optional(),
      updatedAfter: z.string().optional(),
    }),
    topK: z.number().int(),
    targetFilters: targetFiltersEcho,
    progress: z.object({
      done: z.number().int().meta({ description: 'subjects whose results are written' }),
      total: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'subjects the filter selected when the run started; null before' }),
      ratePerSecond: z.number().nullable().meta({ description: 'subjects per second since it started' }),
      etaSeconds: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'seconds left at that rate, while it runs; null otherwise' }),
    }),
    createdAt: timestamp,
    startedAt: timestamp.optional(),
    completedAt: timestamp.optional(),
    error: z.string().optional().meta({ description: 'why a failed run failed' }),
    scorer: z.string().optional().meta({ description: 'the scorer (model version) that ranked it' }),
  })
  .meta({ id: 'MatchRun' });

export const matchRunSubjectResults = z
  .object({
    subjectId: id,
    subjectExternalId: z.string(),
    results: z
      .array(
        z.object({
          rank: z.number().int(),
          targetId: id,
          targetExternalId: z.string(),
          score: z.number(),
          categoryScores: categoryScoresSchema
            .optional()
            .meta({ description: 'as a match result’s (absent on results ranked before they existed)' }),
          summary: z.string().optional().meta({ description: 'as a match result’s' }),
        }),
      )
      .meta({ description: 'best first' }),
  })
  .meta({ id: 'MatchRunSubjectResults' });

export const feedbackResponse = z
  .object({
    requestId: id,
    targetId: id,
    outcome: z.enum(['applied', 'interview', 'hired', 'rejected']),
    updatedAt: timestamp,
  })
  .meta({ id: 'Feedback' });

export const webhookResponse = z
  .object({
    url: z.string(),
    secretHint: z.string().meta({ description: 'the first characters of the secret in use' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    secret: z.string().optional().meta({ description: 'only when we generated it: shown this once' }),
  })
  .meta({ id: 'Webhook' });

export const notificationResponse = z
  .object({
    id,
    type: z.string(),
    eventId: z.string().meta({ description: 'the webhook-id header of every attempt' }),
    requestId: id.nullable(),
    status: z.enum(['pending', 'delivered', 'failed']),
    url: z.string(),
    attempts: z.number().int(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: timestamp,
    lastAttemptAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: 'Notification' });

const apiKeyScope = z
  .enum(['read-write', 'read-only'])
  .meta({ description: 'read-only keys may GET but not write (403)' });

export const createdClientResponse = z
  .object({
    id,
    name: z.string(),
    apiKeyPrefix: z.string(),
    apiKey: z.string().meta({ description: 'shown once; only its hash is stored' }),
    keyId: id,
    scope: apiKeyScope,
    createdAt: timestamp,
  })
  .meta({ id: 'CreatedClient' });

export const outboxStatusResponse = z
  .object({
    unsent: z.number().int(),
    oldestUnsentAgeSeconds: z.number(),
    lastPublishedAt: z.string().nullable(),
    parked: z.number().int().meta({
      description:
        'events the broker refused for good (too large, invalid), not counted in unsent: see /admin/outbox/parked',
    }),
  })
  .meta({ id: 'OutboxStatus' });

export const parkedEventResponse = z
  .object({
    id: z.string().meta({ description: 'the outbox row' }),
    eventId: id.meta({ description: 'the CloudEvents id the event is published with' }),
    clientId: id.nullable(),
    aggregateType: z.string(),
    aggregateId: id,
    eventType: z.string(),
    createdAt: timestamp,
    parkedAt: timestamp,
    reason: z.string().meta({ description: "the broker's answer, e.g. MESSAGE_TOO_LARGE: ..." }),
  })
  .meta({ id: 'ParkedEvent' });

export const parkedRetryResponse = z
  .object({
    retried: z
      .number()
      .int()
      .meta({ description: 'events handed back to the relay, which publishes them next' }),
  })
  .meta({ id: 'ParkedRetry' });

const check = z.object({
  status: z.enum(['up', 'down']),
  required: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
});

export const readinessResponse = z
  .object({ status: z.enum(['ready', 'not-ready']), checks: z.record(z.string(), check) })
  .meta({ id: 'Readiness' });

export const problemResponse = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'what is wrong, in words a person can act on' }),
    instance: z.string(),
    errors: z.array(fieldProblem).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type JobResponse = z.input<typeof jobResponse>;
export type CandidateResponse = z.input<typeof candidateResponse>;
export type MatchRequestResponse = z.input<typeof matchRequestResponse>;
export type MatchRunResponse = z.input<typeof matchRunResponse>;
export type WebhookResponse = z.input<typeof webhookResponse>;
export type NotificationResponse = z.input<typeof notificationResponse>;
export type FeedbackResponse = z.input<typeof feedbackResponse>;

// ---------------------------------------------------------------------------------------------------------
// API keys (admin API, issue 5)

export const apiKeyResponse = z
  .object({
    id,
    clientId: id,
    prefix: z.string().meta({ description: 'the public start of the key, as logs show it' }),
    name: z.string().nullable(),
    scope: apiKeyScope,
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable().meta({ description: 'to the minute: written at most once a minute' }),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const issuedApiKeyResponse = apiKeyResponse
  .extend({ apiKey: z.string().meta({ description: 'shown once; only its hash is stored' }) })
  .meta({ id: 'IssuedApiKey' });

export const clientResponse = z
  .object({
    id,
    name: z.string(),
    activeKeys: z.number().int().meta({ description: 'keys not revoked' }),
    createdAt: timestamp,
  })
  .meta({ id: 'Client' });

export type ApiKeyResponse = z.input<typeof apiKeyResponse>;
export type ClientResponse = z.input<typeof clientResponse>;
export type ParkedEventResponse = z.input<typeof parkedEventResponse>;
