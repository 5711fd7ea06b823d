import fc from 'fast-check';

/** JSON.stringify, which TypeScript believes always returns a string; for these it returns undefined. */
export function toJson(value: unknown, fallback = 'null'): string {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol'
    ? fallback
    : JSON.stringify(value);
}

/**
 * Strings and values that have broken JSON APIs before: control characters (NUL above all, which Postgres
 * text and jsonb refuse), lone UTF-16 surrogates (valid in a JS string and in JSON text, not in UTF-8),
 * invisible and direction-changing characters, whitespace a trim() does or does not remove, and text that
 * means something to SQL, HTML, shells or template engines.
 */
export const NASTY_STRINGS: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\udbff\udbff',
  '😀',
  '\ud83d',
  'e\u0301',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\u2028\u2029',
  '\u00a0',
  '\u3000',
  '\t\n\r',
  ' ',
  '\u0085',
  '\u001b[31m',
  '\u007f',
  '\uffff',
  '\ufffd',
  "'; DROP TABLE jobs; --",
  '%s%n%x',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\\u0000',
  '\\',
  '"',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'NaN',
  '-0',
  '1e308',
  'Infinity',
  'true',
  '0x10',
  'ǅ ß İ ı ﬀ',
  'Ω𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '𠜎𠜱𠝹𠱓',
  'مرحبا',
  '日本語のテキスト',
];

const SKILL_WORDS = [
  'Go',
  'golang',
  'k8s',
  'Kubernetes',
  'Node.js',
  'node',
  'PostgreSQL',
  'C++',
  'C#',
  '.NET',
  'BLS',
  'Salesforce',
  'React',
  'AWS',
];

/** One UTF-16 code unit of any value, surrogates included: JSON.stringify escapes the lone ones. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

/** Text in many shapes: words, any Unicode, raw code units, the nasty strings, and combinations. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.lorem({ maxCount: 12 }), weight: 4 },
  { arbitrary: fc.constantFrom(...SKILL_WORDS), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }), weight: 1 },
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.lorem({ maxCount: 3 }), fc.constantFrom(...NASTY_STRINGS), fc.lorem({ maxCount: 3 }))
      .map((parts) => parts.join('')),
    weight: 3,
  },
);

/** Fits `text` into [minLength, maxLength] UTF-16 units, cutting (maybe through a surrogate pair) or padding. */
function fit(text: string, minLength: number, maxLength: number): string {
  const cut = text.slice(0, maxLength);
  return cut.length >= minLength ? cut : cut + 'x'.repeat(minLength - cut.length);
}

/** A string that fills `length` units by repeating `seed`: the size limits, exactly. */
function filled(seed: string, length: number): string {
  const unit = seed.length === 0 ? 'x' : seed;
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/**
 * Strings for a field allowing `minLength`..`maxLength` units. Mostly short; now and then exactly the
 * maximum (100,000 units for a description), or one over it.
 */
export function textFor(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: anyText.map((text) => fit(text, Math.max(minLength, 0), maxLength)), weight: 20 },
    { arbitrary: anyText.map((text) => filled(text, maxLength)), weight: 1 },
    { arbitrary: anyText.map((text) => filled(text, maxLength + 1)), weight: 1 },
  );
}

/** Numbers at the edges of JSON, IEEE 754 and the columns behind the API (numeric(4,1), integer). */
export const EDGE_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  0.05,
  0.1,
  0.15,
  1.5,
  69.95,
  70,
  70.05,
  5e-324,
  Number.EPSILON,
  1e21,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  100_000_000,
  100_000_001,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
];

/** Any JSON value, weighted towards the ones that are the wrong type in a surprising way. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { $ne: null }, ['a', 1]),
    weight: 3,
  },
  { arbitrary: fc.constantFrom(...EDGE_NUMBERS), weight: 3 },
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
);

/** Keys a body should never have, some of which change a plain object's prototype when assigned. */
export const ODD_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  'titel',
  'id',
  'clientId',
  'client_id',
  'revision',
  'createdAt',
  'features',
  '\u0000',
  '$where',
  'items[0]',
  'a.b',
];
