/**
 * Occupations: job titles normalised to the O*NET-SOC taxonomy, so a posting for a "Java Developer" and a
 * resume headed "Software Engineer" meet on "Software Developers (15-1252.00)" rather than on shared words.
 *
 * The taxonomy is `occupations.json`, derived from public O*NET files by `npm run occupations:build`
 * (scripts/build-occupations.ts): the occupations, the title phrases that name each, each one's related
 * occupations by tier, and the titles O*NET leaves ambiguous with the keys that let a document decide them.
 * Work per text is bounded: a title is read up to {@link MAX_TITLE_CHARS}, a resume up
 * to {@link MAX_RESUME_CHARS}, and phrase lookup is linear in the words read.
 */
import occupationsFile from './occupations.json' with { type: 'json' };
import { normaliseTitle } from './extractors.js';
import { skillVocabulary } from './vocabulary.js';

export type RelatedTier = 'short' | 'long' | 'supplemental';

/** What tells an occupation from the others it shares an ambiguous title with (see `keysOf` in the build). */
export interface OccupationKeys {
  /** Skill ids of the vocabulary that its O*NET technologies name. */
  skills: string[];
  /** Lemmas of its O*NET task statements. */
  terms: string[];
}

/** The shape of `occupations.json`. */
export interface OccupationsFile {
  version: number;
  occupations: {
    code: string;
    title: string;
    /** Titles in `normaliseTitle`'s form that name this occupation and no other. */
    phrases: string[];
    /** O*NET's related occupations: Primary-Short, Primary-Long and Supplemental. */
    related: Record<RelatedTier, string[]>;
    /** Present for the occupations an ambiguous title is filed under. */
    keys?: OccupationKeys;
  }[];
  /**
   * Titles O*NET files under occupations too different to choose from ("engineer", "test engineer"), with
   * those occupations and the evidence for each (how many O*NET sources file the title there): found as
   * the longest phrase they mean "no answer" unless the document decides ({@link DocumentEvidence}),
   * rather than letting a shorter phrase inside them ("engineer") answer for them.
   */
  ambiguous: Record<string, Record<string, number>>;
}

export interface Occupation {
  /** O*NET-SOC code, e.g. '15-1252.00'. */
  code: string;
  title: string;
  /** The SOC minor group, e.g. '15-1' (Computer Occupations); see {@link familyOf}. */
  family: string;
}

/**
 * An occupation's family is its SOC minor group, written as the code's first four characters: '15-1' for
 * the computer occupations (SOC 15-1200), '17-2' for engineers (17-2000), '29-1' for health practitioners
 * (29-1000).
 *
 * Why not the broad occupation ('15-125': developers, programmers and testers): O*NET's related-occupation
 * tiers already say which neighbours are close, and they reach across broad occupations. The family is the
 * weaker signal below them, the same line of work: a Java and a Python developer share the occupation
 * itself; a DBA and a Java developer differ at the occupation (and broad occupation) but share the family;
 * a civil engineer and a developer share nothing.
 */
export function familyOf(code: string): string {
  return code.slice(0, 4);
}

// ---------------------------------------------------------------------------------------------------------
// The index, built once on first use.

/** An occupation an ambiguous title is filed under, with what speaks for it before the document is read. */
interface Candidate {
  occupation: Occupation;
  /** ln of its share of the title's O*NET evidence. */
  prior: number;
  skills: readonly string[];
  terms: readonly string[];
}

interface Index {
  byCode: Map<string, Occupation>;
  /** null: an ambiguous title, see `candidates`. */
  byPhrase: Map<string, Occupation | null>;
  /** Ambiguous title → the occupations it is filed under. */
  candidates: Map<string, Candidate[]>;
  /** Longest phrase, in words: no n-gram longer than this can match. */
  maxWords: number;
  related: Map<string, Map<string, RelatedTier>>;
}

let index: Index | undefined;

function loadIndex(): Index {
  const file: OccupationsFile = occupationsFile;
  const byCode = new Map<string, Occupation>();
  const byPhrase = new Map<string, Occupation | null>();
  const related = new Map<string, Map<string, RelatedTier>>();
  const keys = new Map<string, OccupationKeys>();
  let maxWords = 1;
  for (const entry of file.occupations) {
    const occupation = { code: entry.code, title: entry.title, family: familyOf(entry.code) };
    byCode.set(entry.code, occupation);
    if (entry.keys !== undefined) keys.set(entry.code, entry.keys);
    for (const phrase of entry.phrases) {
      byPhrase.set(phrase, occupation);
      maxWords = Math.max(maxWords, phrase.split(' ').length);
    }
    const tiers = new Map<string, RelatedTier>();
    for (const tier of ['supplemental', 'long', 'short'] as const) {
      for (const code of entry.related[tier]) tiers.set(code, tier);
    }
    related.set(entry.code, tiers);
  }
  const candidates = new Map<string, Candidate[]>();
  for (const [phrase, evidence] of Object.entries(file.ambiguous)) {
    byPhrase.set(phrase, null);
    maxWords = Math.max(maxWords, phrase.split(' ').length);
    const weights = Object.entries(evidence);
    const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
    const list: Candidate[] = [];
    for (const [code, weight] of weights) {
      const occupation = byCode.get(code);
      if (occupation === undefined || weight <= 0) continue;
      const { skills, terms } = keys.get(code) ?? { skills: [], terms: [] };
      list.push({ occupation, prior: Math.log(weight / total), skills, terms });
    }
    candidates.set(phrase, list);
  }
  return { byCode, byPhrase, candidates, maxWords, related };
}

function theIndex(): Index {
  index ??= loadIndex();
  return index;
}

export function occupationByCode(code: string): Occupation | null {
  return theIndex().byCode.get(code) ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Titles

/** A job title is rarely longer; beyond this it is a sentence, and reading on only adds false matches. */
const MAX_TITLE_CHARS = 200;

/**
 * What the document a title heads says about its trade: the skills found in it and the lemmas of its text,
 * as feature extraction has already read them (see features.ts). With it, a title O*NET files under several
 * occupations ("Test Engineer", "Sales Representative") is resolved to the one whose keys the document
 * shows ({@link resolveAmbiguous}).
 */
export interface DocumentEvidence {
  skills: ReadonlySet<string>;
  /** Lemma → count; an object without a prototype, as features.ts builds it. */
  terms: Readonly<Record<string, number>>;
}

/**
 * How much one key the document shows multiplies the odds of an occupation that has it: a distinctive tool
 * (Selenium for software testers) says more than a lemma of its tasks ("quota" for sales representatives).
 */
const SKILL_ODDS = 4;
const TERM_ODDS = 2;
/** The chosen occupation must be this many times likelier than the next; otherwise the title stays open. */
const MIN_ODDS = 2;

/** Ambiguous title → its resolution, per document: a resume reads the same title on many lines. */
const resolutions = new WeakMap<DocumentEvidence, Map<string, Occupation | null>>();

/** SOC broad occupation, e.g. '41-401' (wholesale and manufacturing sales representatives). */
const broadOf = (code: string): string => code.slice(0, 6);

/**
 * The occupation an ambiguous title means in this document, or null when the document does not decide.
 * Each occupation the title is filed under starts from its share of O*NET's evidence for the title; each of
 * its keys the document has multiplies its odds by {@link SKILL_ODDS} or {@link TERM_ODDS}, shared out among
 * the occupations that have that key (Python, listed for most engineers, tells none of them apart). The
 * likeliest wins when it is {@link MIN_ODDS} times likelier than the likeliest outside its own broad
 * occupation, and the document's keys favour it over that one: the evidence alone never decides (the build
 * left the title open because it does not), so a document with none of the keys leaves the title open.
 * Siblings within one broad occupation (sales representatives of technical or of other products) are
 * told apart on the odds alone: either is the same line of work. The work is bounded by the candidates'
 * keys, whatever the document's length: each key is one lookup in what extraction has already read.
 */
function resolveAmbiguous(phrase: string, document: DocumentEvidence): Occupation | null {
  let memo = resolutions.get(document);
  if (memo === undefined) {
    memo = new Map();
    resolutions.set(document, memo);
  }
  const known = memo.get(phrase);
  if (known !== undefined) return known;
  const candidates = theIndex().candidates.get(phrase) ?? [];
  const shownKeys = (candidate: Candidate): string[] => [
    ...candidate.skills.filter((skill) => document.skills.has(skill)).map((skill) => `skill:${skill}`),
    ...candidate.terms.filter((term) => document.terms[term] !== undefined).map((term) => `term:${term}`),
  ];
  const shown = candidates.map(shownKeys);
  const sharing = new Map<string, number>();
  for (const keys of shown) for (const key of keys) sharing.set(key, (sharing.get(key) ?? 0) + 1);
  const skillOdds = Math.log(SKILL_ODDS);
  const termOdds = Math.log(TERM_ODDS);
  const scored = candidates.map((candidate, index) => {
    let support = 0;
    for (const key of shown[index] ?? []) {
      support += (key.startsWith('skill:') ? skillOdds : termOdds) / (sharing.get(key) ?? 1);
    }
    return { occupation: candidate.occupation, odds: candidate.prior + support, support };
  });
  const best = scored.reduce<(typeof scored)[number] | null>(
    (top, entry) => (top === null || entry.odds > top.odds ? entry : top),
    null,
  );
  let decided: Occupation | null = null;
  if (best !== null && best.support > 0) {
    const broad = broadOf(best.occupation.code);
    const rivals = scored.filter((entry) => broadOf(entry.occupation.code) !== broad);
    const rival = rivals.reduce<(typeof scored)[number] | null>(
      (top, entry) => (top === null || entry.odds > top.odds ? entry : top),
      null,
    );
    if (rival === null || (best.support > rival.support && best.odds - rival.odds >= Math.log(MIN_ODDS))) {
      decided = best.occupation;
    }
  }
  memo.set(phrase, decided);
  return decided;
}

interface PhraseMatch {
  /** null: an ambiguous phrase. */
  occupation: Occupation | null;
  start: number;
  words: number;
}

/**
 * The longest known phrase among the word n-grams of `words` (ties: the earliest, since what follows a title
 * is more often a company or a place). A phrase O*NET leaves ambiguous ("architect") answers for itself and
 * for anything shorter that overlaps it, but not for a phrase beside it: "cloud operations architect devops"
 * is read as "devops". Linear: at most `maxWords` lookups per word.
 */
function longestPhrase(words: readonly string[], document?: DocumentEvidence): Occupation | null {
  const { byPhrase, maxWords } = theIndex();
  const found: PhraseMatch[] = [];
  for (let start = 0; start < words.length; start += 1) {
    for (let length = Math.min(maxWords, words.length - start); length > 0; length -= 1) {
      const phrase = words.slice(start, start + length).join(' ');
      const listed = byPhrase.get(phrase);
      if (listed !== undefined) {
        const occupation =
          listed === null && document !== undefined ? resolveAmbiguous(phrase, document) : listed;
        found.push({ occupation, start, words: length });
        break;
      }
    }
  }
  const overlaps = (a: PhraseMatch, b: PhraseMatch): boolean =>
    a.start < b.start + b.words && b.start < a.start + a.words;
  let best: PhraseMatch | null = null;
  for (const match of found) {
    if (match.occupation === null || (best !== null && match.words <= best.words)) continue;
    const shadowed = found.some(
      (other) => other.occupation === null && other.words >= match.words && overlaps(other, match),
    );
    if (!shadowed) best = match;
  }
  return best?.occupation ?? null;
}

/**
 * A field of work names the person who practises it: a headline "Electrical Engineering" or "Data Science"
 * means an electrical engineer or a data scientist. Read only when the words as written name nothing.
 */
const PRACTITIONER_OF_FIELD: ReadonlyMap<string, string> = new Map([
  ['engineering', 'engineer'],
  ['science', 'scientist'],
  ['sciences', 'scientist'],
  ['testing', 'tester'],
  ['designing', 'designer'],
  ['development', 'developer'],
  ['programming', 'programmer'],
  ['analytics', 'analyst'],
  ['accounting', 'accountant'],
  ['nursing', 'nurse'],
]);

/** Skill kinds a software role is named after: "Python Developer", ".NET Programmer", "ABAP Developer". */
const SOFTWARE_SKILL_KINDS = new Set(['language', 'framework', 'database', 'frontend', 'mobile', 'cloud']);
const SOFTWARE_ROLE_NOUNS = new Set(['developer', 'programmer']);

function isSoftwareSkill(word: string): boolean {
  const id = skillVocabulary.byAlias.get(word);
  if (id === undefined) return false;
  return skillVocabulary.entries.some((entry) => entry.id === id && SOFTWARE_SKILL_KINDS.has(entry.category));
}

/**
 * Other ways of reading a title whose words name nothing, in order: a trailing qualifier in parentheses put
 * first ("Design Engineer (Mechanical)" → "mechanical design engineer"); a field for its practitioner; a
 * programming language or framework before "developer" for "software".
 */
function otherReadings(title: string, words: readonly string[]): string[][] {
  const readings: string[][] = [];
  const qualified = /^(.+?)\s*\(([^()]+)\)\s*$/.exec(title);
  if (qualified?.[1] !== undefined && qualified[2] !== undefined) {
    readings.push(titleWords(`${qualified[2]} ${qualified[1]}`));
  }
  for (const reading of [words, ...readings]) {
    readings.push(reading.map((word) => PRACTITIONER_OF_FIELD.get(word) ?? word));
    readings.push(
      reading.map((word, i) =>
        SOFTWARE_ROLE_NOUNS.has(reading[i + 1] ?? '') && isSoftwareSkill(word) ? 'software' : word,
      ),
    );
  }
  return readings;
}

function titleWords(text: string): string[] {
  const normal = normaliseTitle(text.slice(0, MAX_TITLE_CHARS));
  return normal === '' ? [] : normal.split(' ');
}

/**
 * The occupation a job title names, or null: the longest known title phrase among the word n-grams of the
 * normalised title ({@link normaliseTitle}), so "Senior Java Developer (m/f/d) – Berlin" finds "java
 * developer" (Software Developers) and "Registered Nurse, ICU" finds "registered nurse". A phrase that O*NET
 * leaves ambiguous ("test engineer") answers for no word inside it, and for itself only when the `document`
 * the title heads decides between its occupations ({@link DocumentEvidence}): "Test Engineer" over a posting
 * that asks for Selenium and test plans is a software tester. When the words as written name nothing,
 * {@link otherReadings} are tried. Only the first {@link MAX_TITLE_CHARS} characters are read.
 */
export function occupationOfTitle(title: string, document?: DocumentEvidence): Occupation | null {
  const clipped = title.slice(0, MAX_TITLE_CHARS);
  const words = titleWords(clipped);
  for (const reading of [words, ...otherReadings(clipped, words)]) {
    const occupation = longestPhrase(reading, document);
    if (occupation !== null) return occupation;
  }
  return null;
}

/** "Software Quality Assurance Analysts and Testers (15-1253.00)". */
export function formatOccupation(occupation: Pick<Occupation, 'code' | 'title'>): string {
  return `${occupation.title} (${occupation.code})`;
}

// ---------------------------------------------------------------------------------------------------------
// Resumes

export interface WeightedOccupation extends Occupation {
  /** In (0, 1]: how surely the resume names this occupation; see {@link occupationsOfResume}. */
  weight: number;
}

/** The title sits near the top, or is said in the first jobs described; later text is older history. */
const MAX_RESUME_CHARS = 20_000;
/** Lines from the top read as a possible headline (after a name, contact lines, a degree or two). */
const HEADLINE_LINES = 15;
/** Occupations returned at most: beyond a few, the list says nothing about the person. */
const MAX_OCCUPATIONS = 5;
/** "worked as …" mentions read at most. */
const MAX_WORKED_AS = 20;

/** How much each kind of evidence says (combined as independent evidence: 1 − Π(1 − weight)). */
const EVIDENCE = {
  /** "Position: …", "Designation: …", "Role: …", "Job Title: …". */
  labelled: 0.9,
  /** The first title-like line from the top. */
  headline: 0.8,
  /** Later title-like lines from the top (a second job, a previous title). */
  otherHeadline: 0.5,
  /** "worked as a Java developer", "joined as …". */
  workedAs: 0.6,
  /** First sentence under "Summary", "Profile", "Objective". */
  summary: 0.5,
} as const;

const LABELLED =
  /^\s*(?:current\s+|job\s+)?(?:position|designation|role|title|headline|occupation)\s*(?::|-|–|—)\s*(.+)$/i;
const WORKED_AS =
  /\b(?:work(?:ed|ing|s)?|employed|joined|serv(?:ed|ing)|hired|engaged|appointed)\s+as\s+(?:an?\s+|the\s+)?([^.,;:()\n]{2,80})/gi;
/** Where a headline line stops naming the role: "Web Designer - Trust Systems", "Advocate at Gauhati". */
const TITLE_END = /\s(?:-|–|—|\||@|at)\s|,/i;
const SUMMARY_HEADING =
  /^\s*(?:professional\s+|career\s+|profile\s+|executive\s+)?(?:summary|profile|objective|about(?:\s+me)?)\s*:?\s*$/i;
/** A degree, a school or a date: education and job-history lines, not a headline. */
const EDUCATION_OR_DATE =
  /\b(?:university|college|school|institute|polytechnic|academy|diploma|bachelor'?s?|master'?s?|degree|mba|bca|mca|hsc|ssc|cbse|b\.?\s?tech|m\.?\s?tech|b\.?\s?sc|m\.?\s?sc|b\.?\s?com|m\.?\s?com|b\.?\s?e|ll\.?\s?b|ph\.?\s?d)(?![a-z])|\b(?:19|20)\d{2}\b/i;
/**
 * Words of section headings in resumes: a line made of these alone ("KEY COMPETENCIES", "Skill Details",
 * "Education Details", "Company Details", "Areas of Expertise") opens a section; it names no one's job.
 */
const HEADING_WORDS = new Set(
  (
    'about academic accomplishments achievements activities additional and areas awards career certifications ' +
    'certification company companies competencies competency computer contact core curricular declaration ' +
    'detail details education educational employment experience expertise extra highlights history hobbies ' +
    'information interests internship internships it key knowledge languages me of other overview personal ' +
    'professional profile project projects qualification qualifications references responsibilities roles ' +
    'skill skills soft strengths summary technical technologies tools training trainings used work'
  ).split(' '),
);
const MAX_HEADLINE_WORDS = 10;

function isHeading(line: string): boolean {
  const words = line.toLowerCase().match(/[a-z]+/g) ?? [];
  return words.length > 0 && words.every((word) => HEADING_WORDS.has(word));
}

/** A short line that could be a title: not a heading, a label, a sentence, an education or dated line. */
function headlineOf(line: string): string | null {
  const text = line.trim();
  if (text === '' || text.length > MAX_TITLE_CHARS || /[:.!?]$|:\s/.test(text)) return null;
  const head = text.split(TITLE_END)[0] ?? '';
  if (head.split(/\s+/).length > MAX_HEADLINE_WORDS || isHeading(head) || EDUCATION_OR_DATE.test(text)) {
    return null;
  }
  return head;
}

interface Evidence {
  occupation: Occupation;
  weight: number;
}

/**
 * The occupations a resume names, most certain first (at most five). Evidence, read from the first
 * {@link MAX_RESUME_CHARS} characters only:
 * - a labelled line: "Position: …", "Designation: …", "Role: …", "Job Title: …", "Headline: …";
 * - title-like lines among the first 15 non-empty ones: short (≤ 10 words), not a section heading ("KEY
 *   COMPETENCIES", "Skill Details", "Company Details"), no label or sentence, no degree, school or year; the
 *   part before " - ", " | ", " at " or a comma is read ("Web Designer - Trust Systems"). The first such
 *   line that names an occupation counts most, later ones less;
 * - "worked as (a) …", "working as", "joined as", "employed as", "served as": the words after "as";
 * - the first sentence under a Summary / Profile / Objective heading.
 * Each names at most one occupation (its longest known title phrase, as {@link occupationOfTitle}); an
 * occupation's weight combines its evidence as independent: 1 − Π(1 − weight of each). An ambiguous title
 * ("Test Engineer") counts when the resume's skills and words (`document`) decide it.
 */
export function occupationsOfResume(text: string, document?: DocumentEvidence): WeightedOccupation[] {
  const head = text.slice(0, MAX_RESUME_CHARS);
  const evidence: Evidence[] = [];
  const note = (title: string, weight: number): boolean => {
    const occupation = occupationOfTitle(title, document);
    if (occupation !== null) evidence.push({ occupation, weight });
    return occupation !== null;
  };

  let nonEmpty = 0;
  let headlines = 0;
  let afterSummaryHeading = false;
  for (const line of head.split(/\r\n?|\n/)) {
    if (line.trim() === '') continue;
    nonEmpty += 1;
    const labelled = LABELLED.exec(line.slice(0, MAX_TITLE_CHARS));
    if (labelled?.[1] !== undefined) {
      note(labelled[1], EVIDENCE.labelled);
    } else if (afterSummaryHeading) {
      note(line.split(/[.!?](?:\s|$)/)[0] ?? '', EVIDENCE.summary);
    } else if (nonEmpty <= HEADLINE_LINES) {
      const headline = headlineOf(line);
      if (headline !== null && note(headline, headlines === 0 ? EVIDENCE.headline : EVIDENCE.otherHeadline)) {
        headlines += 1;
      }
    }
    afterSummaryHeading = SUMMARY_HEADING.test(line.slice(0, MAX_TITLE_CHARS));
  }

  let workedAs = 0;
  for (const match of head.matchAll(WORKED_AS)) {
    if (workedAs >= MAX_WORKED_AS) break;
    workedAs += 1;
    note(match[1] ?? '', EVIDENCE.workedAs);
  }

  const combined = new Map<string, { occupation: Occupation; miss: number; first: number }>();
  evidence.forEach(({ occupation, weight }, position) => {
    const entry = combined.get(occupation.code) ?? { occupation, miss: 1, first: position };
    entry.miss *= 1 - weight;
    combined.set(occupation.code, entry);
  });
  return [...combined.values()]
    .sort((a, b) => a.miss - b.miss || a.first - b.first)
    .slice(0, MAX_OCCUPATIONS)
    .map(({ occupation, miss }) => ({ ...occupation, weight: 1 - miss }));
}

// ---------------------------------------------------------------------------------------------------------
// Relatedness

/**
 * How close two occupations are, by the strongest link between them. The tiers are O*NET's (in either
 * direction): Primary-Short are the closest few, Primary-Long the rest of the primary list, Supplemental
 * further. A shared broad occupation ('15-125': developers, programmers, testers) or only a shared family
 * (minor group) count for less, and O*NET's own tiers outrank them.
 */
export const RELATEDNESS = {
  same: 1,
  short: 0.8,
  long: 0.6,
  supplemental: 0.45,
  broad: 0.35,
  family: 0.2,
} as const;

/** Relatedness of two O*NET-SOC codes in [0, 1]; 0 for unrelated or unknown codes. */
export function relatedness(a: string, b: string): number {
  if (a === b) return RELATEDNESS.same;
  const { related } = theIndex();
  const tiers = [related.get(a)?.get(b), related.get(b)?.get(a)];
  let best = 0;
  for (const tier of tiers) if (tier !== undefined) best = Math.max(best, RELATEDNESS[tier]);
  if (best === 0 && related.has(a) && related.has(b)) {
    if (a.slice(0, 6) === b.slice(0, 6)) best = RELATEDNESS.broad;
    else if (familyOf(a) === familyOf(b)) best = RELATEDNESS.family;
  }
  return best;
}
