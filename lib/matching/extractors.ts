/**
 * Pure text extractors for job postings and resumes. No dependencies and no clock: anything that needs
 * "now" takes it as a parameter, so features computed from stored text are reproducible and testable.
 *
 * Everything here is heuristic and tuned to fail quietly: when a rule is unsure it returns null (or the
 * neutral answer) rather than a guess, because a missing feature costs a scorer less than a wrong one.
 */

// ---------------------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------------------

export interface Section {
  heading: string | null;
  body: string;
}

/** Words that may stay lowercase inside a Title Case heading ("Skills and Experience", "Head of Data"). */
const MINOR_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'by',
  'for',
  'from',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'we',
  'what',
  'with',
  'you',
  'your',
  "you'll",
  'you’ll',
]);

/**
 * A Title Case line is only a heading when it names a section: resumes are full of Title Case lines that
 * are content ("BSc Physics", "Staff Engineer at Globex", a person's name).
 */
const SECTION_WORDS = new Set([
  'about',
  'achievements',
  'apply',
  'awards',
  'background',
  'benefits',
  'bonus',
  'bring',
  'candidate',
  'certifications',
  'company',
  'compensation',
  'competencies',
  'contact',
  'culture',
  'description',
  'duties',
  'education',
  'employment',
  'experience',
  'expertise',
  'have',
  'haves',
  'history',
  'ideal',
  'interests',
  'languages',
  'looking',
  'mission',
  'must',
  'need',
  'nice',
  'objective',
  'offer',
  'overview',
  'perks',
  'plus',
  'position',
  'preferred',
  'process',
  'profile',
  'projects',
  'publications',
  'qualifications',
  'references',
  'requirements',
  'responsibilities',
  'role',
  'salary',
  'skills',
  'stack',
  'summary',
  'tasks',
  'team',
  'technologies',
  'tools',
  'values',
]);

const MAX_HEADING_CHARS = 60;
const MAX_HEADING_WORDS = 8;
const BULLET = /^\s*(?:[-*•·▪◦‣]|\d+[.)])\s+/;

/** Returns the heading text when the line is heading-like, otherwise null. */
function headingOf(rawLine: string): string | null {
  const line = rawLine.trim();
  if (line === '' || line.length > MAX_HEADING_CHARS + 10) return null;

  const markdown = /^#{1,6}\s+(.+?)\s*#*$/.exec(line);
  if (markdown?.[1] !== undefined) return markdown[1].replace(/:$/, '').trim();

  const bold = /^(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?$/.exec(line);
  if (bold?.[1] !== undefined) return bold[1].replace(/:$/, '').trim();

  // A bullet item is list content even when it is short and ends with ':' ("- Tools we use:").
  if (BULLET.test(line)) return null;
  if (line.length > MAX_HEADING_CHARS) return null;
  const words = line.replace(/:$/, '').split(/\s+/);
  if (words.length > MAX_HEADING_WORDS) return null;

  if (line.endsWith(':')) return line.slice(0, -1).trim() || null;

  // Casing rules only: sentence punctuation, a list comma or digits mean prose, a skills list, a date line
  // or a job entry ("Acme GmbH 2016 – 2019"), which belong in a body.
  if (/[.!?]$/.test(line) || /[,;\d]/.test(line)) return null;
  const letters = line.replace(/[^A-Za-z]/g, '');
  // Four letters minimum keeps a lone "AWS" or "SQL" in a skills list from opening a section.
  if (letters === letters.toUpperCase()) return letters.length >= 4 ? line : null;
  const namesSection = words.some((word) => SECTION_WORDS.has(word.toLowerCase().replace(/[^a-z]/g, '')));
  if (!namesSection) return null;
  const titleCase = words.every((word, index) => {
    const bare = word.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '');
    if (bare === '') return true; // "&", "/", "-"
    if (index > 0 && MINOR_WORDS.has(bare.toLowerCase())) return true;
    return /^[A-Z]/.test(bare);
  });
  return titleCase && /[A-Za-z]/.test(line) ? line : null;
}

/**
 * Splits a posting or resume into sections at heading-like lines, in text order.
 *
 * A line is a heading when it stands alone and is one of:
 * - a markdown heading (`## Requirements`) or a bold-only line (`**Requirements**`, `__Benefits__:`);
 * - short (≤ 8 words, ≤ 60 chars), not a bullet, and ends with ':' (`What you'll do:`);
 * - short, with no digits, commas or sentence punctuation, and either UPPERCASE (≥ 4 letters, so a lone
 *   "AWS" is not a heading) or Title Case with a section word ("Work Experience", "What We Offer", "Tech
 *   Stack"; minor words like "and", "of", "with" may stay lowercase). The section word is a deliberate
 *   narrowing: without it every job title, degree and name line in a resume would open a section.
 *
 * Text before the first heading becomes a section with heading null (omitted when blank). Heading markers
 * and a trailing ':' are removed; bodies are trimmed and may be empty when two headings follow each other.
 */
export function splitSections(text: string): Section[] {
  const sections: Section[] = [];
  let heading: string | null = null;
  let lines: string[] = [];
  const flush = (): void => {
    const body = lines.join('\n').trim();
    if (heading !== null || body !== '') sections.push({ heading, body });
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const found = headingOf(line);
    if (found === null) {
      lines.push(line);
      continue;
    }
    flush();
    heading = found;
    lines = [];
  }
  flush();
  return sections;
}

// ---------------------------------------------------------------------------------------------------------
// Requirement level
// ---------------------------------------------------------------------------------------------------------

const PREFERRED_MARKERS =
  /\b(?:nice[- ]to[- ]haves?|good[- ]to[- ]haves?|preferred|preferably|preferable|(?:a|big|huge|definite|real) plus|bonus|desirable|desired|ideally|would be (?:great|nice|a plus|helpful|an advantage)|an advantage|advantageous|optional)\b/;

/**
 * 'preferred' when the section heading or the sentence marks a nice-to-have, else 'required'.
 *
 * Markers: "nice to have", "good to have", "preferred"/"preferably", "a plus" (also "is a plus", "big
 * plus"), "bonus", "desirable", "ideally", "would be great/nice", "an advantage", "optional". Either the
 * heading or the sentence is enough: a "Requirements" section can still contain "Kafka is a plus".
 * The sentence is judged as a whole; callers that need per-skill levels in "Go is a must, Rust a plus"
 * must split it first.
 */
export function requirementLevel(heading: string | null, sentence: string): 'required' | 'preferred' {
  return (heading !== null && headingMarked(heading)) || sentenceMarked(sentence) ? 'preferred' : 'required';
}

/**
 * `read` with the answer for the text asked about last kept: every mention of a sentence asks about the
 * same sentence (and section heading) in turn, and reading it again per mention made extraction quadratic
 * in the mentions a long sentence holds.
 */
function rememberingLast<Answer>(read: (text: string) => Answer): (text: string) => Answer {
  let lastText: string | undefined;
  let lastAnswer: Answer | undefined;
  return (text) => {
    if (lastText !== text || lastAnswer === undefined) lastAnswer = read(text);
    // The same string object next time makes the comparison above immediate.
    lastText = text;
    return lastAnswer;
  };
}

const markedPreferred = (text: string): boolean => PREFERRED_MARKERS.test(text.toLowerCase());
const headingMarked = rememberingLast(markedPreferred);
const sentenceMarked = rememberingLast(markedPreferred);

// ---------------------------------------------------------------------------------------------------------
// Negation
// ---------------------------------------------------------------------------------------------------------

/**
 * Clause boundaries for negation scope. Colons, parentheses and dashes are not boundaries, so
 * "Docker (not required)" and "Java - not needed" stay one clause. "or"/"nor" are not boundaries either:
 * negation distributes over them ("no Java or Go" negates both).
 */
const CLAUSE_BOUNDARY = /[,;!?\n]|\.(?=\s|$)|\b(?:and|but|while|whereas|although|though|however|yet|plus)\b/g;

/** Negators that scope forward over the rest of the clause. */
const PRE_NEGATOR = /\b(?:no|not|never|without|none|neither|nor|cannot|lack|lacks|lacking|\w+n't)\b/g;

/**
 * Negator uses that emphasise or quantify rather than deny ("not only Java", "no less than 3 years"), read
 * from the end of the negator.
 */
const NOT_A_NEGATION = /\s*(?:only|just|merely|limited to|least|matter|doubt|less|more than|later than)\b/y;

/**
 * Post-mention predicates that deny a requirement: "Java is not required", "Java isn't really needed" —
 * not, never or any "n't", then the requirement word, at most one word after the negator. The negator is
 * found word by word ({@link NegationReading}); these read on from its end.
 */
const DENIED_REQUIREMENT =
  '(?:required|needed|necessary|mandatory|essential|expected|a must|a requirement|a prerequisite|used|important|relevant)\\b';
const DENIAL_NEXT_WORD = new RegExp(`\\s+${DENIED_REQUIREMENT}`, 'y');
const DENIAL_SECOND_WORD = new RegExp(`\\s+\\w+\\s+${DENIED_REQUIREMENT}`, 'y');

/** Every negator and denial above contains one of these: a sentence without any has no negated mention. */
const NEGATION_CUE = /\b(?:no|not|never|without|none|neither|nor|cannot|lack|lacks|lacking)\b|n't\b/;

/** Negators further away than this are about something else in a long, comma-less clause. */
const MAX_NEGATOR_DISTANCE_WORDS = 8;

const WORD_CHAR = /\w/;
const NAME_CHAR = /[a-z0-9]/;
/** What may not follow a mention: "java" is not the mention in "javascript", nor "c" in "c++" or "c#". */
const AFTER_NAME = /[a-z0-9+#]/;

/** Index of the last element ≤ value in an ascending array, or -1. */
function lastAtMost(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Infinity) <= value) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** Index of the first element ≥ value in an ascending array, or its length. */
function firstAtLeast(sorted: readonly number[], value: number): number {
  return lastAtMost(sorted, value - 1) + 1;
}

/** The negators of a text in text order, with what follows each. */
interface Negators {
  starts: number[];
  ends: number[];
  /** Where an emphasis word right after the negator ends, -1 when none does. */
  emphasisEnds: number[];
  /** The latest negator up to this one that no emphasis word follows, -1 when none. */
  plain: number[];
}

/** The white-space separated pieces of a text. */
interface Pieces {
  starts: number[];
  ends: number[];
  /** Pieces with a letter or digit among those before this one. */
  namedBefore: number[];
  /** Whether text[start, end) holds a letter or digit. */
  holdsName: (start: number, end: number) => boolean;
}

/** The runs of word characters of a text, and the denials that start one. */
interface Words {
  starts: number[];
  ends: number[];
  denialStarts: number[];
  /** The earliest end of a denial that starts at or after this denial. */
  earliestEndFrom: number[];
}

/**
 * One lowercased sentence read once for every mention asked about: its clause boundaries, negators and
 * denials are each found in one pass, and every mention is answered by binary search. Rescanning the
 * clause per mention and per negator made a sentence that repeats "no k8s" take time growing with a high
 * power of its length.
 *
 * Each answer equals reading the mention's clause as its own text, as the rule is stated in
 * {@link isNegated}: a negator or denial found in the whole sentence lies inside one clause (none contains
 * a boundary), and one that crosses into the mention cannot count.
 */
class NegationReading {
  private readonly answers = new Map<string, boolean>();
  private readonly boundaryStarts: number[] = [];
  private readonly boundaryEnds: number[] = [];
  private negators?: Negators;
  private pieces?: Pieces;
  private words?: Words;
  private readonly denialEnds = new Map<number, number>();
  private nameStarts?: Map<string, number[]>;

  constructor(private readonly text: string) {
    for (const boundary of text.matchAll(CLAUSE_BOUNDARY)) {
      this.boundaryStarts.push(boundary.index);
      this.boundaryEnds.push(boundary.index + boundary[0].length);
    }
  }

  /** Whether every occurrence of the lowercased, trimmed `needle` is negated (false when there is none). */
  negates(needle: string): boolean {
    let answer = this.answers.get(needle);
    if (answer === undefined) {
      answer = false;
      for (const start of this.occurrences(needle)) {
        answer = this.negatedAt(start, start + needle.length);
        if (!answer) break;
      }
      this.answers.set(needle, answer);
    }
    return answer;
  }

  /** Starts of the needle as a whole name, left to right and not overlapping, as a global regex finds them. */
  private *occurrences(needle: string): Generator<number> {
    const text = this.text;
    const lead = /^[a-z0-9]*/.exec(needle)?.[0] ?? '';
    // A name that starts with a letter or digit starts a run of them that equals its own first run.
    const candidates = lead === '' ? everyIndexOf(text, needle) : (this.namesStartingRuns().get(lead) ?? []);
    let from = 0;
    for (const start of candidates) {
      if (start < from || !text.startsWith(needle, start)) continue;
      if (lead === '' && NAME_CHAR.test(text[start - 1] ?? '')) continue;
      const end = start + needle.length;
      if (AFTER_NAME.test(text[end] ?? '')) continue;
      yield start;
      from = end;
    }
  }

  private namesStartingRuns(): Map<string, number[]> {
    if (this.nameStarts === undefined) {
      this.nameStarts = new Map();
      for (const run of this.text.matchAll(/[a-z0-9]+/g)) {
        const starts = this.nameStarts.get(run[0]);
        if (starts === undefined) this.nameStarts.set(run[0], [run.index]);
        else starts.push(run.index);
      }
    }
    return this.nameStarts;
  }

  private negatedAt(start: number, end: number): boolean {
    const previous = lastAtMost(this.boundaryEnds, start);
    const clauseStart = previous === -1 ? 0 : (this.boundaryEnds[previous] ?? 0);
    const next = firstAtLeast(this.boundaryStarts, end);
    const clauseEnd = this.boundaryStarts[next] ?? this.text.length;
    return this.negatorBefore(clauseStart, start) || this.denialAfter(end, clauseEnd);
  }

  private negatorBefore(clauseStart: number, start: number): boolean {
    const negators = this.readNegators();
    const last = lastAtMost(negators.ends, start);
    if (last === -1) return false;
    // Emphasis only counts when its word is whole before the mention; then the latest plain negator decides.
    const emphasisEnd = negators.emphasisEnds[last] ?? -1;
    const nearest = emphasisEnd !== -1 && emphasisEnd <= start ? (negators.plain[last] ?? -1) : last;
    if (nearest === -1 || (negators.starts[nearest] ?? -1) < clauseStart) return false;
    return this.namedPieces(negators.ends[nearest] ?? start, start) <= MAX_NEGATOR_DISTANCE_WORDS;
  }

  private readNegators(): Negators {
    if (this.negators === undefined) {
      const negators: Negators = { starts: [], ends: [], emphasisEnds: [], plain: [] };
      let plain = -1;
      for (const negator of this.text.matchAll(PRE_NEGATOR)) {
        const end = negator.index + negator[0].length;
        NOT_A_NEGATION.lastIndex = end;
        const emphasisEnd = NOT_A_NEGATION.test(this.text) ? NOT_A_NEGATION.lastIndex : -1;
        if (emphasisEnd === -1) plain = negators.starts.length;
        negators.starts.push(negator.index);
        negators.ends.push(end);
        negators.emphasisEnds.push(emphasisEnd);
        negators.plain.push(plain);
      }
      this.negators = negators;
    }
    return this.negators;
  }

  /** How many white-space separated pieces of text[from, to) hold a letter or digit. */
  private namedPieces(from: number, to: number): number {
    const pieces = this.readPieces();
    const first = firstAtLeast(pieces.ends, from + 1);
    const last = lastAtMost(pieces.starts, to - 1);
    if (first > last) return 0;
    const named = (start: number, end: number): number => (pieces.holdsName(start, end) ? 1 : 0);
    const firstPiece = named(
      Math.max(from, pieces.starts[first] ?? 0),
      Math.min(to, pieces.ends[first] ?? 0),
    );
    if (first === last) return firstPiece;
    const lastPiece = named(pieces.starts[last] ?? 0, Math.min(to, pieces.ends[last] ?? 0));
    const between = (pieces.namedBefore[last] ?? 0) - (pieces.namedBefore[first + 1] ?? 0);
    return firstPiece + between + lastPiece;
  }

  private readPieces(): Pieces {
    if (this.pieces === undefined) {
      const text = this.text;
      const nameCharsBefore = new Int32Array(text.length + 1);
      for (let index = 0; index < text.length; index += 1) {
        nameCharsBefore[index + 1] =
          (nameCharsBefore[index] ?? 0) + (NAME_CHAR.test(text[index] ?? '') ? 1 : 0);
      }
      const holdsName = (start: number, end: number): boolean =>
        (nameCharsBefore[end] ?? 0) > (nameCharsBefore[start] ?? 0);
      const pieces: Pieces = { starts: [], ends: [], namedBefore: [0], holdsName };
      for (const piece of text.matchAll(/\S+/g)) {
        const end = piece.index + piece[0].length;
        pieces.starts.push(piece.index);
        pieces.ends.push(end);
        pieces.namedBefore.push((pieces.namedBefore.at(-1) ?? 0) + (holdsName(piece.index, end) ? 1 : 0));
      }
      this.pieces = pieces;
    }
    return this.pieces;
  }

  /**
   * Whether a denial ("not required") starts in text[end, clauseEnd) and ends inside it. The clause read
   * as its own text starts a word at `end` even inside a word run ("java_don't"), which no word run here
   * does: that one start is read on its own.
   */
  private denialAfter(end: number, clauseEnd: number): boolean {
    const words = this.readWords();
    const first = firstAtLeast(words.denialStarts, end);
    if ((words.earliestEndFrom[first] ?? Infinity) <= clauseEnd) return true;
    const text = this.text;
    if (end === 0 || !WORD_CHAR.test(text[end - 1] ?? '') || !WORD_CHAR.test(text[end] ?? '')) return false;
    const run = lastAtMost(words.starts, end);
    return this.denialEnd(end, words.ends[run] ?? end) <= clauseEnd;
  }

  private readWords(): Words {
    if (this.words === undefined) {
      const words: Words = { starts: [], ends: [], denialStarts: [], earliestEndFrom: [] };
      const denialEnds: number[] = [];
      for (const word of this.text.matchAll(/\w+/g)) {
        const end = word.index + word[0].length;
        words.starts.push(word.index);
        words.ends.push(end);
        const denialEnd = this.denialEnd(word.index, end);
        if (denialEnd !== Infinity) {
          words.denialStarts.push(word.index);
          denialEnds.push(denialEnd);
        }
      }
      let earliest = Infinity;
      for (let index = denialEnds.length - 1; index >= 0; index -= 1) {
        earliest = Math.min(earliest, denialEnds[index] ?? Infinity);
        words.earliestEndFrom[index] = earliest;
      }
      this.words = words;
    }
    return this.words;
  }

  /**
   * Where the earliest denial that starts at `start`, inside a word run ending at `runEnd`, ends; Infinity
   * when none starts there. The negator is the rest of the run: "not", "never", or "…n" followed by "'t".
   */
  private denialEnd(start: number, runEnd: number): number {
    const text = this.text;
    const length = runEnd - start;
    let negatorEnd: number;
    if (
      (length === 3 && text.startsWith('not', start)) ||
      (length === 5 && text.startsWith('never', start))
    ) {
      negatorEnd = runEnd;
    } else if (length >= 2 && text[runEnd - 1] === 'n' && text.startsWith("'t", runEnd)) {
      negatorEnd = runEnd + 2;
    } else return Infinity;
    let end = this.denialEnds.get(negatorEnd);
    if (end === undefined) {
      end = Infinity;
      for (const pattern of [DENIAL_NEXT_WORD, DENIAL_SECOND_WORD]) {
        pattern.lastIndex = negatorEnd;
        if (pattern.test(text)) end = Math.min(end, pattern.lastIndex);
      }
      this.denialEnds.set(negatorEnd, end);
    }
    return end;
  }
}

function* everyIndexOf(text: string, needle: string): Generator<number> {
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) yield at;
}

/** Most sentences deny nothing, and are not read further. */
const negationReadingOf = rememberingLast((sentence): NegationReading | null => {
  const text = sentence.toLowerCase().replace(/[’‘]/g, "'");
  return NEGATION_CUE.test(text) ? new NegationReading(text) : null;
});

/**
 * True when every mention of `mention` in `sentence` is negated; false when it is absent or any mention is
 * affirmative (a sentence that also uses the skill positively keeps it).
 *
 * Matching is case-insensitive with word boundaries that respect punctuated names: "java" does not match
 * inside "javascript", "c" not inside "c++", and "node.js" / "ci/cd" match literally.
 *
 * Scope rule: negation only reaches within the mention's clause. Clauses end at , ; ! ? a sentence-final
 * '.', a newline, and the words and / but / while / whereas / (al)though / however / yet / plus.
 * Within the clause a mention is negated when
 * - a negator precedes it by at most 8 words: no, not, never, without, none, neither, nor, cannot, lack,
 *   any "n't" ("no experience with Java", "never used Java", "don't need Java", "no Java or Go"), or
 * - it is followed by a denied requirement: not/n't/never + (one optional word) + required, needed,
 *   necessary, mandatory, essential, expected, a must, used… ("Java is not required", "Java not needed").
 *
 * Decisions:
 * - "Java, no problem" → false: a negator after the mention only counts as one of the denial predicates,
 *   and here it is in another clause anyway.
 * - "not only Java but also Go" → false for both: "not only/just/merely/limited to" is emphasis, and "but"
 *   starts a new clause for Go.
 * - "no Java and Go" → Go is not negated ("and" ends the clause): dropping a real skill is worse than
 *   keeping one.
 * - "Kafka is a plus, not required" → false: the denial is in the next clause and the sentence makes
 *   Kafka optional, not absent; {@link requirementLevel} reports it as 'preferred'.
 *
 * The sentence is read once however many mentions are asked about in turn: the work grows linearly with
 * its length.
 */
export function isNegated(sentence: string, mention: string): boolean {
  const needle = mention.toLowerCase().trim();
  if (needle === '') return false;
  return negationReadingOf(sentence)?.negates(needle) ?? false;
}

// ---------------------------------------------------------------------------------------------------------
// Years of experience
// ---------------------------------------------------------------------------------------------------------

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
};

const NUM = `(\\d{1,2}(?:\\.5)?|${Object.keys(NUMBER_WORDS).join('|')})`;

/**
 * "[qualifier] N[+] [- M[+]] years[']", e.g. "at least 3 years", "5+ yrs", "3-5 years", "between 2 and 4
 * years", "over ten years", "2-year". Optional white space is never followed by more optional white space
 * with only optional signs between them: the engine would try every way of splitting a long run of spaces
 * between the two before failing.
 */
const YEARS_PHRASE = new RegExp(
  `(?<![\\w.])(?:(at least|a minimum of|minimum of|minimum|min\\.?|over|more than|upwards of|up to|less than|under|fewer than|between)\\s+)?` +
    `${NUM}(?:\\s*\\+|\\s+plus)?(?:\\s*(?:-|–|—|to|and)\\s*${NUM}(?:\\s*\\+)?)?` +
    `\\s*(?:-\\s*)?(?:years?|yrs?)\\b['’]?`,
  'g',
);

/** What may follow "N years" for it to be about experience rather than a company's age or a contract. */
const EXPERIENCE_FOLLOWER =
  /^\s*(?:of|in|with|working|building|developing|designing|writing|using|leading|managing|programming|running|shipping|as|at|on|doing|experience|exp\b|professional|hands-on|commercial|industry|relevant|proven|practical|production|post)/;

/** Followers that make the figure about something other than experience. */
const NON_EXPERIENCE_FOLLOWER = /^\s*(?:ago|old|of age|contract|warranty|guarantee|in business)\b/;

interface YearsMention {
  /** Lower bound of the stated figure: 3 for "3-5 years", 5 for "5+ years" or "over five years". */
  min: number;
  sentence: string;
}

function parseNumber(token: string): number {
  return NUMBER_WORDS[token] ?? Number(token);
}

function sentencesOf(text: string): string[] {
  // Splits before a capital so "min. 3 years" and "e.g. five" stay whole.
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z•*-])|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

function yearsMentions(sentence: string): YearsMention[] {
  const lower = sentence.toLowerCase();
  // Every phrase ends in "year(s)" or "yr(s)"; most sentences have neither.
  if (!lower.includes('yr') && !lower.includes('year')) return [];
  const mentionsExperience = /\bexp(?:erience[ds]?|\.)?\b/.test(lower);
  const mentions: YearsMention[] = [];
  for (const match of lower.matchAll(YEARS_PHRASE)) {
    const [, qualifier, first] = match;
    if (first === undefined) continue;
    // A ceiling ("up to 2 years", "less than a year") states no minimum.
    if (qualifier !== undefined && /^(?:up to|less than|under|fewer than)$/.test(qualifier)) continue;
    const rest = lower.slice(match.index + match[0].length);
    if (NON_EXPERIENCE_FOLLOWER.test(rest)) continue;
    if (!EXPERIENCE_FOLLOWER.test(rest) && !mentionsExperience) continue;
    const min = parseNumber(first);
    if (Number.isFinite(min) && min > 0 && min <= 50) mentions.push({ min, sentence });
  }
  return mentions;
}

/**
 * The minimum years of experience a posting asks for, or null.
 *
 * Rules:
 * - Recognised: "5+ years", "5 years of experience", "at least / minimum (of) 3 years", "over ten years"
 *   (number words one…twenty), "7 yrs", "3-5 years", "between 3 and 5 years", "2-year".
 * - Ranges count by their lower bound ("3-5 years" → 3): that is the bar a candidate must clear; the upper
 *   bound is the employer's expectation, not a requirement.
 * - "over N" / "more than N" count as N. Ceilings ("up to 2 years", "less than 3 years") are ignored.
 * - The figure must be about experience: followed by "of/in/with/as/building/…" or in a sentence that says
 *   "experience"; "founded 10 years ago" and "a 2-year contract" do not count.
 * - Only 'required' context counts ({@link requirementLevel} on the section heading and sentence): "5 years
 *   would be a plus" is not a minimum. If several required figures are stated (per-skill minima), the
 *   largest is returned, as that is the one a candidate must meet to satisfy them all.
 */
export function requiredYears(postingText: string): number | null {
  let best: number | null = null;
  for (const section of splitSections(postingText)) {
    for (const sentence of sentencesOf(section.body)) {
      const mentions = yearsMentions(sentence);
      if (mentions.length === 0 || requirementLevel(section.heading, sentence) === 'preferred') continue;
      for (const mention of mentions) best = Math.max(best ?? 0, mention.min);
    }
  }
  return best;
}

/**
 * The largest "N years" of experience a resume claims, or null. Uses the same phrase rules as
 * {@link requiredYears} (ranges count by their lower bound, conservatively), without the required/preferred
 * filter. Durations without experience context ("Acme Corp (3 years)") are left to
 * {@link yearsFromDateRanges}.
 */
export function statedYears(resumeText: string): number | null {
  let best: number | null = null;
  for (const sentence of sentencesOf(resumeText)) {
    for (const mention of yearsMentions(sentence)) best = Math.max(best ?? 0, mention.min);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------
// Employment date ranges
// ---------------------------------------------------------------------------------------------------------

const MONTHS: Record<string, number> = {
  jan: 0,
  january: 0,
  feb: 1,
  february: 1,
  mar: 2,
  march: 2,
  apr: 3,
  april: 3,
  may: 4,
  jun: 5,
  june: 5,
  jul: 6,
  july: 6,
  aug: 7,
  august: 7,
  sep: 8,
  sept: 8,
  september: 8,
  oct: 9,
  october: 9,
  nov: 10,
  november: 10,
  dec: 11,
  december: 11,
};

const MONTH_NAME = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const DATE = `(?:(${MONTH_NAME})\\.?\\s+|(\\d{1,2})[/.])?((?:19|20)\\d{2})`;
const ONGOING = `(present|current|now|today|ongoing|(?:to\\s+|till\\s+)?date)`;
const DATE_RANGE = new RegExp(
  `(?<![\\w/.])${DATE}\\s*(?:[-–—]+|\\b(?:to|until|till|through|thru)\\b)\\s*(?:${DATE}|${ONGOING}\\b)(?![\\d/])`,
  'gi',
);

const EARLIEST_YEAR = 1960;

/** Half-open month interval [start, end) counted in months since year 0. */
interface Period {
  start: number;
  end: number;
}

function monthIndex(
  monthName: string | undefined,
  monthNumber: string | undefined,
  year: string,
): { index: number; hasMonth: boolean } | null {
  const y = Number(year);
  if (monthName !== undefined)
    return { index: y * 12 + (MONTHS[monthName.toLowerCase()] ?? 0), hasMonth: true };
  if (monthNumber !== undefined) {
    const m = Number(monthNumber);
    return m >= 1 && m <= 12 ? { index: y * 12 + m - 1, hasMonth: true } : null;
  }
  return { index: y * 12, hasMonth: false };
}

function periodsIn(text: string, now: Date): Period[] {
  // The current month counts as worked: "Jan 2026 – Present" on 25 Nov 2026 is 11 months.
  const nowEnd = now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
  const periods: Period[] = [];
  for (const match of text.matchAll(DATE_RANGE)) {
    const [, startMonthName, startMonthNumber, startYear, endMonthName, endMonthNumber, endYear, ongoing] =
      match;
    if (startYear === undefined) continue;
    const start = monthIndex(startMonthName, startMonthNumber, startYear);
    if (start === null || Number(startYear) < EARLIEST_YEAR) continue;
    let end: number;
    if (ongoing !== undefined) end = nowEnd;
    else if (endYear !== undefined) {
      const parsed = monthIndex(endMonthName, endMonthNumber, endYear);
      if (parsed === null) continue;
      // A named end month was worked through; a bare end year is a boundary, so 2016–2019 is 3 years.
      end = parsed.hasMonth ? parsed.index + 1 : parsed.index;
    } else continue;
    if (end <= start.index || end > nowEnd) continue;
    periods.push({ start: start.index, end });
  }
  return periods;
}

function mergedMonths(periods: Period[]): number {
  const sorted = [...periods].sort((a, b) => a.start - b.start);
  let total = 0;
  let current: Period | null = null;
  for (const period of sorted) {
    if (current !== null && period.start <= current.end) {
      current.end = Math.max(current.end, period.end);
      continue;
    }
    if (current !== null) total += current.end - current.start;
    current = { ...period };
  }
  if (current !== null) total += current.end - current.start;
  return total;
}

/**
 * Total years covered by the employment periods written as date ranges, with overlaps merged so concurrent
 * jobs are not double counted; rounded to one decimal, null when no plausible range is found.
 *
 * Recognised: "2016-2019", "2016 – 2019", "Jan 2018 – Present", "Sept. 2019 to Mar 2021",
 * "03/2017 - 06/2020", "2019 to date", "May 2015 - Current", "2012–now" (also "today", "ongoing").
 *
 * Rules:
 * - Month precision when a month is given: a named end month counts as worked ("Jan – Dec 2018" is 12
 *   months); a bare end year is a boundary ("2016–2019" is 3 whole years, "2019–2019" is nothing).
 *   A bare start year means January.
 * - Open ends ("Present") run through the current month of `now` (UTC).
 * - Implausible ranges are dropped: end not after start, start before 1960, end after `now`.
 * - Every range in the text counts, so pass only the experience section (see {@link splitSections}) when
 *   education dates should not count.
 */
export function yearsFromDateRanges(text: string, now: Date): number | null {
  const periods = periodsIn(text, now);
  if (periods.length === 0) return null;
  return Math.round((mergedMonths(periods) / 12) * 10) / 10;
}

// ---------------------------------------------------------------------------------------------------------
// Seniority
// ---------------------------------------------------------------------------------------------------------

export type Seniority = 'junior' | 'mid' | 'senior' | 'lead';

const SENIORITY_RANK: Record<Seniority, number> = { junior: 0, mid: 1, senior: 2, lead: 3 };

const SENIORITY_PATTERNS: [Seniority, RegExp][] = [
  [
    'junior',
    /\b(?:intern|internship|interns|junior|jr\b\.?|graduate|grad|entry[- ]level|trainee|apprentice|apprenticeship|working student|werkstudent)\b/,
  ],
  ['mid', /\b(?:mid[- ]?level|intermediate)\b/],
  ['senior', /\b(?:senior|sr\b\.?|snr)\b/],
  [
    'lead',
    new RegExp(
      [
        String.raw`\blead\b(?!\s+gen)`,
        String.raw`\bhead of\b`,
        String.raw`\bdirector\b`,
        String.raw`\bvp\b`,
        String.raw`\bvice president\b`,
        String.raw`\bchief\b`,
        String.raw`\bc[etio]o\b`,
        String.raw`\barchitect\b`,
        String.raw`\bprincipal\b`,
        String.raw`\bdistinguished\b`,
        // Staff only as the IC level ("Staff Engineer"); "Staff Accountant" or "Staff Nurse" are not lead.
        String.raw`\bstaff\s+(?:\w+\s+){0,2}(?:engineer|developer|scientist|designer|architect|analyst|sre)`,
        // People managers only: product/project/account managers own a thing, not a team.
        String.raw`(?<!\b(?:product|project|program|programme|account|community|office|content|success|case|property)\s)\bmanager\b`,
      ].join('|'),
    ),
  ],
];

/**
 * Seniority from a job title or headline, or null when none is stated.
 *
 * - junior: intern(ship), junior, jr, graduate, entry level, trainee, apprentice, working student.
 * - mid: mid-level, intermediate.
 * - senior: senior, sr., snr.
 * - lead: lead (not "lead generation"), head of, director, VP, chief/CxO, architect, manager (people
 *   managers; product/project/account managers are roles, not levels), and also staff and principal.
 *
 * Decisions: staff and principal map to 'lead'. They are IC levels above senior, and 'lead' is the only
 * rung above senior on this scale; mapping them to senior would rate a senior candidate a full match for
 * a principal role. When several levels appear ("Senior Engineering Manager"), the highest wins.
 * Numbered levels ("Engineer II") are ignored: their meaning differs between companies.
 */
export function seniorityOf(text: string): Seniority | null {
  const lower = text.toLowerCase();
  let best: Seniority | null = null;
  for (const [level, pattern] of SENIORITY_PATTERNS) {
    if (pattern.test(lower) && (best === null || SENIORITY_RANK[level] > SENIORITY_RANK[best])) best = level;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------
// Title normalisation
// ---------------------------------------------------------------------------------------------------------

/** "(m/w/d)", "(f/m/x)", "m/f/d", "(w/m/divers)", "(h/f)", "(all genders)", "(gn)". */
const GENDER_MARKER =
  /\(\s*(?:all genders|gn\*?|d)\s*\)|\(?(?<![\w/])[mwfdxh]\s*\/\s*[mwfdxh](?:\s*\/\s*(?:[mwfdxh]|div(?:ers|erse)?))?(?![\w/])\)?/gi;

/** Words that make a parenthetical a place or work mode rather than part of the role. */
const LOCATION_CUE =
  /\b(?:remote|hybrid|on-?site|anywhere|worldwide|europe|eu|emea|apac|latam|americas|north america|uk|us|usa|united states|united kingdom|germany|deutschland|france|spain|netherlands|ireland|poland|portugal|canada|india|australia|switzerland|austria|sweden|berlin|munich|münchen|hamburg|london|paris|amsterdam|dublin|madrid|barcelona|lisbon|warsaw|vienna|zurich|stockholm|new york|nyc|san francisco|sf|bay area|seattle|austin|boston|toronto|bangalore|sydney|singapore)\b/i;

/** "(Austin, TX)", "(Leeds, UK)": a place followed by a state or country code. */
const PLACE_WITH_CODE = /^[A-Z][\w .'-]*,\s*[A-Z]{2,3}$/;

// A Map, not an object literal: a title word such as "constructor" must not find Object's own properties.
const ABBREVIATIONS = new Map([
  ['eng', 'engineer'],
  ['engr', 'engineer'],
  ['dev', 'developer'],
  ['devs', 'developers'],
  ['mgr', 'manager'],
  ['mgmt', 'management'],
  ['swe', 'software engineer'],
  ['sde', 'software development engineer'],
]);

/** Seniority words removed wherever they appear. */
const SENIORITY_WORDS = new Set(['senior', 'sr', 'snr', 'junior', 'jr', 'intermediate', 'midlevel']);
/** Removed only as a prefix: "Lead Developer" → "developer", but "Tech Lead" keeps its head noun. */
const SENIORITY_PREFIXES = new Set(['lead', 'principal', 'staff', 'graduate']);
const SENIORITY_BIGRAMS = new Set(['mid level', 'entry level', 'mid senior']);
const WORK_MODE_WORDS = new Set(['remote', 'hybrid', 'onsite']);

/**
 * A comparable form of a job title: "Sr. Backend Dev (m/w/d) – Remote (Berlin)" → "backend developer".
 *
 * Steps: drop gender markers ("(m/w/d)", "(f/m/x)", "(all genders)"); drop parentheticals that name a place
 * or work mode (a known region/country/city or remote/hybrid word, or "City, XX") and keep others, since
 * "(Backend)" is part of the role and unknown places are safer kept than a role dropped; lowercase;
 * "&" → "and"; other punctuation → spaces, except '+', '#' and a '.' inside a word (c++, c#, node.js,
 * .net); expand eng/engr → engineer, dev → developer, mgr → manager, swe → software engineer,
 * sde → software development engineer; remove seniority words (senior/sr/junior/jr/mid-level/
 * intermediate/entry level anywhere; lead/principal/staff/graduate only before another word), trailing
 * level numerals ("ii", "iii"), and remote/hybrid/on-site; collapse spaces.
 */
export function normaliseTitle(title: string): string {
  let text = title.replace(GENDER_MARKER, ' ');
  text = text.replace(/\(([^()]*)\)/g, (whole, inner: string) =>
    LOCATION_CUE.test(inner) || PLACE_WITH_CODE.test(inner.trim()) ? ' ' : whole,
  );
  text = text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\bon[- ]site\b/g, 'onsite')
    .replace(/[^a-z0-9+#.\s]/g, ' ')
    // A dot survives only when a word follows it: "node.js", ".net", but not "sr." or a final ".".
    .replace(/\.(?![a-z0-9])/g, ' ');

  const words = text
    .split(/\s+/)
    .filter((word) => word !== '')
    .flatMap((word) => (ABBREVIATIONS.get(word) ?? word).split(' '));

  // Whether a word other than a seniority or work-mode word follows each position, read backwards once.
  const roleWordFollows: boolean[] = [];
  for (let i = words.length - 1, follows = false; i >= 0; i--) {
    roleWordFollows[i] = follows;
    const word = words[i] ?? '';
    follows ||= !SENIORITY_WORDS.has(word) && !WORK_MODE_WORDS.has(word);
  }
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const next = words[i + 1];
    if (next !== undefined && SENIORITY_BIGRAMS.has(`${word} ${next}`)) {
      i++;
      continue;
    }
    if (SENIORITY_WORDS.has(word) || WORK_MODE_WORDS.has(word)) continue;
    if (SENIORITY_PREFIXES.has(word) && roleWordFollows[i] === true) continue;
    kept.push(word);
  }
  while (kept.length > 1 && /^(?:i{1,3}|iv|v)$/.test(kept[kept.length - 1] ?? '')) kept.pop();
  return kept.join(' ');
}

// ---------------------------------------------------------------------------------------------------------
// Remote
// ---------------------------------------------------------------------------------------------------------

const HYBRID =
  /\bhybrid\b|\bpartly remote\b|\bpartially remote\b|\b(?:[1-4]|one|two|three|four)(?:\s*(?:-|to)\s*(?:[1-4]|one|two|three|four))?\s+days?\s+(?:a\s+|per\s+)?(?:week\s+)?(?:in|at|from)\s+(?:the\s+|our\s+)?office\b|\bin[- ](?:the[- ])?office\s+(?:[1-4]|one|two|three|four)\s+days?\b/;

const NOT_REMOTE =
  /\bno remote\b|\bnot (?:a )?remote\b|\bremote (?:work )?(?:is )?not (?:possible|available|an option|offered)\b|\bnon[- ]remote\b|\bon[- ]?site only\b|\bonly on[- ]?site\b|\b(?:fully|100%) on[- ]?site\b|\bin[- ]office only\b|\bmust be (?:on[- ]?site|in (?:the )?office)\b|\boffice[- ]based\b|\b(?:5|five) days\s+(?:a\s+|per\s+)?(?:week\s+)?(?:in|at)\s+(?:the\s+|our\s+)?office\b|\bin[- ](?:the[- ])?office\s+(?:5|five) days\b|\bfull[- ]time in (?:the )?office\b/;

const STRONG_REMOTE =
  /\b(?:fully|100%|completely|entirely) remote\b|\bremote[- ]first\b|\bremote[- ]only\b|\bwork from anywhere\b|\bfully distributed\b/;

const WEAK_REMOTE =
  /\bremote(?!\s+(?:sensing|control|monitoring|desktop|access|server|repositor))|\bwork(?:ing)? from home\b|\bwfh\b|\banywhere\b|\bdistributed team\b|\btelecommut/;

/** On-site mentions that describe occasional visits, not where the work happens. */
const OCCASIONAL_ONSITE =
  /\b(?:occasional|quarterly|annual|yearly|monthly|periodic|regular)\s+(?:\w+\s+)?on[- ]?sites?\b|\bon[- ]?sites?\s+(?:meetups?|visits?|events?|gatherings?|retreats?|interviews?|workshops?|days?)\b/g;

const WEAK_ONSITE = /\bon[- ]?site\b|\bin[- ]office\b|\bin[- ]person\b/;

/**
 * Whether a posting or profile says the work is remote: true, false, or null when unsaid or mixed.
 *
 * Order of rules:
 * 1. Hybrid → null: "hybrid", "partly remote", "2 days a week in the office". Hybrid is neither answer;
 *    callers treat it as unknown rather than guess which side matters.
 * 2. Explicit on-site → false: "no remote", "remote is not possible", "on-site only", "fully on-site",
 *    "in office 5 days", "office-based", "must be on-site".
 * 3. Explicit remote → true: "fully remote", "remote-first", "work from anywhere", "fully distributed".
 * 4. Otherwise weak cues: remote ("remote", "work from home", "WFH", "anywhere", "distributed team") versus
 *    on-site ("onsite", "in office", "in person"; occasional visits such as "quarterly on-site meetups" are
 *    ignored). Only one side present → that answer; both → null as contradictory; neither → null.
 */
export function remoteOf(text: string): boolean | null {
  const lower = text.toLowerCase().replace(/[’‘]/g, "'");
  if (HYBRID.test(lower)) return null;
  if (NOT_REMOTE.test(lower)) return false;
  if (STRONG_REMOTE.test(lower)) return true;
  const remote = WEAK_REMOTE.test(lower);
  const onsite = WEAK_ONSITE.test(lower.replace(OCCASIONAL_ONSITE, ' '));
  if (remote === onsite) return null;
  return remote;
}

// ---------------------------------------------------------------------------------------------------------
// Salary
// ---------------------------------------------------------------------------------------------------------

export interface SalaryRange {
  min: number;
  max: number;
  currency: string | null;
  period: 'year' | 'month' | 'hour';
}

const CURRENCY_CODES: Record<string, string> = {
  us$: 'USD',
  ca$: 'CAD',
  c$: 'CAD',
  a$: 'AUD',
  au$: 'AUD',
  nz$: 'NZD',
  $: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
  usd: 'USD',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  gbp: 'GBP',
  chf: 'CHF',
  cad: 'CAD',
  aud: 'AUD',
  nzd: 'NZD',
  sek: 'SEK',
  nok: 'NOK',
  dkk: 'DKK',
  pln: 'PLN',
  inr: 'INR',
  jpy: 'JPY',
  sgd: 'SGD',
};

const CUR = `(us\\$|ca\\$|c\\$|au?\\$|nz\\$|\\$|€|£|¥|₹|usd|eur|euros?|gbp|chf|cad|aud|nzd|sek|nok|dkk|pln|inr|jpy|sgd)`;
// Thousands separators (, . ' or spaces) only before exactly three digits; otherwise . or , is decimal.
const AMOUNT = `(\\d{1,3}(?:[,.'\\u00a0\\u202f ]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?)`;
const MULTIPLIER = `([km](?![a-z]))?`;
const MONEY = `(?:${CUR}\\s?)?${AMOUNT}\\s?${MULTIPLIER}(?:\\s?${CUR}(?![a-z]))?`;
const SALARY = new RegExp(`(?<![\\w.,$€£¥₹])${MONEY}(?:\\s*(?:-|–|—|to|bis)\\s*${MONEY})?(?![\\d])`, 'gi');

/** Words that make a sentence about pay. Strong cues outweigh the perk/funding words below. */
const STRONG_SALARY_CUE = /\b(?:salary|salaries|compensation|wages?|base pay|ote|gehalt|remuneration)\b/;
const SALARY_CUE = /\b(?:salary|salaries|compensation|wages?|pay|rate|ote|gehalt|remuneration|per annum)\b/;
/** Money that is not pay: funding, perks and budgets. */
const NOT_SALARY_CUE =
  /\b(?:raised|funding|series [a-e]|revenue|valuation|arr|budget|stipend|allowance|bonus|equity|grant|reimburs\w*|per employee)\b/;

const HOUR = /\/\s*(?:hour|hr|h)\b|\b(?:per|an?|each)\s+(?:hour|hr)\b|\bhourly\b/;
const MONTH = /\/\s*(?:month|mo|mth)\b|\b(?:per|a)\s+(?:month|mth)\b|\bmonthly\b|\bpcm\b/;
const YEAR =
  /\/\s*(?:year|yr|y|annum|a)\b|\b(?:per|an?)\s+(?:year|yr|annum)\b|\bannual(?:ly)?\b|\byearly\b|\bp\.\s?a\b/;

function parseAmount(raw: string, multiplier: string | undefined): number {
  let digits = raw.replace(/[\s\u00a0\u202f']/g, '');
  const lastSeparator = Math.max(digits.lastIndexOf('.'), digits.lastIndexOf(','));
  const decimals = lastSeparator >= 0 ? digits.length - lastSeparator - 1 : 0;
  if (lastSeparator >= 0 && decimals !== 3) {
    digits = `${digits.slice(0, lastSeparator).replace(/[.,]/g, '')}.${digits.slice(lastSeparator + 1)}`;
  } else {
    digits = digits.replace(/[.,]/g, '');
  }
  const factor = multiplier === 'k' ? 1_000 : multiplier === 'm' ? 1_000_000 : 1;
  return Math.round(Number(digits) * factor * 100) / 100;
}

function periodNear(before: string, after: string, amount: number): SalaryRange['period'] {
  for (const window of [after, before]) {
    if (HOUR.test(window)) return 'hour';
    if (MONTH.test(window)) return 'month';
    if (YEAR.test(window)) return 'year';
  }
  // Unstated period: judge by size. Hourly rates are small, and monthly pay is common where pay is quoted
  // per month (much of Europe and Asia).
  if (amount < 500) return 'hour';
  if (amount < 20_000) return 'month';
  return 'year';
}

/** Ends of a sentence or line. */
const SENTENCE_STOP = /\n|[.!?](?=\s|$)/g;

interface PaySentence {
  pay: boolean;
  strongPay: boolean;
  notPay: boolean;
}

/**
 * What the sentence or line holding [start, end) says about pay: cues elsewhere in a long posting say
 * nothing about a figure. Stops are found once per text and each sentence is read once, however many
 * figures it holds: reading the text up to every figure made a long list of numbers quadratic.
 */
function paySentences(text: string): (start: number, end: number) => PaySentence {
  let stops: number[] | undefined;
  const read = new Map<string, PaySentence>();
  return (start, end) => {
    stops ??= Array.from(text.matchAll(SENTENCE_STOP), (stop) => stop.index);
    const before = lastAtMost(stops, start - 1);
    const from = before === -1 ? 0 : (stops[before] ?? -1) + 1;
    const to = stops[firstAtLeast(stops, end)] ?? text.length;
    const key = `${from}-${to}`;
    let sentence = read.get(key);
    if (sentence === undefined) {
      const words = text.slice(from, to);
      sentence = {
        pay: SALARY_CUE.test(words),
        strongPay: STRONG_SALARY_CUE.test(words),
        notPay: NOT_SALARY_CUE.test(words),
      };
      read.set(key, sentence);
    }
    return sentence;
  };
}

/**
 * The first pay figure or range in the text, or null. No currency conversion.
 *
 * Recognised: "$120,000 - $150,000", "120k-150k USD", "120-150k" (k applies to both), "€60k" (min = max),
 * "£45,000 per annum", "$45/hour", "80.000 - 90.000 EUR" (European thousands dots), "45.000,00 €",
 * "CHF 110'000", "to" and "bis" as range words.
 *
 * Rules:
 * - A figure needs a currency (symbol or ISO code, before or after), or else must look like money (a "k"
 *   or thousands separators) in a sentence with a pay word ("salary", "compensation", "rate", "pay", "OTE"…),
 *   so "5+ years", "2016-2019" and "401(k)" are not salaries. Bare year-like numbers never count.
 * - A '.' or ',' followed by exactly three digits is a thousands separator, otherwise a decimal point.
 * - "$" alone is read as USD; "CA$", "C$", "A$", "NZ$" give their own codes.
 * - Sentences about funding, budgets, stipends, allowances or bonuses are skipped unless they also say
 *   "salary", "compensation", "wage", "base pay", "OTE"…, so "$500 learning budget" is not a salary.
 * - Period from the words right after (then before) the figure: hour ("/hour", "per hour", "hourly"),
 *   month ("/month", "monthly", "pcm"), year ("per annum", "p.a.", "annually", "/yr"); if none, by size:
 *   < 500 hour, < 20,000 month, else year.
 * - min > max is swapped.
 */
export function salaryRange(text: string): SalaryRange | null {
  const lower = text.toLowerCase();
  const sentenceAt = paySentences(lower);
  for (const match of lower.matchAll(SALARY)) {
    const [whole, cur1, amount1, mult1, post1, cur2, amount2, mult2, post2] = match;
    if (amount1 === undefined) continue;
    const currencyToken = cur1 ?? post1 ?? cur2 ?? post2;
    const start = match.index;
    const end = start + whole.length;
    const sentence = sentenceAt(start, end);
    if (currencyToken === undefined) {
      // Without a currency only money-shaped figures in a pay sentence count: "Salary: 80.000 - 90.000".
      const moneyShaped = [mult1, mult2].some((m) => m !== undefined) || /[.,' ]\d{3}/.test(amount1);
      if (!moneyShaped || !sentence.pay) continue;
    }
    if (sentence.notPay && !sentence.strongPay) continue;

    // "120-150k": a multiplier on one side only applies to a small figure on the other.
    let min = parseAmount(
      amount1,
      mult1 ?? (amount2 !== undefined && Number(amount1) < 1000 ? mult2 : undefined),
    );
    let max =
      amount2 === undefined
        ? min
        : parseAmount(amount2, mult2 ?? (Number(amount2) < 1000 ? mult1 : undefined));
    const yearLike = (raw: string | undefined, mult: string | undefined): boolean =>
      raw !== undefined && mult === undefined && /^(?:19|20)\d{2}$/.test(raw);
    if (yearLike(amount1, mult1) || yearLike(amount2, mult2)) continue;
    if (!(min > 0) || !(max > 0)) continue;
    if (min > max) [min, max] = [max, min];

    const period = periodNear(lower.slice(Math.max(0, start - 40), start), lower.slice(end, end + 30), max);
    const currency = currencyToken === undefined ? null : (CURRENCY_CODES[currencyToken] ?? null);
    return { min, max, currency, period };
  }
  return null;
}
