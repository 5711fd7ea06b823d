import fc from 'fast-check';

import { EDGE_NUMBERS, NASTY_STRINGS, ODD_KEYS, toJson, weirdValue } from './values.js';

type Json = unknown;

/**
 * Value mutations stay under 2 MB: big enough for every field limit, small enough for thousands of runs.
 * Bodies over the API's 10 MB limit come from the rare "oversize" text mutation instead.
 */
const MAX_BODY_CHARS = 2 * 1024 * 1024;
const OVER_BODY_LIMIT = 10 * 1024 * 1024 + 1024;
type Container = Record<string, Json> | Json[];

interface Slot {
  parent: Container;
  key: string | number;
}

/** Every place in `value` a mutation can hit, in a stable order (so a counterexample replays). */
function slotsOf(value: Json): Slot[] {
  const slots: Slot[] = [];
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        slots.push({ parent: node, key: index });
        visit(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, Json>, key });
        visit(child);
      }
    }
  };
  visit(value);
  return slots;
}

function containersOf(value: Json): Container[] {
  const found: Container[] = [];
  const visit = (node: Json): void => {
    if (typeof node !== 'object' || node === null) return;
    found.push(node as Container);
    for (const child of Object.values(node)) visit(child);
  };
  visit(value);
  return found;
}

/** Sets a property the way JSON.parse would, so "__proto__" becomes a key and not the prototype. */
function define(parent: Container, key: string | number, value: Json): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

const nest = (value: Json, depth: number, asArray: boolean): Json => {
  let node = value;
  for (let level = 0; level < depth; level += 1) node = asArray ? [node] : { a: node };
  return node;
};

type ValueMutation =
  | { kind: 'drop'; at: number }
  | { kind: 'add'; at: number; key: string; value: Json }
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'huge'; at: number; seed: string; length: number }
  | { kind: 'repeat'; at: number; count: number }
  | { kind: 'nest'; at: number; depth: number; asArray: boolean };

const valueMutation: fc.Arbitrary<ValueMutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 10 })),
    value: weirdValue,
  }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: weirdValue }),
  fc.record({
    kind: fc.constant('huge' as const),
    at: fc.nat(),
    seed: fc.constantFrom('x', 'ab ', '😀', '\u0000', '\ud800', 'é', ' '),
    length: fc.oneof(
      { arbitrary: fc.constantFrom(201, 301, 2001), weight: 4 },
      { arbitrary: fc.constantFrom(100_001, 200_001), weight: 2 },
      { arbitrary: fc.constant(1_000_000), weight: 1 },
    ),
  }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    count: fc.constantFrom(2, 201, 1001, 5000),
  }),
  fc.record({
    kind: fc.constant('nest' as const),
    at: fc.nat(),
    depth: fc.integer({ min: 1, max: 60 }),
    asArray: fc.boolean(),
  }),
);

/** Applies one mutation to a copy of `value`; the root itself is a slot too (index 0). */
function applyValueMutation(value: Json, mutation: ValueMutation): Json {
  const root: Json[] = [structuredClone(value)];
  const slots = slotsOf(root);
  const slot = slots[mutation.at % slots.length] ?? { parent: root, key: 0 };
  const current = (slot.parent as Record<string | number, Json>)[slot.key];
  switch (mutation.kind) {
    case 'drop':
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
      else Reflect.deleteProperty(slot.parent, slot.key);
      break;
    case 'add': {
      const containers = containersOf(root[0]).filter((node) => !Array.isArray(node));
      const target = containers[mutation.at % Math.max(containers.length, 1)];
      if (target) define(target, mutation.key, mutation.value);
      else define(slot.parent, slot.key, mutation.value);
      break;
    }
    case 'replace':
      define(slot.parent, slot.key, mutation.value);
      break;
    case 'huge':
      define(slot.parent, slot.key, mutation.seed.repeat(Math.ceil(mutation.length / mutation.seed.length)));
      break;
    case 'repeat': {
      // A big array of a big value would be gigabytes: keep every body near the 10 MB limit at most.
      const size = toJson(current, '').length + 1;
      const count = Math.max(1, Math.min(mutation.count, Math.floor(MAX_BODY_CHARS / size)));
      define(
        slot.parent,
        slot.key,
        // Copies, not one shared object: a later mutation of one copy must not grow them all.
        Array.from({ length: count }, () => structuredClone(current)),
      );
      break;
    }
    case 'nest':
      define(slot.parent, slot.key, nest(current, mutation.depth, mutation.asArray));
      break;
  }
  return root[0];
}

type TextMutation =
  | { kind: 'none' }
  | { kind: 'duplicate-key'; key: string; value: Json }
  | { kind: 'raw-number'; literal: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'wrap'; prefix: string; suffix: string }
  | { kind: 'deep'; depth: number; open: string; close: string }
  | { kind: 'single-quotes' }
  | { kind: 'oversize' };

// Weighted so about one body in a hundred is sent over the limit (10 MB each).
const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 60 },
  {
    arbitrary: fc.record({
      kind: fc.constant('duplicate-key' as const),
      key: fc.constantFrom(
        'externalId',
        'title',
        'items',
        'url',
        'topK',
        'candidateId',
        'outcome',
        'name',
        '__proto__',
      ),
      value: weirdValue,
    }),
    weight: 20,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('raw-number' as const),
      literal: fc.constantFrom(
        '1e999',
        '-1e999',
        '-0',
        '1E400',
        '0.1e-400',
        '123456789012345678901234567890',
        '1.0',
        '5.0e0',
        '01',
        '.5',
        '-',
        'NaN',
        'Infinity',
        '0x10',
        '1_000',
      ),
    }),
    weight: 20,
  },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 10 },
  {
    arbitrary: fc.record({
      kind: fc.constant('wrap' as const),
      prefix: fc.constantFrom('', '\ufeff', ' \n\t', '\u0000', '[', '{"a":', ")]}'\n", '/* c */'),
      suffix: fc.constantFrom('', ' \n', ',', '}', ']', '\u0000', 'garbage', '{}', '// c'),
    }),
    weight: 10,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      depth: fc.constantFrom(33, 100, 1000, 100_000),
      open: fc.constantFrom('[', '{"a":'),
      close: fc.constant(''),
    }),
    weight: 10,
  },
  { arbitrary: fc.constant({ kind: 'single-quotes' as const }), weight: 10 },
  { arbitrary: fc.constant({ kind: 'oversize' as const }), weight: 1 },
);

function applyTextMutation(text: string, mutation: TextMutation): string {
  switch (mutation.kind) {
    case 'none':
      return text;
    case 'duplicate-key':
      return text.startsWith('{') && text !== '{}'
        ? `{${JSON.stringify(mutation.key)}:${JSON.stringify(mutation.value)},${text.slice(1)}`
        : text;
    case 'raw-number': {
      const replaced = text.replace(/(?<=[:[,])-?\d+(\.\d+)?([eE][+-]?\d+)?(?=[,}\]])/, mutation.literal);
      return replaced === text ? text.replace(/(?<=:)"[^"]*"/, mutation.literal) : replaced;
    }
    case 'truncate':
      return text.slice(0, mutation.at % Math.max(text.length, 1));
    case 'wrap':
      return mutation.prefix + text + mutation.suffix;
    case 'deep': {
      const close = mutation.open === '[' ? ']' : '}';
      return mutation.open.repeat(mutation.depth) + text + close.repeat(mutation.depth);
    }
    case 'single-quotes':
      return text.replaceAll('"', "'");
    case 'oversize':
      // Valid JSON, padded with whitespace past the body limit: refused by its Content-Length alone.
      return text + ' '.repeat(Math.max(0, OVER_BODY_LIMIT - text.length));
  }
}

export interface MutatedBody {
  text: string;
  mutations: string;
}

/**
 * Mutations of valid bodies: one to three changes to the value (a field dropped, added with an odd key,
 * retyped, made huge, repeated into a big array, nested), then maybe one to the JSON text itself (a
 * duplicated key, a number JSON.stringify never writes, truncation, a wrapper, deep nesting, single quotes).
 */
export function mutate(valid: fc.Arbitrary<Json>): fc.Arbitrary<MutatedBody> {
  return fc
    .tuple(valid, fc.array(valueMutation, { minLength: 1, maxLength: 3 }), textMutation)
    .map(([value, valueMutations, text]) => {
      const mutated = valueMutations.reduce<Json>(applyValueMutation, value);
      return {
        text: applyTextMutation(toJson(mutated, 'null'), text),
        mutations: JSON.stringify([...valueMutations.map(describe), describe(text)]),
      };
    });
}

/** The mutation, without its (possibly huge) payload, for the failure message. */
function describe(mutation: ValueMutation | TextMutation): string {
  const { kind } = mutation;
  if ('at' in mutation) return `${kind}@${mutation.at}`;
  if (kind === 'raw-number') return `raw-number ${mutation.literal}`;
  if (kind === 'deep') return `deep ${mutation.depth}`;
  return kind;
}

const JSON_SCALARS = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '"text"',
  '""',
  '[]',
  '{}',
  '[{}]',
  '[null]',
  '1e999',
];

const INVALID_JSON = [
  '{',
  '}',
  '{"a":}',
  "{'a':1}",
  '{a:1}',
  '{"a":1,}',
  '[1,]',
  '{"a":NaN}',
  '{"a":undefined}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"line\nbreak"}',
  '{"a":1}{"b":2}',
  '// comment\n{}',
  '\u0000',
  'a=1&b=2',
  '<?xml version="1.0"?><job/>',
  '--boundary\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--boundary--',
];

/** Bodies that are not a JSON object at all: scalars, broken JSON, other formats, random bytes, nothing. */
export const garbageBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constant(''),
  fc.constantFrom(...JSON_SCALARS),
  fc.constantFrom(...INVALID_JSON),
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.nat()).map(([value, at]) => {
    // Valid JSON whose UTF-8 has one byte broken (an overlong lead byte or a stray continuation byte).
    const bytes = Buffer.from(toJson(value, 'null'));
    bytes[at % bytes.length] = [0xff, 0xc0, 0x80, 0xed][at % 4] ?? 0xff;
    return bytes;
  }),
  fc.constantFrom(...EDGE_NUMBERS).map(String),
);
