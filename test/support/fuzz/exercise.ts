import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

import { z } from 'zod';

import { problemResponse } from '../../../lib/responses.js';
import {
  batchEnvelope,
  candidateInput,
  candidatePatch,
  clientInput,
  feedbackInput,
  jobInput,
  jobPatch,
  matchRequestInput,
} from '../../../lib/schemas.js';
import { checkResponse, documentedPath } from '../contract.js';
import { send, type RawRequest, type RawResponse } from './http.js';
import { DOCUMENT, OPERATIONS } from './operations.js';
import { toJson } from './values.js';
import { resourceOf, type IdChoice, type Plan } from './plans.js';
import type { TestContext } from '../context.js';
import { buildWorld, snapshotQuery, type ResourceKind, type Snapshot, type World } from './world.js';

export interface FuzzRun {
  world: World;
  snapshot: () => Promise<Snapshot>;
  /** Body limits the API was started with, for the exact expectations. */
  limits: { bytes: number; depth: number };
  /** Answers by operationId and status: what the fuzzing reached. */
  statuses: Map<string, Map<number, number>>;
  /**
   * Idempotency-Keys sent so far. A key sent again (generators repeat their simplest values) gets the first
   * answer again, or a 422 when the request differs: the schemas alone no longer decide the answer.
   */
  idempotencyKeys: Set<string>;
}

/**
 * The settings a fuzzed stack runs with: only public webhook destinations (the URL generator tries every
 * refused kind), and a rate limit out of reach, since thousands of requests from one key are the point.
 */
export const FUZZ_ENV = { WEBHOOK_ALLOWED_NETWORKS: '', RATE_LIMIT_REQUESTS: '1000000' };

/** Builds the fixtures and the snapshot query for a stack started with FUZZ_ENV. */
export async function startFuzzRun(stack: TestContext): Promise<FuzzRun> {
  return {
    world: await buildWorld(stack),
    snapshot: await snapshotQuery(stack.services.db, stack.schema),
    limits: { bytes: stack.config.http.bodyLimitBytes, depth: stack.config.http.jsonMaxDepth },
    statuses: new Map(),
    idempotencyKeys: new Set(),
  };
}

const clip = (text: string, length = 400): string =>
  text.length > length ? `${text.slice(0, length)}…(${text.length} chars)` : text;

function pick(list: readonly string[], index: number): string {
  return list.length === 0 ? randomUUID() : (list[index % list.length] ?? randomUUID());
}

async function resolveId(world: World, template: string, name: string, choice: IdChoice): Promise<string> {
  const kind = resourceOf(template, name);
  switch (choice.kind) {
    case 'own':
      return kind ? pick(world.own.ids[kind], choice.index) : randomUUID();
    case 'uppercase':
      return (kind ? pick(world.own.ids[kind], choice.index) : randomUUID()).toUpperCase();
    case 'fresh':
      return kind ? world.fresh(kind) : randomUUID();
    case 'foreign':
      return kind ? pick(world.foreign.ids[kind], choice.index) : randomUUID();
    case 'other-kind':
      return pick(
        Object.entries(world.own.ids).flatMap(([other, ids]) => (other === kind ? [] : ids)),
        choice.index,
      );
    case 'random':
      return choice.uuid;
    case 'literal':
      return choice.segment;
  }
}

function authorization(world: World, plan: Plan): string | string[] | undefined {
  switch (plan.auth.kind) {
    case 'own':
      return `Bearer ${world.own.key}`;
    case 'foreign':
      return `Bearer ${world.foreign.key}`;
    case 'admin':
      return `Bearer ${world.adminToken}`;
    case 'none':
      return undefined;
    case 'raw':
      return plan.auth.value;
  }
}

function bodyBytes(plan: Plan): string | Buffer | undefined {
  switch (plan.body.kind) {
    case 'none':
      return undefined;
    case 'valid':
      return JSON.stringify(plan.body.value);
    case 'mutated':
      return plan.body.text;
    case 'raw':
      return plan.body.data;
  }
}

/**
 * Node's HTTP parser answers a request line with bytes outside 0x21-0x7E itself (a bare 400, before the
 * app), so those are percent-encoded (as UTF-8); raw "%" and "%ZZ" still go out as they are.
 */
function sendable(path: string): string {
  return path.replace(/[^\u0021-\u007e]/g, (char) =>
    [...Buffer.from(char)].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join(''),
  );
}

/** The plan as bytes on the wire; "fresh" ids are created here, before the snapshot is taken. */
async function toRequest(
  world: World,
  plan: Plan,
): Promise<{ request: RawRequest; ids: Record<string, string> }> {
  const { template } = plan.operation;
  const ids: Record<string, string> = {};
  for (const [name, choice] of Object.entries(plan.params)) {
    ids[name] = await resolveId(world, template, name, choice);
  }
  const fill = (prefix: string): string =>
    template.replace(/\{([^}]+)\}/g, (_match, name: string) => prefix + (ids[name] ?? randomUUID()));
  // A segment equal to a sibling route's literal ("batch") would make it another operation.
  let path = fill('');
  if (documentedPath(path) !== template) path = fill('x-');
  const headers: Record<string, string | string[]> = { ...plan.headers };
  const auth = authorization(world, plan);
  if (auth !== undefined) headers.authorization = auth;
  return {
    request: {
      method: plan.operation.method,
      path: sendable(plan.query === '' ? path : `${path}?${plan.query}`),
      headers,
      body: bodyBytes(plan),
    },
    ids,
  };
}

function describeExchange(request: RawRequest, response: RawResponse | undefined): string {
  const body =
    request.body === undefined
      ? 'none'
      : typeof request.body === 'string'
        ? clip(JSON.stringify(request.body))
        : `bytes ${clip(request.body.toString('hex'))}`;
  const answer =
    response === undefined
      ? 'no answer'
      : `${response.status} ${clip(toJson(response.body, ''))} headers=${clip(JSON.stringify(response.headers))}`;
  return `${request.method} ${clip(request.path)}\n  headers: ${clip(JSON.stringify(request.headers))}\n  body: ${body}\n  answer: ${answer}`;
}

class PropertyFailure extends Error {
  constructor(what: string, request: RawRequest, response: RawResponse | undefined) {
    super(`${what}\n  ${describeExchange(request, response)}`);
  }
}

function differences(before: Snapshot, after: Snapshot): string {
  return Object.keys({ ...before, ...after })
    .filter((table) => before[table] !== after[table])
    .map((table) => `${table}: ${String(before[table])} -> ${String(after[table])}`)
    .join('; ');
}

const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** How many answers had a status in [from, to), per operationId. */
export function answered(run: FuzzRun, from: number, to: number): Record<string, number> {
  return Object.fromEntries(
    [...run.statuses].map(([operationId, counts]) => [
      operationId,
      [...counts].reduce((sum, [status, count]) => sum + (status >= from && status < to ? count : 0), 0),
    ]),
  );
}

/**
 * One fuzzed request and every property it must keep: an answer below 500, an answer the OpenAPI document
 * describes, no write of any kind when the answer is a 4xx, a write that reads back when it is a 2xx, the
 * caller's X-Request-Id echoed only when it is a sane one, and for well-formed requests the exact answer
 * the schemas call for.
 */
export async function exercise(run: FuzzRun, plan: Plan): Promise<void> {
  const { request, ids } = await toRequest(run.world, plan);
  const key = firstHeader(request.headers['idempotency-key']);
  const expectation =
    key !== undefined && run.idempotencyKeys.has(key) ? undefined : await expectedStatuses(run, plan, ids);
  if (key !== undefined) run.idempotencyKeys.add(key);
  const before = await run.snapshot();
  let response: RawResponse;
  try {
    response = await send(run.world.stack.baseUrl, request);
  } catch (error) {
    throw new PropertyFailure(`the request failed: ${String(error)}`, request, undefined);
  }
  const counts = run.statuses.get(plan.operation.operationId) ?? new Map<number, number>();
  counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
  run.statuses.set(plan.operation.operationId, counts);
  const fail = (what: string): never => {
    throw new PropertyFailure(what, request, response);
  };

  if (response.status >= 500 && plan.operation.operationId !== 'readyz') fail('a 5xx answer');
  try {
    checkResponse(request.method, request.path, response.status, response.contentType, response.body);
  } catch (error) {
    fail((error as Error).message);
  }

  // HTTP drops the spaces and tabs around a header value before the app sees it.
  const sentId = firstHeader(request.headers['x-request-id'])?.replace(/^[ \t]+|[ \t]+$/g, '');
  const echoed = firstHeader(response.headers['x-request-id']);
  const expectedId =
    typeof request.headers['x-request-id'] === 'string' &&
    sentId !== undefined &&
    CALLER_REQUEST_ID.test(sentId)
      ? sentId
      : undefined;
  if (expectedId !== undefined ? echoed !== expectedId : !UUID.test(echoed ?? '')) {
    fail(`X-Request-Id ${String(echoed)} for ${String(sentId)}`);
  }

  if (response.status >= 400 && response.status < 500) {
    const after = await run.snapshot();
    if (!isDeepStrictEqual(before, after))
      fail(`a ${response.status} answer wrote: ${differences(before, after)}`);
  }
  if (expectation && !expectation.statuses.includes(response.status)) {
    fail(`expected ${expectation.statuses.join(' or ')} (${expectation.why}), got ${response.status}`);
  }
  if (response.status >= 200 && response.status < 300) {
    try {
      await readsBack(run, request, response);
      expectation?.check?.(response.body);
    } catch (error) {
      fail((error as Error).message);
    }
  }
}

const ONCE_SHOWN = new Set(['secret', 'apiKey']);

function withoutOnceShown(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !ONCE_SHOWN.has(key)));
}

function hasOperation(path: string, method: string): boolean {
  const template = documentedPath(path);
  return template !== undefined && method in ((DOCUMENT.paths?.[template] as object | undefined) ?? {});
}

function same(what: string, shown: unknown, answered: unknown): void {
  if (!isDeepStrictEqual(shown, answered)) {
    throw new Error(`${what}: read back ${clip(toJson(shown, ''))}, answered ${clip(toJson(answered, ''))}`);
  }
}

/**
 * A 2xx write must read back as answered: GET on the Location (POST) or on the same path (PUT, PATCH)
 * shows the same body, a DELETE leaves a 404 behind, each item a batch reports written exists, and a
 * key the admin API issued works.
 */
async function readsBack(run: FuzzRun, request: RawRequest, response: RawResponse): Promise<void> {
  // A replay answers with the first answer, which the resource may have outgrown since.
  if (response.headers['idempotent-replayed'] !== undefined) return;
  const auth = firstHeader(request.headers.authorization);
  const get = (path: string) =>
    run.world.stack.request('GET', path, { headers: auth === undefined ? {} : { authorization: auth } });
  const path = request.path.split('?')[0] ?? request.path;
  const location = response.headers.location;
  const template = documentedPath(path) ?? '';
  const documented = (
    DOCUMENT.paths?.[template] as
      Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }> | undefined
  )?.[request.method.toLowerCase()]?.responses?.[String(response.status)]?.headers;
  // Optional in OpenAPI terms, but a client cannot find what it created without it.
  if (documented && 'Location' in documented && location === undefined) {
    throw new Error(`no Location header, which the document promises for ${response.status}`);
  }
  switch (request.method) {
    case 'POST':
      if (location !== undefined) {
        const shown = await get(location);
        same(
          `GET ${location} after ${request.method} ${path}`,
          shown.status === 200 ? shown.body : shown.status,
          response.body,
        );
      }
      break;
    case 'PUT':
    case 'PATCH':
      if (hasOperation(path, 'get')) {
        const shown = await get(path);
        same(
          `GET ${path}`,
          shown.status === 200 ? withoutOnceShown(shown.body) : shown.status,
          withoutOnceShown(response.body),
        );
      }
      break;
    case 'DELETE':
      if (hasOperation(path, 'get')) {
        const shown = await get(path);
        if (shown.status !== 404) throw new Error(`GET ${path} after DELETE answered ${shown.status}`);
      }
      break;
  }
  const body = (response.body ?? {}) as { items?: { status?: string; id?: string }[]; apiKey?: unknown };
  const paginated = OPERATIONS.some(
    (operation) =>
      operation.template === template &&
      operation.method === request.method &&
      operation.query.some((parameter) => parameter.name === 'limit'),
  );
  if (paginated && Array.isArray(body.items)) {
    const limits = new URLSearchParams(request.path.split('?')[1] ?? '').getAll('limit');
    const limit = limits.length === 1 && /^\d+$/.test(limits[0] ?? '') ? Number(limits[0]) : 100;
    if (body.items.length > limit) throw new Error(`a page of ${body.items.length} items for limit ${limit}`);
  }
  if (request.method === 'POST' && path.endsWith('/batch') && Array.isArray(body.items)) {
    const collection = path.slice(0, -'/batch'.length);
    for (const item of body.items) {
      if (item.id === undefined) continue;
      const shown = await get(`${collection}/${item.id}`);
      if (shown.status !== 200)
        throw new Error(
          `batch item ${item.id} reported ${String(item.status)} but GET answered ${shown.status}`,
        );
    }
  }
  if (typeof body.apiKey === 'string') {
    const listed = await run.world.stack.request('GET', '/v1/jobs', { key: body.apiKey });
    if (listed.status !== 200)
      throw new Error(`the issued key does not work: GET /v1/jobs answered ${listed.status}`);
  }
}

interface Expectation {
  statuses: number[];
  why: string;
  /** More to check on a 2xx body. */
  check?: (body: unknown) => void;
}

type ProfileKind = 'job' | 'candidate';

type Oracle =
  | { mode: 'upsert' | 'patch' | 'batch'; kind: ProfileKind; schema: z.ZodType }
  | { mode: 'match' | 'feedback' | 'client' };

/** Operations whose exact answer the schemas decide, by operationId. */
const ORACLES: Record<string, Oracle> = {
  'upsert-job': { mode: 'upsert', kind: 'job', schema: jobInput },
  'upsert-candidate': { mode: 'upsert', kind: 'candidate', schema: candidateInput },
  'update-job': { mode: 'patch', kind: 'job', schema: jobPatch },
  'update-candidate': { mode: 'patch', kind: 'candidate', schema: candidatePatch },
  'batch-jobs': { mode: 'batch', kind: 'job', schema: jobInput },
  'batch-candidates': { mode: 'batch', kind: 'candidate', schema: candidateInput },
  'create-match-request': { mode: 'match' },
  'record-feedback': { mode: 'feedback' },
  'create-client': { mode: 'client' },
};

/** Operation ids the oracles name but the document does not have: a rename that would switch one off. */
export const UNKNOWN_ORACLES = Object.keys(ORACLES).filter(
  (id) => !OPERATIONS.some((operation) => operation.operationId === id),
);

const DEFAULTS: Record<ProfileKind, Record<string, unknown>> = {
  job: {
    skills: [],
    location: null,
    remote: null,
    minYearsExperience: null,
    seniority: null,
    salaryMin: null,
    salaryMax: null,
    status: 'open',
  },
  candidate: {
    name: null,
    headline: null,
    skills: [],
    location: null,
    remote: null,
    yearsExperience: null,
    seniority: null,
    salaryExpectation: null,
  },
};

/** JSON's view of a value: -0 is 0, undefined fields are gone. */
const asJson = (value: unknown): unknown => JSON.parse(toJson(value, 'null')) as unknown;

function fieldsMatch(expected: Record<string, unknown>): (body: unknown) => void {
  return (body) => {
    const answered = body as Record<string, unknown>;
    for (const [field, value] of Object.entries(asJson(expected) as Record<string, unknown>)) {
      if (!isDeepStrictEqual(answered[field], value)) {
        throw new Error(
          `${field} was sent as ${clip(toJson(value, ''))} (after validation) but the API answered ${clip(toJson(answered[field], ''))}`,
        );
      }
    }
  };
}

/** Depth of nesting and whether a "__proto__" key occurs, iteratively: bodies nest 100,000 deep. */
function shapeOf(value: unknown): { depth: number; protoKey: boolean } {
  let depth = 0;
  let protoKey = false;
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, level] = item;
    if (typeof node !== 'object' || node === null) continue;
    depth = Math.max(depth, level);
    if (Object.hasOwn(node, '__proto__')) protoKey = true;
    for (const child of Object.values(node)) stack.push([child, level + 1]);
  }
  return { depth, protoKey };
}

/** The parsed body as the API will see it, or the status the body alone earns. */
function parsedBody(
  run: FuzzRun,
  plan: Plan,
): { value: unknown } | { status: number; why: string } | undefined {
  const raw =
    plan.body.kind === 'valid'
      ? JSON.stringify(plan.body.value)
      : plan.body.kind === 'mutated'
        ? plan.body.text
        : undefined;
  if (raw === undefined) return undefined;
  // No body at all reaches the route as an empty object, so its fields are reported missing (422).
  if (raw === '') return { value: {} };
  if (Buffer.byteLength(raw) > run.limits.bytes) return { status: 413, why: 'over the body limit' };
  let value: unknown;
  try {
    // The body is decoded with iconv-lite, which drops a leading byte order mark.
    value = JSON.parse(raw.replace(/^\ufeff/, ''));
  } catch {
    return { status: 400, why: 'not JSON' };
  }
  // The body parser's strict mode takes objects and arrays only.
  if (typeof value !== 'object' || value === null) return { status: 400, why: 'a JSON scalar' };
  const shape = shapeOf(value);
  // The body parser (co-body with bourne) refuses prototype poisoning outright.
  if (shape.protoKey) return { status: 400, why: 'a __proto__ key' };
  if (shape.depth > run.limits.depth) return { status: 422, why: 'nested too deep' };
  return { value };
}

async function rowWithExternalId(
  run: FuzzRun,
  kind: ProfileKind,
  externalId: string,
): Promise<string | null> {
  const row = await run.world.stack.services
    .db(kind === 'job' ? 'jobs' : 'candidates')
    .where({ clientId: run.world.own.clientId, externalId })
    .first<{ id: string } | undefined>('id');
  return row?.id ?? null;
}

function ownsId(
  world: World,
  kind: ResourceKind,
  choice: IdChoice | undefined,
  id: string | undefined,
): boolean | undefined {
  if (choice === undefined || id === undefined) return undefined;
  if (choice.kind === 'own' || choice.kind === 'fresh' || choice.kind === 'uppercase') return true;
  if (choice.kind === 'literal') return undefined;
  return world.own.ids[kind].includes(id.toLowerCase());
}

/**
 * For well-formed requests by the own tenant, the answer the schemas and the data decide: undefined when
 * this request is not one the oracle knows (odd headers, another operation, a garbage id).
 */
async function expectedStatuses(
  run: FuzzRun,
  plan: Plan,
  ids: Record<string, string>,
): Promise<Expectation | undefined> {
  const oracle = ORACLES[plan.operation.operationId];
  const own = plan.operation.security === 'admin' ? plan.auth.kind === 'admin' : plan.auth.kind === 'own';
  if (!oracle || !plan.wellFormed || !own) return undefined;
  const parsed = parsedBody(run, plan);
  if (parsed === undefined) return undefined;
  if ('status' in parsed) return { statuses: [parsed.status], why: parsed.why };
  const idChoice = plan.params.id;
  switch (oracle.mode) {
    case 'upsert': {
      const { kind } = oracle;
      const result = oracle.schema.safeParse(parsed.value);
      if (!result.success) return { statuses: [422], why: 'the schema refuses it' };
      const output = result.data as Record<string, unknown> & { externalId: string };
      // Postgres cannot even look up some strings (NUL): the API must refuse them, which the 5xx check sees.
      const holder = await rowWithExternalId(run, kind, output.externalId).catch(() => undefined);
      if (holder === undefined) return undefined;
      const exists = holder !== null;
      // A file's content decides, not its schema: a random base64 string is no PDF, and a real one is read.
      if (output.document !== undefined)
        return { statuses: [exists ? 200 : 201, 422], why: 'the schema accepts it; the file is read first' };
      return {
        statuses: [exists ? 200 : 201],
        why: exists
          ? 'the schema accepts it; the externalId exists'
          : 'the schema accepts it; a new externalId',
        check: fieldsMatch({ ...DEFAULTS[kind], ...output }),
      };
    }
    case 'patch': {
      const { kind } = oracle;
      const owned = ownsId(run.world, kind, idChoice, ids.id);
      if (owned === undefined) return undefined;
      if (!owned) return { statuses: [404, 422], why: 'not an id of this tenant' };
      const result = oracle.schema.safeParse(parsed.value);
      if (!result.success) return { statuses: [422], why: 'the schema refuses it' };
      const output = result.data as Record<string, unknown>;
      if (output.document !== undefined)
        return { statuses: [200, 409, 422], why: 'the schema accepts it; the file is read first' };
      if (typeof output.externalId === 'string') {
        const holder = await rowWithExternalId(run, kind, output.externalId).catch(() => undefined);
        if (holder === undefined) return undefined;
        if (holder !== null && holder !== ids.id?.toLowerCase()) {
          return { statuses: [409], why: 'another row has this externalId' };
        }
      }
      return { statuses: [200], why: 'the schema accepts it', check: fieldsMatch(output) };
    }
    case 'batch': {
      const envelope = batchEnvelope.safeParse(parsed.value);
      if (!envelope.success) return { statuses: [422], why: 'the envelope is refused' };
      // An item with a file the schema accepts may still be invalid: its content decides (undefined).
      const verdicts = envelope.data.items.map((item) => {
        const result = oracle.schema.safeParse(item);
        return result.success && (result.data as { document?: unknown }).document !== undefined
          ? undefined
          : result.success;
      });
      return {
        statuses: [200],
        why: 'the envelope is accepted',
        check: (body) => {
          const report = body as { items: { index: number; status: string }[]; invalid: number };
          verdicts.forEach((valid, index) => {
            const status = report.items[index]?.status;
            if (valid !== undefined && (status === 'invalid') === valid) {
              throw new Error(
                `batch item ${index} is ${String(status)}, but the schema ${valid ? 'accepts' : 'refuses'} it`,
              );
            }
          });
        },
      };
    }
    case 'match': {
      const result = matchRequestInput.safeParse(parsed.value);
      if (!result.success) return { statuses: [422], why: 'the schema refuses it' };
      const subject =
        result.data.candidateId !== undefined
          ? run.world.own.ids.candidate.includes(result.data.candidateId.toLowerCase())
          : run.world.own.ids.job.includes((result.data.jobId ?? '').toLowerCase());
      return subject
        ? {
            statuses: [202],
            why: 'the schema accepts it; the subject is the tenant’s',
            check: fieldsMatch({ topK: result.data.topK, filters: result.data.filters }),
          }
        : { statuses: [422], why: 'the subject is not the tenant’s' };
    }
    case 'feedback': {
      const owned = ownsId(run.world, 'matchRequest', idChoice, ids.id);
      if (owned === undefined) return undefined;
      const result = feedbackInput.safeParse(parsed.value);
      if (!owned) return { statuses: [404, 422], why: 'not a match request of this tenant' };
      if (!result.success) return { statuses: [422], why: 'the schema refuses it' };
      const completed = run.world.own.completed;
      const known =
        completed !== undefined &&
        completed.id === ids.id?.toLowerCase() &&
        completed.targetIds.includes(result.data.targetId.toLowerCase());
      return known
        ? { statuses: [200], why: 'a result of a completed request', check: fieldsMatch(result.data) }
        : { statuses: [422], why: 'not a result of this request' };
    }
    case 'client': {
      const result = clientInput.safeParse(parsed.value);
      return result.success
        ? { statuses: [201], why: 'the schema accepts it', check: fieldsMatch(result.data) }
        : { statuses: [422], why: 'the schema refuses it' };
    }
  }
}

/** Methods Node's HTTP parser knows (it refuses others itself, before the app) that an API might lack. */
export const OTHER_METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'PROPFIND',
  'MKCOL',
  'REPORT',
  'PURGE',
  'LINK',
];

/**
 * A method the document does not list for a path it has: a problem+json 405 (or the 401 or 404 of another
 * route the path also matches, like GET /v1/jobs/batch reaching /v1/jobs/{id}), whose Allow header
 * names at least every documented method, and no write.
 */
export async function exerciseOtherMethod(
  run: FuzzRun,
  template: string,
  method: string,
  withKey: boolean,
): Promise<void> {
  const path = template.replace(/\{[^}]+\}/g, () => pick(run.world.own.ids.job, 0));
  const request: RawRequest = {
    method,
    path,
    headers: withKey ? { authorization: `Bearer ${run.world.own.key}` } : {},
  };
  const before = await run.snapshot();
  const response = await send(run.world.stack.baseUrl, request);
  const fail = (what: string): never => {
    throw new PropertyFailure(what, request, response);
  };
  if (![401, 404, 405].includes(response.status)) fail('expected 401, 404 or 405');
  if (response.contentType?.split(';')[0] !== 'application/problem+json') fail('not problem+json');
  if (!problemResponse.safeParse(response.body).success) fail('not a problem document');
  if (response.status === 405) {
    const allowed = new Set(String(response.headers.allow).split(/,\s*/));
    const documented = Object.keys((DOCUMENT.paths?.[template] as object | undefined) ?? {});
    const missing = documented.filter((name) => !allowed.has(name.toUpperCase()));
    if (missing.length > 0) fail(`Allow lacks the documented ${missing.join(', ')}`);
  }
  if (!isDeepStrictEqual(before, await run.snapshot())) fail('a refused request wrote');
}
