import fc from 'fast-check';

import { arbitraryFor, type JsonSchema, type Operation } from './operations.js';
import { garbageBody, mutate } from './mutations.js';
import { anyText, textFor, toJson } from './values.js';
import type { ResourceKind, World } from './world.js';

/** How a path parameter is filled; resolved when the request is sent, since "fresh" writes a row first. */
export type IdChoice =
  | { kind: 'own'; index: number }
  | { kind: 'fresh' }
  | { kind: 'foreign'; index: number }
  | { kind: 'other-kind'; index: number }
  | { kind: 'uppercase'; index: number }
  | { kind: 'random'; uuid: string }
  | { kind: 'literal'; segment: string };

export type AuthChoice =
  | { kind: 'own' }
  | { kind: 'foreign' }
  | { kind: 'admin' }
  | { kind: 'none' }
  | { kind: 'raw'; value: string | string[] };

export type BodyChoice =
  | { kind: 'none' }
  | { kind: 'valid'; value: unknown }
  | { kind: 'mutated'; text: string; mutations: string }
  | { kind: 'raw'; data: string | Buffer };

export interface Plan {
  operation: Operation;
  params: Record<string, IdChoice>;
  /** The query string without "?", exactly as sent. */
  query: string;
  auth: AuthChoice;
  /** Headers besides Authorization; Content-Type among them when there is a body. */
  headers: Record<string, string | string[]>;
  body: BodyChoice;
  /** True when everything but the body (and ids in it) is as a well-behaved client sends it. */
  wellFormed: boolean;
}

/** How odd each part of a request gets, per property. */
export interface Profile {
  body: { valid: number; mutated: number; garbage: number };
  oddHeaders: boolean;
  oddParams: boolean;
  oddQuery: boolean;
}

const RESOURCE_BY_SEGMENT: Record<string, ResourceKind> = {
  jobs: 'job',
  candidates: 'candidate',
  'match-requests': 'matchRequest',
  'match-runs': 'matchRun',
  notifications: 'notification',
  clients: 'client',
  keys: 'apiKey',
};

/** The kind of resource `{param}` names in `template`: the collection segment before it. */
export function resourceOf(template: string, param: string): ResourceKind | undefined {
  const segments = template.split('/');
  const at = segments.indexOf(`{${param}}`);
  return RESOURCE_BY_SEGMENT[segments[at - 1] ?? ''];
}

const UUID = '3f2c1a9e-5b7d-4c1e-9a2b-0c4d5e6f7a8b';

/** Path segments that are not ids: encoded and not, empty-ish, long, traversal, injection. */
const GARBAGE_SEGMENTS = [
  'not-a-uuid',
  '0',
  '-1',
  'null',
  'undefined',
  '%00',
  '%ZZ',
  '%',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  '%20',
  encodeURIComponent(`{${UUID}}`),
  UUID.replaceAll('-', ''),
  `${UUID}x`,
  `${UUID}%00`,
  encodeURIComponent(` ${UUID}`),
  UUID.replace(/./g, (char) => `%${char.charCodeAt(0).toString(16)}`),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  encodeURIComponent('日本語'),
  encodeURIComponent("' OR 1=1 --"),
  '$(id)',
  'a'.repeat(300),
  'a'.repeat(6000),
  '%ED%BF%BF',
  '%ED%A0%80',
  '%C0%AF',
];

function idChoice(method: string, odd: boolean): fc.Arbitrary<IdChoice> {
  // Fixtures are never deleted (DELETE gets a fresh row instead), so later runs still find them.
  const own: fc.WeightedArbitrary<IdChoice>[] =
    method === 'DELETE'
      ? [{ arbitrary: fc.constant({ kind: 'fresh' as const }), weight: 6 }]
      : [
          { arbitrary: fc.record({ kind: fc.constant('own' as const), index: fc.nat() }), weight: 6 },
          { arbitrary: fc.constant({ kind: 'fresh' as const }), weight: 1 },
          { arbitrary: fc.record({ kind: fc.constant('uppercase' as const), index: fc.nat() }), weight: 1 },
        ];
  return fc.oneof(
    ...own,
    { arbitrary: fc.record({ kind: fc.constant('foreign' as const), index: fc.nat() }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('other-kind' as const), index: fc.nat() }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('random' as const), uuid: fc.uuid() }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('literal' as const),
        segment: fc.oneof(
          fc.constantFrom(...GARBAGE_SEGMENTS),
          anyText.map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '')) || 'x'),
        ),
      }),
      weight: odd ? 8 : 1,
    },
  );
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/** Cursors: real ones, tampered real ones, and well-formed-looking ones with odd dates and ids inside. */
function cursorValue(world: World): fc.Arbitrary<string> {
  const real = [...Object.values(world.own.cursors), ...Object.values(world.foreign.cursors)];
  const dates = [
    '1',
    '2020',
    '0',
    'Tue',
    '2020-02-30',
    '2020-13-01',
    '0001-01-01',
    '0000-01-01',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '10000-01-01',
    '2020-01-01T00:00:00Z',
    'December 17, 1995 03:24:00',
    '1995-12-17T03:24:00+99:00',
    '2020-01-01T25:00:00Z',
    'infinity',
    'epoch',
  ];
  const ids = [UUID, '-'.repeat(36), 'a'.repeat(36), '0'.repeat(36), `${UUID.slice(0, 35)}-`];
  const hexish = fc.string({
    unit: fc.constantFrom(...'0123456789abcdef-'.split('')),
    minLength: 36,
    maxLength: 36,
  });
  return fc.oneof(
    { arbitrary: fc.constantFrom(...(real.length > 0 ? real : ['x'])), weight: 2 },
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom(...(real.length > 0 ? real : ['x'])),
          fc.nat(),
          fc.constantFrom('', 'A', '=', '.', '%'),
        )
        .map(
          ([cursor, at, insert]) =>
            cursor.slice(0, at % cursor.length) + insert + cursor.slice((at % cursor.length) + 1),
        ),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.constantFrom(...dates),
            fc.date().map((date) => date.toString()),
          ),
          fc.oneof(fc.constantFrom(...ids), hexish),
        )
        .map(([date, id]) => base64url(JSON.stringify([date, id]))),
      weight: 4,
    },
    {
      arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => base64url(toJson(value, 'null'))),
      weight: 1,
    },
    { arbitrary: fc.string({ maxLength: 600 }), weight: 1 },
    { arbitrary: fc.base64String({ maxLength: 100 }), weight: 1 },
  );
}

const LIMIT_VALUES = [
  '',
  ' ',
  '0',
  '-1',
  '1',
  '100',
  '101',
  '1.5',
  '1e1',
  '1e308',
  '0x10',
  '0b11',
  '+5',
  ' 5 ',
  '05',
  'NaN',
  'Infinity',
  '-Infinity',
  '9'.repeat(400),
  '١٢',
  'true',
  '[]',
];

const ODD_QUERY_NAMES = [
  '__proto__',
  'constructor',
  'limit[]',
  'limit[0]',
  'LIMIT',
  'cursor ',
  '',
  'x',
  'hasOwnProperty',
];

function encodeMaybe(text: string, raw: boolean): string {
  return raw ? text : encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
}

function queryFor(world: World, operation: Operation, odd: boolean): fc.Arbitrary<string> {
  const documented = operation.query.map((parameter) => parameter.name);
  const valueFor = (name: string): fc.Arbitrary<string> =>
    name === 'limit'
      ? fc.oneof(fc.integer({ min: 1, max: 100 }).map(String), fc.constantFrom(...LIMIT_VALUES))
      : name === 'cursor'
        ? cursorValue(world)
        : anyText;
  if (!odd) {
    if (documented.length === 0) return fc.constant('');
    const pairs = documented.map((name) =>
      fc
        .option(
          name === 'limit'
            ? fc.integer({ min: 1, max: 100 }).map(String)
            : name === 'cursor'
              ? fc.constantFrom(
                  ...Object.values(world.own.cursors),
                  ...(Object.keys(world.own.cursors).length ? [] : ['x']),
                )
              : anyText,
        )
        .map((value) => (value === null ? '' : `${name}=${encodeURIComponent(value)}`)),
    );
    return fc.tuple(...pairs).map((parts) => parts.filter(Boolean).join('&'));
  }
  const names = fc.oneof(
    { arbitrary: fc.constantFrom(...(documented.length > 0 ? documented : ['limit'])), weight: 4 },
    { arbitrary: fc.constantFrom(...ODD_QUERY_NAMES), weight: 1 },
  );
  const pair = fc.tuple(names, fc.boolean(), fc.boolean()).chain(([name, rawName, rawValue]) =>
    valueFor(
      name
        .replace(/\[.*\]$/, '')
        .toLowerCase()
        .trim(),
    ).map((value) => `${encodeMaybe(name, rawName)}=${encodeMaybe(value, rawValue)}`),
  );
  return fc.oneof(
    fc.array(pair, { maxLength: 4 }).map((pairs) => pairs.join('&')),
    fc.constantFrom(
      '&&',
      '=',
      '==',
      'limit',
      'limit=',
      'cursor=',
      '%',
      '%ZZ=1',
      'limit=%',
      '%00=1',
      'a=' + 'x'.repeat(6000),
    ),
  );
}

/** Header values node:http will send: tab, printable ASCII and Latin-1 (sent as single bytes). */
const headerText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
    fc.constant('\t'),
  ),
  maxLength: 80,
});

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/json ; foo=bar',
  'application/json, text/plain',
  'application/problem+json',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'application/x-json',
  'text/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=boundary',
  'application/xml',
  'application/jsonx',
  'application/',
  '*/*',
  '',
  ' ',
  ';',
];

function authValues(world: World): string[] {
  const { own, adminToken } = world;
  return [
    `Bearer ${own.key}`,
    `bearer ${own.key}`,
    `BEARER   ${own.key}  `,
    `Bearer ${world.foreign.key}`,
    `Bearer ${adminToken}`,
    `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`,
    `Basic ${Buffer.from(`x:${own.key}`).toString('base64')}`,
    'Bearer',
    'Bearer ',
    `Bearer ${own.key} extra`,
    `Bearer ${own.key.slice(0, -1)}`,
    `Bearer ${own.key}x`,
    `Bearer ${own.key.toUpperCase()}`,
    `Bearer ${own.key.slice(0, 11)}`,
    `Bearer lk_${'a'.repeat(40)}`,
    `Bearer lk_`,
    `Bearer ${'A'.repeat(5000)}`,
    `Token ${own.key}`,
    own.key,
    'Bearer é',
    'Bearer null',
    'Basic !!!',
    'Basic',
    'Digest username="x"',
  ];
}

function authChoice(world: World, operation: Operation, odd: boolean): fc.Arbitrary<AuthChoice> {
  const expected: AuthChoice =
    operation.security === 'admin'
      ? { kind: 'admin' }
      : operation.security === 'apiKey'
        ? { kind: 'own' }
        : { kind: 'none' };
  if (!odd) return fc.constant(expected);
  return fc.oneof(
    { arbitrary: fc.constant(expected), weight: 4 },
    {
      arbitrary: fc.constantFrom<AuthChoice>(
        { kind: 'own' },
        { kind: 'foreign' },
        { kind: 'admin' },
        { kind: 'none' },
      ),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('raw' as const),
        value: fc.oneof(
          fc.constantFrom(...authValues(world)),
          headerText,
          fc
            .tuple(fc.constantFrom(...authValues(world)), fc.constantFrom(...authValues(world)))
            .map((pair) => [...pair]),
        ),
      }),
      weight: 4,
    },
  );
}

const IDEMPOTENCY_KEYS = [
  'fuzz-shared-key',
  '',
  ' ',
  'a'.repeat(255),
  'a'.repeat(256),
  'é',
  'a b',
  'k,k',
  '\t',
];
const REQUEST_IDS = ['req-1', 'a'.repeat(128), 'a'.repeat(129), 'a b', 'é', '', '../etc', 'id;drop', '<x>'];

/** Headers besides Authorization and Content-Type. */
function extraHeaders(operation: Operation, odd: boolean): fc.Arbitrary<Record<string, string | string[]>> {
  const declaresKey = operation.headers.some((header) => header.name === 'idempotency-key');
  const idempotency: fc.Arbitrary<string | string[] | null> = odd
    ? fc.option(
        fc.oneof(
          fc.constantFrom(...IDEMPOTENCY_KEYS),
          headerText,
          fc.uuid(),
          fc.tuple(fc.uuid(), fc.uuid()).map((pair) => [...pair]),
        ),
      )
    : declaresKey
      ? fc.option(fc.uuid())
      : fc.constant(null);
  const requestId: fc.Arbitrary<string | string[] | null> = odd
    ? fc.option(fc.oneof(fc.constantFrom(...REQUEST_IDS), headerText, fc.constant(['a', 'b'] as string[])))
    : fc.option(fc.constantFrom('req-1', 'fuzz.trace:42'));
  const others: fc.Arbitrary<[string, string][]> = odd
    ? fc.subarray(
        [
          ['content-encoding', 'gzip'],
          ['content-encoding', 'br'],
          ['content-encoding', 'identity'],
          ['content-encoding', 'x-unknown'],
          ['accept', 'application/xml'],
          ['accept', 'text/html;q=0.9, */*;q=0.1'],
          ['accept-charset', 'latin1'],
          ['x-http-method-override', 'DELETE'],
          ['x-forwarded-for', '10.0.0.1, 127.0.0.1'],
          ['x-forwarded-proto', 'https'],
          ['origin', 'https://evil.example'],
          ['cookie', 'session=1'],
          ['range', 'bytes=0-1'],
          ['if-none-match', '*'],
          ['transfer-encoding', 'chunked'],
        ] as [string, string][],
        { maxLength: 3 },
      )
    : fc.constant([]);
  return fc.tuple(idempotency, requestId, others).map(([key, id, rest]) => {
    const headers: Record<string, string | string[]> = {};
    if (key !== null) headers['idempotency-key'] = key;
    if (id !== null) headers['x-request-id'] = id;
    for (const [name, value] of rest) headers[name] = value;
    return headers;
  });
}

/** Webhook destinations: public literals, every refused address family, unresolvable names, non-HTTP. */
const WEBHOOK_URLS = [
  'https://93.184.215.14/hooks/fuzz',
  'http://93.184.215.14:8080/a?b=c#d',
  'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook',
  'http://127.0.0.1/',
  'http://localhost:3000/',
  'http://10.0.0.1/',
  'http://169.254.169.254/latest/meta-data',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::127.0.0.1]/',
  'http://0.0.0.0/',
  'http://0x7f.1/',
  'http://2130706433/',
  'http://100.64.0.1/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'https://no-such-host.invalid/hook',
  'https://exämple.invalid/',
  'https://user:pass@93.184.215.14/',
  'https://93.184.215.14:0/',
  'https://93.184.215.14:99999/',
  'ftp://93.184.215.14/',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'data:text/plain,hi',
  'https://',
  'https:93.184.215.14',
  '//93.184.215.14/',
  'not a url',
  `https://93.184.215.14/${'a'.repeat(1990)}`,
  `https://93.184.215.14/${'a'.repeat(2000)}`,
  'https://93.184.215.14/\u0000',
  'https://93.184.215.14/\ud800',
  ' https://93.184.215.14/ ',
];

const secretArb = fc.oneof(
  fc
    .integer({ min: 20, max: 70 })
    .chain((length) => fc.uint8Array({ minLength: length, maxLength: length }))
    .map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`),
  fc.constantFrom(
    'whsec_',
    'whsec_!!!!',
    'secret',
    '',
    'whsec_AAAA=A==',
    `whsec_${'A'.repeat(10_000)}`,
    'WHSEC_x',
  ),
  anyText,
);

function hints(world: World): (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined {
  const ids = (kind: ResourceKind): fc.Arbitrary<string> =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...world.own.ids[kind], UUID), weight: 6 },
      { arbitrary: fc.constantFrom(...world.foreign.ids[kind], UUID), weight: 2 },
      { arbitrary: fc.uuid(), weight: 1 },
      { arbitrary: fc.constantFrom(...world.own.ids.job, ...world.own.ids.candidate), weight: 1 },
    );
  const targets = world.own.completed?.targetIds ?? [];
  return (name, schema) => {
    if (name === 'candidateId') return ids('candidate');
    if (name === 'jobId') return ids('job');
    if (name === 'targetId') {
      return targets.length > 0 ? fc.oneof(fc.constantFrom(...targets), ids('job')) : ids('job');
    }
    if (name === 'url') {
      return fc.oneof(fc.constantFrom(...WEBHOOK_URLS.slice(0, 3)), fc.constantFrom(...WEBHOOK_URLS));
    }
    if (name === 'secret') return secretArb;
    if (name === 'externalId') {
      return fc.oneof(fc.constantFrom('fuzz-1', 'fuzz-2', ' fuzz-1 ', 'cand-a'), textFor(1, 200));
    }
    if (schema.format === 'uuid') return ids('job');
    return undefined;
  };
}

function bodyFor(world: World, operation: Operation, profile: Profile): fc.Arbitrary<BodyChoice> {
  if (!operation.body) {
    // A body where none is expected: mostly none, sometimes JSON or garbage anyway.
    return fc.oneof(
      { arbitrary: fc.constant({ kind: 'none' as const }), weight: 8 },
      {
        arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ kind: 'valid' as const, value })),
        weight: 1,
      },
      { arbitrary: garbageBody.map((data) => ({ kind: 'raw' as const, data })), weight: 1 },
    );
  }
  const valid = arbitraryFor(operation.body, { hint: hints(world), text: textFor, maxArray: 5 });
  const choices: fc.WeightedArbitrary<BodyChoice>[] = [];
  if (profile.body.valid > 0) {
    choices.push({
      arbitrary: valid.map((value) => ({ kind: 'valid' as const, value })),
      weight: profile.body.valid,
    });
  }
  if (profile.body.mutated > 0) {
    choices.push({
      arbitrary: mutate(valid).map(({ text, mutations }) => ({ kind: 'mutated' as const, text, mutations })),
      weight: profile.body.mutated,
    });
  }
  if (profile.body.garbage > 0) {
    choices.push({
      arbitrary: garbageBody.map((data) => ({ kind: 'raw' as const, data })),
      weight: profile.body.garbage,
    });
    choices.push({ arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 });
  }
  return fc.oneof(...choices);
}

function contentTypeFor(body: BodyChoice, odd: boolean): fc.Arbitrary<string | null> {
  if (body.kind === 'none') return odd ? fc.option(fc.constantFrom(...CONTENT_TYPES)) : fc.constant(null);
  if (!odd) return fc.constant('application/json');
  return fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 3 },
    { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 3 },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: headerText, weight: 1 },
  );
}

/** Requests for `operations`, as odd as `profile` says. */
export function plans(world: World, operations: readonly Operation[], profile: Profile): fc.Arbitrary<Plan> {
  return fc.constantFrom(...operations).chain((operation) => {
    const params = fc.record(
      Object.fromEntries(
        operation.pathParams.map((name) => [name, idChoice(operation.method, profile.oddParams)]),
      ),
    );
    return fc
      .tuple(
        params,
        queryFor(world, operation, profile.oddQuery),
        authChoice(world, operation, profile.oddHeaders),
        extraHeaders(operation, profile.oddHeaders),
        bodyFor(world, operation, profile),
      )
      .chain(([chosenParams, query, auth, headers, body]) =>
        contentTypeFor(body, profile.oddHeaders).map((contentType): Plan => {
          const allHeaders = { ...headers };
          if (contentType !== null) allHeaders['content-type'] = contentType;
          const plan: Plan = {
            operation,
            params: chosenParams,
            query,
            auth,
            headers: allHeaders,
            body,
            wellFormed: !profile.oddHeaders && !profile.oddParams && !profile.oddQuery,
          };
          return Object.assign(plan, { [fc.toStringMethod]: () => describePlan(plan) });
        }),
      );
  });
}

const clip = (text: string, length = 300): string =>
  text.length > length ? `${text.slice(0, length)}…(${text.length} chars)` : text;

/** A plan in one line, with long parts clipped: what a failure report prints. */
export function describePlan(plan: Plan): string {
  const body =
    plan.body.kind === 'none'
      ? 'none'
      : plan.body.kind === 'valid'
        ? clip(toJson(plan.body.value, 'undefined'))
        : plan.body.kind === 'mutated'
          ? `${plan.body.mutations} ${clip(JSON.stringify(plan.body.text))}`
          : clip(
              typeof plan.body.data === 'string'
                ? JSON.stringify(plan.body.data)
                : `bytes ${plan.body.data.toString('hex')}`,
            );
  return `${plan.operation.method} ${plan.operation.template} params=${JSON.stringify(plan.params)} query=${clip(
    JSON.stringify(plan.query),
  )} auth=${clip(JSON.stringify(plan.auth))} headers=${clip(JSON.stringify(plan.headers))} body(${plan.body.kind})=${body}`;
}
