import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';

import {
  apiKeyResponse,
  batchReport,
  candidateResponse,
  clientResponse,
  createdClientResponse,
  feedbackResponse,
  issuedApiKeyResponse,
  jobResponse,
  matchRequestResponse,
  matchRunResponse,
  matchRunSubjectResults,
  notificationResponse,
  outboxStatusResponse,
  page,
  parkedEventResponse,
  parkedRetryResponse,
  problemResponse,
  readinessResponse,
  webhookResponse,
} from './responses.js';
import {
  apiKeyInput,
  candidateInput,
  candidatePatch,
  clientInput,
  documentUpload,
  feedbackInput,
  idempotencyKey,
  jobInput,
  jobPatch,
  listQuery,
  matchRequestInput,
  matchRunInput,
  matchRunResultsQuery,
  MAX_BATCH_ITEMS,
  outboxRowId,
  parkedListQuery,
  webhookInput,
} from './schemas.js';

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const PROBLEMS: Record<number, string> = {
  400: 'the body is not JSON',
  401: 'no valid credentials',
  403: 'the credentials may not do this',
  404: 'no such resource for your account',
  409: 'conflicts with the current state',
  413: 'the body is too large',
  415: 'the body is not application/json',
  422: 'the request failed validation; `errors` points at each field',
  429: 'rate limited: wait for Retry-After',
  503: 'a dependency is down: retry after Retry-After; nothing was written',
};

/** The problem+json answers an operation may give, besides the 500 any operation may give. */
const problems = (...statuses: number[]): ZodOpenApiResponsesObject =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: PROBLEMS[status] ?? 'error',
        content: { 'application/problem+json': { schema: problemResponse } },
      },
    ]),
  );

const idPath = z.object({ id: z.uuid() });
const clientIdPath = z.object({ clientId: z.uuid() });
const idempotencyHeader = z.object({
  'idempotency-key': idempotencyKey.meta({
    description: 'retrying with the same key returns the first answer',
  }),
});
const location = { Location: { description: 'where the resource is', schema: { type: 'string' as const } } };
const retryAfter = {
  'Retry-After': { description: 'seconds to wait before polling again', schema: { type: 'string' as const } },
};
const CLIENT_ERRORS = [401, 429, 503] as const;
const WRITE_ERRORS = [400, 401, 403, 413, 415, 422, 429, 503] as const;

function profileOperations(
  kind: 'job' | 'candidate',
  input: z.ZodType,
  patch: z.ZodType,
  response: z.ZodType,
): Record<string, Record<string, ZodOpenApiOperationObject>> {
  const plural = `${kind}s`;
  const tags = [plural];
  return {
    [`/v1/${plural}`]: {
      post: {
        tags,
        summary: `Create or update a ${kind} by its externalId`,
        operationId: `upsert-${kind}`,
        requestBody: { content: { 'application/json': { schema: input } } },
        responses: {
          '201': { ...json(response, `created; features follow in the background`), headers: location },
          '200': { ...json(response, `updated (same externalId)`), headers: location },
          ...problems(...WRITE_ERRORS, 409),
        },
      },
      get: {
        tags,
        summary: `List your ${plural}, oldest first`,
        operationId: `list-${plural}`,
        requestParams: { query: listQuery },
        responses: {
          '200': json(page(response, kind === 'job' ? 'Job' : 'Candidate'), 'a page'),
          ...problems(...CLIENT_ERRORS, 422),
        },
      },
    },
    [`/v1/${plural}/batch`]: {
      post: {
        tags,
        summary: `Create or update 1 to ${MAX_BATCH_ITEMS} ${plural}; each item is reported on its own`,
        operationId: `batch-${plural}`,
        requestBody: {
          content: {
            'application/json': { schema: z.object({ items: z.array(input).min(1).max(MAX_BATCH_ITEMS) }) },
          },
        },
        responses: { '200': json(batchReport, 'what happened to each item'), ...problems(...WRITE_ERRORS) },
      },
    },
    [`/v1/${plural}/{id}`]: {
      get: {
        tags,
        summary: `One ${kind}`,
        operationId: `get-${kind}`,
        requestParams: { path: idPath },
        responses: { '200': json(response, `the ${kind}`), ...problems(...CLIENT_ERRORS, 404) },
      },
      patch: {
        tags,
        summary: `Change some fields of a ${kind}; its revision goes up`,
        operationId: `update-${kind}`,
        requestParams: { path: idPath },
        requestBody: { content: { 'application/json': { schema: patch } } },
        responses: {
          '200': json(response, `the ${kind} as changed`),
          ...problems(...WRITE_ERRORS, 404, 409),
        },
      },
      delete: {
        tags,
        summary: `Delete a ${kind}`,
        operationId: `delete-${kind}`,
        requestParams: { path: idPath },
        responses: { '204': { description: 'deleted' }, ...problems(401, 403, 404, 429, 503) },
      },
    },
    [`/v1/${plural}/{id}/document`]: {
      get: {
        tags,
        summary: `The file a ${kind} was sent as (PDF or DOCX), as it came`,
        operationId: `get-${kind}-document`,
        requestParams: { path: idPath },
        responses: {
          '200': {
            description: 'the file, as an attachment named as it was sent',
            content: Object.fromEntries(
              documentUpload.shape.contentType.options.map((type) => [
                type,
                { schema: { type: 'string', format: 'binary' } },
              ]),
            ),
          },
          ...problems(...CLIENT_ERRORS, 404),
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the API, built from the same zod schemas that validate requests
 * (lib/schemas.ts) and type responses (lib/responses.ts). Served at /openapi.json; the contract tests check
 * every response the test suite receives against it.
 */
export function openApiDocument(version: string): ReturnType<typeof createDocument> {
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Lookiy Match API',
        version,
        description:
          'Send job postings and candidate profiles; ask which jobs fit a candidate or which candidates fit a job, and get ranked results with reasons. Errors are RFC 9457 problem details.',
      },
      servers: [{ url: '/' }],
      security: [{ apiKey: [] }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'your API key' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set' },
        },
      },
      paths: {
        ...profileOperations('job', jobInput, jobPatch, jobResponse),
        ...profileOperations('candidate', candidateInput, candidatePatch, candidateResponse),
        '/v1/match-requests': {
          post: {
            tags: ['matching'],
            summary: 'Ask for the best jobs for a candidate, or the best candidates for a job',
            operationId: 'create-match-request',
            requestParams: { header: idempotencyHeader },
            requestBody: { content: { 'application/json': { schema: matchRequestInput } } },
            responses: {
              '202': {
                ...json(matchRequestResponse, 'accepted: poll the Location'),
                headers: { ...location, ...retryAfter },
              },
              '200': {
                ...json(matchRequestResponse, 'the request this Idempotency-Key made before'),
                headers: location,
              },
              ...problems(...WRITE_ERRORS),
            },
          },
        },
        '/v1/match-requests/{id}': {
          get: {
            tags: ['matching'],
            summary: 'A match request: its status and, once completed, the ranked results with explanations',
            operationId: 'get-match-request',
            requestParams: { path: idPath },
            responses: {
              '200': { ...json(matchRequestResponse, 'the request'), headers: retryAfter },
              ...problems(...CLIENT_ERRORS, 404),
            },
          },
        },
        '/v1/match-requests/{id}/feedback': {
          post: {
            tags: ['matching'],
            summary: 'Record what became of one result (training data for the next model)',
            operationId: 'record-feedback',
            requestParams: { path: idPath },
            requestBody: { content: { 'application/json': { schema: feedbackInput } } },
            responses: { '200': json(feedbackResponse, 'recorded'), ...problems(...WRITE_ERRORS, 404) },
          },
        },
        '/v1/match-runs': {
          post: {
            tags: ['matching'],
            summary:
              'Start a bulk match run: the best targets for every candidate (or open job) a filter selects, in the background',
            operationId: 'create-match-run',
            requestParams: { header: idempotencyHeader },
            requestBody: { content: { 'application/json': { schema: matchRunInput } } },
            responses: {
              '202': {
                ...json(matchRunResponse, 'accepted: poll the Location for progress'),
                headers: { ...location, ...retryAfter },
              },
              ...problems(...WRITE_ERRORS),
            },
          },
        },
        '/v1/match-runs/{id}': {
          get: {
            tags: ['matching'],
            summary: 'A match run: its status and progress (done, total, rate, ETA)',
            operationId: 'get-match-run',
            requestParams: { path: idPath },
            responses: {
              '200': { ...json(matchRunResponse, 'the run'), headers: retryAfter },
              ...problems(...CLIENT_ERRORS, 404),
            },
          },
          delete: {
            tags: ['matching'],
            summary:
              'Cancel a match run: it stops at its next chunk, and the run and its results are deleted',
            operationId: 'delete-match-run',
            requestParams: { path: idPath },
            responses: {
              '204': { description: 'cancelled and deleted' },
              ...problems(...CLIENT_ERRORS, 403, 404),
            },
          },
        },
        '/v1/match-runs/{id}/results': {
          get: {
            tags: ['matching'],
            summary:
              'A page of a match run’s results, one item per subject ranked so far, in subject id order',
            operationId: 'list-match-run-results',
            requestParams: { path: idPath, query: matchRunResultsQuery },
            responses: {
              '200': json(page(matchRunSubjectResults, 'MatchRunSubjectResults'), 'a page'),
              ...problems(...CLIENT_ERRORS, 404, 422),
            },
          },
        },
        '/v1/webhook': {
          put: {
            tags: ['webhooks'],
            summary: 'Register (or replace) your webhook',
            operationId: 'put-webhook',
            requestBody: { content: { 'application/json': { schema: webhookInput } } },
            responses: {
              '201': json(webhookResponse, 'registered'),
              '200': json(webhookResponse, 'replaced'),
              ...problems(...WRITE_ERRORS),
            },
          },
          get: {
            tags: ['webhooks'],
            summary: 'Your webhook',
            operationId: 'get-webhook',
            responses: { '200': json(webhookResponse, 'the webhook'), ...problems(...CLIENT_ERRORS, 404) },
          },
          delete: {
            tags: ['webhooks'],
            summary: 'Remove your webhook',
            operationId: 'delete-webhook',
            responses: { '204': { description: 'removed' }, ...problems(401, 403, 404, 429, 503) },
          },
        },
        '/v1/webhook/test': {
          post: {
            tags: ['webhooks'],
            summary: 'Send a signed test ping to your webhook',
            operationId: 'test-webhook',
            responses: {
              '202': { ...json(notificationResponse, 'queued'), headers: location },
              ...problems(...WRITE_ERRORS, 404),
            },
          },
        },
        '/v1/notifications': {
          get: {
            tags: ['webhooks'],
            summary: 'Notifications sent to your webhook, oldest first',
            operationId: 'list-notifications',
            requestParams: { query: listQuery },
            responses: {
              '200': json(page(notificationResponse, 'Notification'), 'a page'),
              ...problems(...CLIENT_ERRORS, 422),
            },
          },
        },
        '/v1/notifications/{id}': {
          get: {
            tags: ['webhooks'],
            summary: 'One notification with its delivery status',
            operationId: 'get-notification',
            requestParams: { path: idPath },
            responses: {
              '200': json(notificationResponse, 'the notification'),
              ...problems(...CLIENT_ERRORS, 404),
            },
          },
        },
        '/admin/clients': {
          post: {
            tags: ['admin'],
            summary: 'Create a client (tenant) and its first API key',
            operationId: 'create-client',
            security: [{ adminToken: [] }],
            requestBody: { content: { 'application/json': { schema: clientInput } } },
            responses: {
              '201': json(createdClientResponse, 'created; the key is shown once'),
              ...problems(400, 401, 413, 415, 422),
            },
          },
          get: {
            tags: ['admin'],
            summary: 'List the clients, oldest first',
            operationId: 'list-clients',
            security: [{ adminToken: [] }],
            requestParams: { query: listQuery },
            responses: {
              '200': json(page(clientResponse, 'Client'), 'a page'),
              ...problems(401, 422),
            },
          },
        },
        '/admin/clients/{clientId}/keys': {
          post: {
            tags: ['admin'],
            summary: 'Issue another API key for a client (to rotate to, or read-only)',
            operationId: 'create-api-key',
            security: [{ adminToken: [] }],
            requestParams: { path: clientIdPath },
            requestBody: { content: { 'application/json': { schema: apiKeyInput } } },
            responses: {
              '201': json(issuedApiKeyResponse, 'issued; the key is shown once'),
              ...problems(400, 401, 404, 413, 415, 422),
            },
          },
          get: {
            tags: ['admin'],
            summary: "A client's API keys by prefix, revoked ones included (never the keys)",
            operationId: 'list-api-keys',
            security: [{ adminToken: [] }],
            requestParams: { path: clientIdPath },
            responses: {
              '200': json(z.object({ items: z.array(apiKeyResponse) }), 'the keys, oldest first'),
              ...problems(401, 404),
            },
          },
        },
        '/admin/clients/{clientId}/keys/{keyId}': {
          delete: {
            tags: ['admin'],
            summary: 'Revoke an API key: refused from the next request on (revoking again changes nothing)',
            operationId: 'revoke-api-key',
            security: [{ adminToken: [] }],
            requestParams: { path: clientIdPath.extend({ keyId: z.uuid() }) },
            responses: {
              '204': { description: 'revoked' },
              ...problems(401, 404),
              '503': {
                description:
                  'revoked, but Redis could not tell the API replicas, which keep verified keys: revoke again',
                content: { 'application/problem+json': { schema: problemResponse } },
              },
            },
          },
        },
        '/admin/outbox': {
          get: {
            tags: ['admin'],
            summary: 'How far the outbox relay is behind',
            operationId: 'outbox-status',
            security: [{ adminToken: [] }],
            responses: { '200': json(outboxStatusResponse, 'outbox lag'), ...problems(401) },
          },
        },
        '/admin/outbox/parked': {
          get: {
            tags: ['admin'],
            summary:
              'Outbox events the broker refused for good (too large, invalid), with its answer, oldest first: the relay publishes the events after them and leaves these for a retry',
            operationId: 'list-parked-events',
            security: [{ adminToken: [] }],
            requestParams: { query: parkedListQuery },
            responses: {
              '200': json(page(parkedEventResponse, 'ParkedEvent'), 'a page'),
              ...problems(401, 422),
            },
          },
        },
        '/admin/outbox/parked/retry': {
          post: {
            tags: ['admin'],
            summary:
              'Hand every parked event back to the relay, once the cause is fixed (say, the topic takes larger messages); one the broker still refuses is parked again',
            operationId: 'retry-parked-events',
            security: [{ adminToken: [] }],
            responses: {
              '202': json(parkedRetryResponse, 'the relay publishes them next'),
              // No body is read, but one that is sent still passes the body checks every POST has.
              ...problems(400, 401, 413, 415),
            },
          },
        },
        '/admin/outbox/parked/{id}/retry': {
          post: {
            tags: ['admin'],
            summary:
              'Hand one parked event back to the relay; it is published after the events of its aggregate the relay published meanwhile',
            operationId: 'retry-parked-event',
            security: [{ adminToken: [] }],
            requestParams: { path: z.object({ id: outboxRowId }) },
            responses: {
              '202': json(parkedRetryResponse, 'the relay publishes it next'),
              ...problems(400, 401, 404, 413, 415, 422),
            },
          },
        },
        '/healthz': {
          get: {
            tags: ['operations'],
            summary: 'Liveness',
            operationId: 'healthz',
            security: [],
            responses: { '200': json(z.object({ status: z.literal('ok') }), 'alive') },
          },
        },
        '/readyz': {
          get: {
            tags: ['operations'],
            summary: 'Readiness: Postgres, Redis and the broker, each with a short timeout',
            operationId: 'readyz',
            security: [],
            responses: {
              '200': json(readinessResponse, 'ready'),
              '503': json(readinessResponse, 'a required dependency is down'),
            },
          },
        },
        '/metrics': {
          get: {
            tags: ['operations'],
            summary: 'Prometheus metrics',
            operationId: 'metrics',
            security: [{}, { metricsToken: [] }],
            responses: {
              '200': {
                description: 'Prometheus text format',
                content: { 'text/plain': { schema: z.string() } },
              },
              ...problems(401),
            },
          },
        },
      },
    },
    {
      override: ({ jsonSchema, zodSchema, io }) => {
        // Dates leave the API as JSON strings.
        if (zodSchema._zod.def.type === 'date' && io === 'output') {
          jsonSchema.type = 'string';
          jsonSchema.format = 'date-time';
        }
      },
    },
  );
}
