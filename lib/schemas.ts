import { z } from 'zod';

import { ValidationError, type FieldProblem } from './errors.js';
import { CATEGORIES } from './matching/categories.js';
import { DOCUMENT_TYPES } from './documents/documents.js';
import { SECRET_BYTES, secretBytes } from './notifications/signing.js';

/**
 * Request bodies as the API accepts them. Validation happens here, at the boundary, so lib/ below it works
 * with trusted, typed values; unknown fields are refused so a typo ("titel") is not silently ignored.
 */

/** A lone UTF-16 surrogate: legal in a JS string and in JSON text ("\ud800"), but not encodable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text Postgres stores as sent. It refuses NUL in text and jsonb (a 500, found by fuzzing), and a lone
 * surrogate would become U+FFFD in a text column and an error in jsonb, so both are refused here.
 */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(
      (value) => !value.includes('\u0000') && !LONE_SURROGATE.test(value),
      'must not contain NUL (U+0000) or unpaired surrogate characters',
    );
const externalId = text(200);
const skills = z.array(text(100)).max(200);
const seniority = z.enum(['junior', 'mid', 'senior', 'lead']);

/**
 * Years are stored to a tenth (numeric(4,1)); more precision would be rounded away silently (fuzzing sent
 * 0.05 and read back 0.1), so a value must survive that rounding unchanged. multipleOf documents the rule;
 * zod's own multipleOf check is not exact for floats (it lets 5e-324 and 0.30000000000000004 through).
 */
const years = z
  .number()
  .min(0)
  .max(70)
  .refine((value) => Number(value.toFixed(1)) === value, 'must have at most one decimal place')
  .meta({ multipleOf: 0.1 });
const money = z.number().int().min(0).max(100_000_000);

export const coordinates = z
  .strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
  .meta({ description: 'a point on Earth, in degrees (WGS 84)' });

/** Where a profile is: a place name the gazetteer resolves ("Berlin", "Austin, TX"), or coordinates. */
const location = z.union([text(200), coordinates]).meta({
  description:
    'a place name ("Berlin", "Paris, France", "Austin, TX"), resolved to coordinates through the gazetteer (the profile shows how), or {lat, lon}',
});

/** A resume or posting as a file, in place of its text (lib/documents/documents.ts converts it). */
export const documentUpload = z
  .strictObject({
    filename: text(255),
    contentType: z.enum([DOCUMENT_TYPES.pdf, DOCUMENT_TYPES.docx]),
    data: z.base64().min(1).meta({ description: 'the file’s bytes, base64' }),
  })
  .meta({
    description:
      'a PDF or DOCX file instead of the text: its text is extracted when it is written (visible as the profile’s text), the original kept; a file with no text, encrypted, corrupt or over the limits is a 422 naming the reason',
  });

/** Exactly one of a text field and `document`. */
const textOrDocument = (field: 'description' | 'resumeText') => ({
  check: (input: { document?: unknown; description?: unknown; resumeText?: unknown }) =>
    (input[field] === undefined) !== (input.document === undefined),
  options: { path: [field], message: `give exactly one of ${field} and document` },
});

const notBoth = (field: 'description' | 'resumeText') => ({
  check: (patch: { document?: unknown; description?: unknown; resumeText?: unknown }) =>
    patch[field] === undefined || patch.document === undefined,
  options: { path: [field], message: `give ${field} or document, not both` },
});

const jobFields = z.strictObject({
  externalId,
  title: text(300),
  description: text(100_000).optional(),
  document: documentUpload.optional(),
  skills: skills.optional(),
  location: location.nullish(),
  remote: z.boolean().nullish(),
  minYearsExperience: years.nullish(),
  seniority: seniority.nullish(),
  salaryMin: money.nullish(),
  salaryMax: money.nullish(),
  status: z.enum(['open', 'closed']).optional(),
});

const salaryRange = {
  check: (job: { salaryMin?: number | null; salaryMax?: number | null }) =>
    job.salaryMin == null || job.salaryMax == null || job.salaryMin <= job.salaryMax,
  options: { path: ['salaryMax'], message: 'must be greater than or equal to salaryMin' },
};
const nonEmpty = {
  check: (patch: object) => Object.keys(patch).length > 0,
  options: { message: 'must change at least one field' },
};

export const jobInput = jobFields
  .refine(salaryRange.check, salaryRange.options)
  .refine(textOrDocument('description').check, textOrDocument('description').options);

const candidateFields = z.strictObject({
  externalId,
  name: text(300).nullish(),
  headline: text(300).nullish(),
  resumeText: text(200_000).optional(),
  document: documentUpload.optional(),
  skills: skills.optional(),
  location: location.nullish(),
  remote: z.boolean().nullish(),
  yearsExperience: years.nullish(),
  seniority: seniority.nullish(),
  salaryExpectation: money.nullish(),
});

export const jobPatch = jobFields
  .partial()
  .refine(nonEmpty.check, nonEmpty.options)
  .refine(salaryRange.check, salaryRange.options)
  .refine(notBoth('description').check, notBoth('description').options);

export const candidateInput = candidateFields.refine(
  textOrDocument('resumeText').check,
  textOrDocument('resumeText').options,
);

export const candidatePatch = candidateFields
  .partial()
  .refine(nonEmpty.check, nonEmpty.options)
  .refine(notBoth('resumeText').check, notBoth('resumeText').options);

export const MAX_BATCH_ITEMS = 1000;

export const batchEnvelope = z.strictObject({
  items: z.array(z.unknown()).min(1).max(MAX_BATCH_ITEMS),
});

const skillNames = (description: string) =>
  z
    .array(text(100))
    .min(1)
    .max(50)
    .meta({
      description: `${description} (names or aliases of the skill vocabulary: "k8s" is Kubernetes)`,
    });
const moment = (description: string) => z.iso.datetime({ offset: true }).meta({ description });

/**
 * What a match request or a match run may ask of its targets: hard criteria, applied where targets are drawn
 * (lib/db/profiles.ts, eligibleTargets), so a target that fails one is never ranked. A fact a target does
 * not state fails a criterion on it, except a job that states no years, which asks for none.
 */
const targetFilterFields = z.strictObject({
  location: text(200).optional().meta({ description: 'the target’s location contains this text, any case' }),
  remote: z.boolean().optional(),
  requiredSkills: skillNames('targets with every one of these skills').optional(),
  anySkills: skillNames('targets with at least one of these skills').optional(),
  excludeSkills: skillNames('targets with none of these skills').optional(),
  minYearsExperience: years.optional().meta({
    description: 'a candidate’s years of experience, or the years a job asks for, at least this',
  }),
  maxYearsExperience: years.optional().meta({ description: 'the same years, at most this' }),
  seniority: z.array(seniority).min(1).max(4).optional().meta({ description: 'one of these levels' }),
  salary: z
    .strictObject({ min: money.optional(), max: money.optional() })
    .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, {
      path: ['max'],
      message: 'must be greater than or equal to min',
    })
    .optional()
    .meta({
      description: 'yearly pay: a candidate’s expectation within the range, or a job’s range overlapping it',
    }),
  near: z
    .union([coordinates, z.strictObject({ place: text(200) })])
    .optional()
    .meta({
      description:
        'targets within radiusKm of a point or a place (resolved as a profile’s location; an ambiguous or unknown place is refused); a remote job is near every point',
    }),
  radiusKm: z.number().positive().max(20_000).optional().meta({ description: 'with near; 50 when left out' }),
  excludeIds: z.array(z.uuid()).min(1).max(1000).optional().meta({ description: 'targets never shown' }),
  postedAfter: moment('targets created after this moment (an ISO 8601 date-time)').optional(),
  updatedAfter: moment('targets written after this moment (an ISO 8601 date-time)').optional(),
});

export const targetFilters = targetFilterFields.refine(
  (filters) =>
    filters.minYearsExperience === undefined ||
    filters.maxYearsExperience === undefined ||
    filters.minYearsExperience <= filters.maxYearsExperience,
  { path: ['maxYearsExperience'], message: 'must be greater than or equal to minYearsExperience' },
);

export type TargetFilters = z.infer<typeof targetFilters>;

/** The filters as stored and applied: a place in `near` resolved to its coordinates (it is kept, to echo). */
export type ResolvedTargetFilters = Omit<TargetFilters, 'near'> & {
  near?: (z.infer<typeof coordinates> & { place?: string }) | undefined;
};

/** The filters as answers echo them: numbers as stored, without the tenth-of-a-year rule inputs follow. */
export const targetFiltersEcho = targetFilterFields.extend({
  minYearsExperience: z.number().optional(),
  maxYearsExperience: z.number().optional(),
  near: z
    .object({ lat: z.number(), lon: z.number(), place: z.string().optional() })
    .optional()
    .meta({ description: 'the point, with the place it was resolved from when one was given' }),
});

const weight = z.number().min(0).max(1);

/** How hard each category pulls in scoring (lib/matching/weights.ts); what is left out keeps the default. */
export const categoryWeights = z.partialRecord(z.enum(CATEGORIES), weight).meta({
  description:
    'how hard each category pulls in scoring, 0 to 1: 0.5 (the default) is the trained model’s balance, 0 leaves the category out and 1 doubles its pull',
});

export const matchRequestInput = z
  .strictObject({
    candidateId: z.uuid().optional(),
    jobId: z.uuid().optional(),
    topK: z.number().int().min(1).max(100).default(10),
    filters: targetFilters.default({}),
    weights: categoryWeights.optional(),
  })
  .refine((body) => (body.candidateId === undefined) !== (body.jobId === undefined), {
    message:
      'give exactly one of candidateId (rank jobs for a candidate) or jobId (rank candidates for a job)',
  });

export const matchRunInput = z.strictObject({
  subject: z.enum(['candidates', 'jobs']).meta({
    description: 'rank jobs for each of your candidates, or candidates for each of your open jobs',
  }),
  filter: z
    .strictObject({
      location: text(200).optional(),
      remote: z.boolean().optional(),
      updatedAfter: z.iso.datetime({ offset: true }).optional().meta({
        description: 'only subjects written after this moment (an ISO 8601 date-time)',
      }),
    })
    .default({})
    .meta({ description: 'which subjects the run ranks targets for; all of them when left out' }),
  topK: z.number().int().min(1).max(100).default(10),
  targetFilters: targetFilters.default({}).meta({ description: 'as a match request’s filters' }),
});

export const matchRunResultsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.uuid().optional().meta({ description: 'the nextCursor of the previous page' }),
});

export const feedbackInput = z.strictObject({
  targetId: z.uuid(),
  outcome: z.enum(['applied', 'interview', 'hired', 'rejected']),
});

export const clientInput = z.strictObject({ name: text(200) });

export const webhookInput = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2000)
    .refine((url) => {
      if (!URL.canParse(url)) return true; // reported by .url() already
      const { username, password } = new URL(url);
      return username === '' && password === '';
    }, 'must not contain credentials; authenticate deliveries with the signature instead'),
  secret: z
    .string()
    .refine((secret) => {
      const length = secretBytes(secret)?.length ?? 0;
      return length >= SECRET_BYTES.min && length <= SECRET_BYTES.max;
    }, `must be whsec_ followed by ${SECRET_BYTES.min} to ${SECRET_BYTES.max} bytes in base64 (or leave it out and we generate one)`)
    .optional(),
});

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(500).optional(),
});

/** An outbox row id, as the parked-event list shows it. */
export const outboxRowId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be an outbox row id');

export const parkedListQuery = listQuery.extend({
  cursor: outboxRowId.optional().meta({ description: 'the nextCursor of the previous page' }),
});

export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, 'must be 1 to 255 printable ASCII characters (a UUID is a good choice)')
  .optional();

export type JobInput = z.output<typeof jobInput>;
export type CandidateInput = z.output<typeof candidateInput>;
export type JobPatch = z.output<typeof jobPatch>;
export type CandidatePatch = z.output<typeof candidatePatch>;
export type MatchRequestInput = z.output<typeof matchRequestInput>;
export type MatchRunInput = z.output<typeof matchRunInput>;
export type FeedbackInput = z.output<typeof feedbackInput>;
export type WebhookInput = z.output<typeof webhookInput>;

export function problemsOf(error: z.ZodError, root = ''): FieldProblem[] {
  return error.issues.map((issue) => ({
    pointer:
      `${root}/${issue.path.map((part) => String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`.replace(
        /\/$/,
        '',
      ) || '/',
    detail: issue.message,
  }));
}

/** Parses `value` or throws a 422 naming each offending field. `where` says which part of the request it is. */
export function parse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  where = 'body',
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(
      `The request ${where} is invalid: ${z.prettifyError(result.error)}`,
      problemsOf(result.error),
    );
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------------------
// API keys (admin API, issue 5)

const apiKeyScope = z.enum(['read-write', 'read-only']);

export const apiKeyInput = z.strictObject({
  name: text(200).optional(),
  scope: apiKeyScope.default('read-write'),
});
