import winkNLP, { type ItsFunction, type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

import { skillVocabulary, type SkillVocabulary } from './vocabulary.js';

export interface TextAnalysis {
  /** Content-word lemmas (no stop words, punctuation or numbers), lowercased, in text order. */
  lemmas: string[];
  /** Canonical ids of the vocabulary skills the text mentions. */
  skills: string[];
  /** Every mention, with the words as written and the sentence around them (for negation and context). */
  mentions: SkillMention[];
}

export interface SkillMention {
  skill: string;
  text: string;
  sentence: string;
}

// ---------------------------------------------------------------------------------------------------------
// Text that names no skill

const URL_START = /(?:https?|ftp):\/\/|www\./i;
/** Dot-joined words ending in a common top-level domain, written in lower case as domains are. */
const BARE_DOMAIN =
  /^(?:[A-Za-z0-9-]+\.)+(?:com|org|net|io|dev|app|ai|co|edu|gov|info|biz|me|us|uk|in|de|fr|eu|ca|au|nl|ch|se|jp|cn|ru|br|xyz)$/;
/** A host name is at most 253 characters: a longer dotted word is not one, and is not worth a regex. */
const MAX_HOST = 253;
const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9.-]/;
/** Punctuation around a word that is not part of a domain: "(jdoe.github.io)," → "jdoe.github.io". */
const OPENING = /^[("'<[{]+/;
const COMPANY_LINE =
  /^[ \t]*(?:[-*•·▪][ \t]*)?(?:company|employer|organi[sz]ation|client|firm)(?:[ \t]+name)?[ \t]*(?::|-|–|—)/gim;
const WORKED_AT =
  /\b(?:work(?:ed|ing|s)?|employed|interned)[ \t]+(?:at|for|by)[ \t]+((?:[A-Z][\w&.'-]*[ \t]*){1,6})/g;

/**
 * A white-space separated word holding ":", "." or "@", one of which every URL, domain and e-mail address
 * holds: the other words, most of a text, are passed over without a look.
 */
const ADDRESS_LIKE_WORD = /(?<!\S)[^\s.:@]*[.:@]\S*/g;

type Range = [start: number, end: number];

function emailRanges(token: string, offset: number, ranges: Range[]): void {
  let from = 0;
  for (let at = token.indexOf('@'); at !== -1; at = token.indexOf('@', from)) {
    let start = at;
    while (start > from && EMAIL_LOCAL.test(token[start - 1] ?? '')) start -= 1;
    let end = at + 1;
    while (end < token.length && EMAIL_DOMAIN.test(token[end] ?? '')) end += 1;
    const domain = token.slice(at + 1, end);
    if (start < at && /[A-Za-z0-9-]\.[A-Za-z]/.test(domain)) ranges.push([offset + start, offset + end]);
    from = end > at + 1 ? end : at + 1;
  }
}

function urlOrDomainRange(
  token: string,
  offset: number,
  isSkillName: (key: string) => boolean,
): Range | null {
  const url = URL_START.exec(token);
  if (url !== null) return [offset + url.index, offset + token.length];
  const lead = OPENING.exec(token)?.[0].length ?? 0;
  let hostEnd = lead;
  while (
    hostEnd < token.length &&
    hostEnd - lead <= MAX_HOST &&
    !'/?#:),;!"\'>]}'.includes(token[hostEnd] ?? '')
  ) {
    hostEnd += 1;
  }
  const host = token.slice(lead, hostEnd).replace(/\.$/, '');
  if (host.length > MAX_HOST || !BARE_DOMAIN.test(host) || isSkillName(host.toLowerCase())) return null;
  return [offset + lead, offset + token.length];
}

/**
 * The text with what names no skill, even when it contains a skill's name, blanked out: each character
 * replaced by a space, so lines, sentences and positions stay where they were. The one place the rule
 * lives:
 * - URLs: from "http://", "https://", "ftp://" or "www." to the next white space;
 * - e-mail addresses: "java.dev@oracle.com";
 * - bare domains: dot-joined words ending in a common top-level domain in lower case ("jdoe.github.io",
 *   "angular-blog.com/posts"), unless the whole is a skill's name or alias ("asp.net");
 * - company names: the rest of a line that starts with a company label ("company - Tata Consultancy
 *   Services", "Company: …", "Employer: …", "Organisation: …", "Client: …", "Firm: …"), and up to six
 *   capitalised words after "worked at / for", "working at / for", "employed at / by", "interned at"
 *   ("worked at Oracle as a Python developer" keeps Python, not Oracle).
 * Every pattern runs in time linear in the text: words are found by a scan for white space, and no
 * pattern has two unbounded quantifiers that can trade the same characters.
 */
export function maskNonSkillText(
  text: string,
  isSkillName: (key: string) => boolean = (key) => skillVocabulary.byAlias.has(key),
): string {
  const ranges: Range[] = [];
  for (const match of text.matchAll(ADDRESS_LIKE_WORD)) {
    const token = match[0];
    const range = urlOrDomainRange(token, match.index, isSkillName);
    if (range !== null) ranges.push(range);
    else if (token.includes('@')) emailRanges(token, match.index, ranges);
  }
  for (const match of text.matchAll(COMPANY_LINE)) {
    const start = match.index + match[0].length;
    const newline = text.indexOf('\n', start);
    ranges.push([start, newline === -1 ? text.length : newline]);
  }
  for (const match of text.matchAll(WORKED_AT)) {
    const name = match[1] ?? '';
    const end = match.index + match[0].length;
    ranges.push([end - name.length, end]);
  }
  if (ranges.length === 0) return text;

  ranges.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let position = 0;
  for (const [start, end] of ranges) {
    if (end <= position) continue;
    const from = Math.max(start, position);
    parts.push(text.slice(position, from), ' '.repeat(end - from));
    position = end;
  }
  parts.push(text.slice(position));
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------------
// What wink can read in time linear in the text

/** The characters wink's tokenizer separates words at, and only these. */
const WINK_BLANK = ' \\u00a0\\u2002-\\u2005\\u2009\\u200a\\u202f\\u205f';
const WINK_SEPARATOR = `${WINK_BLANK}\\n\\r\\t`;

/**
 * Longer words are cut before wink reads them: wink's tokenizer takes time growing with the square of a
 * word's length (its e-mail pattern scans the rest of the word from every character). Longer than any
 * word, name or run of words glued together in the reference resumes and postings.
 */
export const MAX_WORD_CHARS = 128;

/**
 * A run of white space keeps this many line breaks at most: wink's skill matching steps over each lone line
 * break from every token before it in the run, which grows with the square of the run. Far more than
 * any blank stretch of a real document.
 */
export const MAX_LINE_BREAKS = 64;

const LONG_WORD = new RegExp(`(?<![^${WINK_SEPARATOR}])[^${WINK_SEPARATOR}]{${MAX_WORD_CHARS + 1},}`, 'g');
/** A run of white space with more line breaks than it may keep. */
const MANY_LINE_BREAKS = new RegExp(
  `(?<![${WINK_SEPARATOR}])(?:[${WINK_BLANK}\\r\\t]*\\n){${MAX_LINE_BREAKS + 1}}[${WINK_SEPARATOR}]*`,
  'g',
);
const LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;

/** The word in pieces of at most MAX_WORD_CHARS, cut after a punctuation mark when one is near the end. */
function piecesOf(word: string): string[] {
  const pieces: string[] = [];
  let from = 0;
  while (word.length - from > MAX_WORD_CHARS) {
    let cut = from + MAX_WORD_CHARS;
    // A cut after punctuation keeps names whole: "…,Kubernetes,Docker,…" loses none of them.
    for (let at = cut - 1; at > from + MAX_WORD_CHARS / 2; at -= 1) {
      if (!LETTER_OR_DIGIT.test(word[at] ?? '')) {
        cut = at + 1;
        break;
      }
    }
    // Never between the two halves of a character outside the basic plane.
    const code = word.charCodeAt(cut);
    if (code >= 0xdc00 && code <= 0xdfff) cut -= 1;
    pieces.push(word.slice(from, cut));
    from = cut;
  }
  pieces.push(word.slice(from));
  return pieces;
}

/** wink's separators by character code (all lie below U+2060), for a scan without a pattern. */
const IS_WINK_SEPARATOR = ((): Uint8Array => {
  const separator = new RegExp(`[${WINK_SEPARATOR}]`);
  const table = new Uint8Array(0x2060);
  for (let code = 0; code < table.length; code += 1) {
    table[code] = separator.test(String.fromCharCode(code)) ? 1 : 0;
  }
  return table;
})();

/** Whether wink would read a word or a run of line breaks beyond the limits; most texts have neither. */
function exceedsWinkLimits(text: string): boolean {
  let wordChars = 0;
  let lineBreaks = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < IS_WINK_SEPARATOR.length && IS_WINK_SEPARATOR[code] === 1) {
      wordChars = 0;
      if (code === 10 && ++lineBreaks > MAX_LINE_BREAKS) return true;
    } else {
      lineBreaks = 0;
      if (++wordChars > MAX_WORD_CHARS) return true;
    }
  }
  return false;
}

/**
 * The text as wink reads it in time linear in its length: a word longer than {@link MAX_WORD_CHARS} is cut
 * into pieces with spaces between them, and a run of white space keeps its first {@link MAX_LINE_BREAKS}
 * line breaks. Ordinary text has neither and comes back unchanged.
 */
export function withinWinkLimits(text: string): string {
  if (!exceedsWinkLimits(text)) return text;
  return text
    .replace(LONG_WORD, (word) => piecesOf(word).join(' '))
    .replace(MANY_LINE_BREAKS, (run) => {
      let end = 0;
      for (let kept = 0; kept < MAX_LINE_BREAKS; kept += 1) end = run.indexOf('\n', end) + 1;
      return run.slice(0, end);
    });
}

// ---------------------------------------------------------------------------------------------------------

/**
 * One wink instance per process: loading the model and compiling the skill patterns takes ~100 ms, far too
 * slow to repeat per document.
 */
export class TextAnalyzer {
  private readonly nlp: WinkMethods;
  private readonly isSkillName: (key: string) => boolean;

  constructor(vocabulary: SkillVocabulary = skillVocabulary) {
    // Sentences, parts of speech (for lemmas) and the skill patterns are all that is read of a document:
    // wink's named entities, negation and sentiment would add much to the reading for nothing.
    this.nlp = winkNLP(model, ['sbd', 'pos', 'cer']);
    this.isSkillName = (key) => vocabulary.byAlias.has(key);
    // Ambiguous forms ("go", "spring") are left out: in running text they are mostly ordinary words.
    this.nlp.learnCustomEntities(
      vocabulary.entries.map((entry) => ({
        name: entry.id,
        patterns: [entry.name.toLowerCase(), ...entry.aliases].filter(
          (pattern) => !entry.ambiguousAliases?.includes(pattern),
        ),
      })),
      { matchValue: false, usePOS: false, useEntity: false },
    );
  }

  /**
   * Reads the text with URLs, e-mail addresses and company names blanked out ({@link maskNonSkillText}),
   * within what wink reads in linear time ({@link withinWinkLimits}).
   */
  analyze(text: string): TextAnalysis {
    /* eslint-disable @typescript-eslint/unbound-method -- wink's its.* are plain functions typed as methods */
    const its = this.nlp.its;
    const doc = this.nlp.readDoc(withinWinkLimits(maskNonSkillText(text, this.isSkillName)));
    const mentions: SkillMention[] = [];
    const entities = doc.customEntities();
    // Sentences are read out once: copying the sentence per mention costs mentions × sentence length,
    // which a one-sentence skills list of 100 KB turns into a minute of CPU.
    const sentences = entities.length() === 0 ? [] : doc.sentences().out();
    for (let index = 0; index < entities.length(); index += 1) {
      const entity = entities.itemAt(index);
      mentions.push({
        skill: entity.out(its.type),
        text: entity.out(),
        sentence: sentences[entity.parentSentence().index()] ?? '',
      });
    }
    const skills = new Set(mentions.map((mention) => mention.skill));
    const tokens = doc.tokens();
    const types = tokens.out(its.type);
    const stopWords = tokens.out(its.stopWordFlag) as unknown as boolean[];
    // wink's typings declare its.lemma with a signature that out() does not accept; at run time it is fine.
    const rawLemmas = tokens.out(its.lemma as unknown as ItsFunction<string>) as (string | undefined)[];
    // The lemmatiser has no answer for a few rare tokens; their normal form stands in.
    const normals = rawLemmas.includes(undefined) ? tokens.out(its.normal) : [];
    const lemmas: string[] = [];
    for (let index = 0; index < rawLemmas.length; index += 1) {
      if (types[index] !== 'word' || stopWords[index] === true) continue;
      const lemma = (rawLemmas[index] ?? normals[index] ?? '').toLowerCase();
      if (lemma.length > 1) lemmas.push(lemma);
    }
    /* eslint-enable @typescript-eslint/unbound-method */
    return { lemmas, skills: [...skills], mentions };
  }
}

let shared: TextAnalyzer | undefined;

export function sharedAnalyzer(): TextAnalyzer {
  shared ??= new TextAnalyzer();
  return shared;
}
