import {
  isNegated,
  normaliseTitle,
  remoteOf,
  requiredYears,
  requirementLevel,
  salaryRange,
  seniorityOf,
  type SalaryRange,
  splitSections,
  statedYears,
  yearsFromDateRanges,
} from './extractors.js';
import { sharedAnalyzer, type TextAnalyzer } from './nlp.js';
import { occupationByCode, occupationOfTitle, occupationsOfResume } from './occupations.js';
import { SemanticVector } from './semantic.js';
import { normaliseSkill, skillVocabulary } from './vocabulary.js';
import { neutraliseText } from './protected.js';
import { resolvePlace, type Coordinates, type PlaceResolution } from '../geo/gazetteer.js';

/** Bump when extraction changes: rows with an older version are recomputed before they are matched. */
export const FEATURES_VERSION = 7;

export type Seniority = 'junior' | 'mid' | 'senior' | 'lead';

/** What matching needs of one job or candidate, computed once when it is written, never per request. */
export interface Features {
  version: number;
  /** Canonical skill ids: declared by the client plus those found (and not negated) in the text. */
  skills: string[];
  /** A job's must-have skills (declared ones always are); for a candidate, all of its skills. */
  requiredSkills: string[];
  /** A job's nice-to-have skills; empty for a candidate. */
  preferredSkills: string[];
  /** Content-word lemma → count, over the whole profile text. */
  terms: Record<string, number>;
  termCount: number;
  /** Content-word lemmas of the normalised job title or candidate headline. */
  titleTerms: string[];
  /** A job's minimum years of experience; a candidate's years (stated, or summed from date ranges). */
  years: number | null;
  seniority: Seniority | null;
  /** Lowercased location. */
  location: string | null;
  /**
   * Where the profile is: the coordinates the client gave, or its location resolved through the gazetteer
   * (lib/geo/gazetteer.ts); null without a location. An ambiguous or unknown place says so, with no
   * coordinates.
   */
  place: PlaceResolution | null;
  remote: boolean | null;
  /** A job's offered range; a candidate's expectation (min = max). */
  salary: { min: number; max: number } | null;
  /**
   * O*NET-SOC occupation codes, likeliest first: a job's from its title; a candidate's from the headline,
   * then the title lines of the resume. A title O*NET files under several occupations counts when the
   * profile's own skills and words decide between them.
   */
  occupations: string[];
  /** Sentence embeddings (see semantic.ts), null until the embedder has read the profile. */
  semantic: SemanticFeatures | null;
}

export interface SemanticFeatures {
  /** The embedding model: vectors of two models are never compared. */
  model: string;
  /** The vector of what semanticText() gives the model. */
  text: string;
}

/** What makes sentence embeddings of texts; features.ts needs nothing else of the model. */
export interface Embedder {
  readonly name: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export interface JobText {
  title: string;
  description: string;
  skills: string[];
  location?: string | null;
  /** Coordinates the client gave instead of a place name. */
  coordinates?: Coordinates | null;
  remote?: boolean | null;
  minYearsExperience?: number | null;
  seniority?: string | null;
  salaryMin?: number | null;
  salaryMax?: number | null;
}

export interface CandidateText {
  headline: string | null;
  resumeText: string;
  skills: string[];
  location?: string | null;
  /** Coordinates the client gave instead of a place name. */
  coordinates?: Coordinates | null;
  remote?: boolean | null;
  yearsExperience?: number | null;
  seniority?: string | null;
  salaryExpectation?: number | null;
}

const SENIORITIES: readonly string[] = ['junior', 'mid', 'senior', 'lead'];

function asSeniority(value: string | null | undefined): Seniority | null {
  return value != null && SENIORITIES.includes(value) ? (value as Seniority) : null;
}

interface TextFacts {
  terms: Record<string, number>;
  termCount: number;
  required: Set<string>;
  preferred: Set<string>;
}

/**
 * Reads a text section by section, so a skill under "Nice to have" counts as preferred, and drops skills
 * the text negates ("no Java"). A skill mentioned both as required and as preferred is required. Without
 * `levels` (a resume, where the two are the same) every skill counts as required.
 */
function readText(text: string, analyzer: TextAnalyzer, levels: boolean): TextFacts {
  // No prototype: a lemma such as "constructor" must not find Object's own properties.
  const terms: Record<string, number> = Object.create(null) as Record<string, number>;
  let termCount = 0;
  const required = new Set<string>();
  const preferred = new Set<string>();
  for (const section of splitSections(text)) {
    const analysis = analyzer.analyze(
      section.heading === null ? section.body : `${section.heading}\n${section.body}`,
    );
    for (const lemma of analysis.lemmas) {
      terms[lemma] = (terms[lemma] ?? 0) + 1;
      termCount += 1;
    }
    for (const mention of analysis.mentions) {
      if (isNegated(mention.sentence, mention.text)) continue;
      const level = levels ? requirementLevel(section.heading, mention.sentence) : 'required';
      (level === 'required' ? required : preferred).add(mention.skill);
    }
  }
  for (const skill of required) preferred.delete(skill);
  return { terms, termCount, required, preferred };
}

/** Hours and months worked in a year: pay stated per hour or month is compared with annual figures. */
const PERIODS_PER_YEAR = { year: 1, month: 12, hour: 2080 } as const;

function yearly(range: SalaryRange | null): { min: number; max: number } | null {
  if (range === null) return null;
  const factor = PERIODS_PER_YEAR[range.period];
  return { min: range.min * factor, max: range.max * factor };
}

function titleTerms(title: string, analyzer: TextAnalyzer): string[] {
  return [...new Set(analyzer.analyze(normaliseTitle(title)).lemmas)];
}

function sorted(skills: Iterable<string>): string[] {
  return [...new Set(skills)].sort();
}

export function extractJobFeatures(posted: JobText, analyzer: TextAnalyzer = sharedAnalyzer()): Features {
  const job = neutralJob(posted);
  const facts = readText(`${job.title}\n${job.description}`, analyzer, true);
  const required = sorted([...job.skills.map((skill) => normaliseSkill(skill)), ...facts.required]);
  const preferred = sorted([...facts.preferred].filter((skill) => !required.includes(skill)));
  const offered =
    job.salaryMin != null || job.salaryMax != null ? null : yearly(salaryRange(job.description));
  const salaryMin = job.salaryMin ?? job.salaryMax ?? offered?.min ?? null;
  const salaryMax = job.salaryMax ?? job.salaryMin ?? offered?.max ?? null;
  return {
    version: FEATURES_VERSION,
    skills: sorted([...required, ...preferred]),
    requiredSkills: required,
    preferredSkills: preferred,
    terms: facts.terms,
    termCount: facts.termCount,
    titleTerms: titleTerms(job.title, analyzer),
    years: job.minYearsExperience ?? requiredYears(job.description),
    seniority: asSeniority(job.seniority) ?? seniorityOf(job.title),
    location: job.location?.trim().toLowerCase() ?? null,
    place: placeOf(job),
    remote: job.remote ?? remoteOf(`${job.title}\n${job.description}`),
    salary: salaryMin !== null && salaryMax !== null ? { min: salaryMin, max: salaryMax } : null,
    occupations: codes([
      occupationOfTitle(job.title, { skills: new Set([...required, ...preferred]), terms: facts.terms }),
    ]),
    semantic: null,
  };
}

function occupationTitle(code: string): string {
  return occupationByCode(code)?.title ?? '';
}

function codes(occupations: readonly ({ code: string } | null)[]): string[] {
  return [...new Set(occupations.flatMap((occupation) => (occupation ? [occupation.code] : [])))];
}

export function extractCandidateFeatures(
  profile: CandidateText,
  analyzer: TextAnalyzer = sharedAnalyzer(),
  now: Date = new Date(),
): Features {
  const candidate = neutralCandidate(profile);
  const headline = candidate.headline ?? '';
  const facts = readText(`${headline}\n${candidate.resumeText}`, analyzer, false);
  const skills = sorted([
    ...candidate.skills.map((skill) => normaliseSkill(skill)),
    ...facts.required,
    ...facts.preferred,
  ]);
  const expectation = candidate.salaryExpectation ?? null;
  const document = { skills: new Set(skills), terms: facts.terms };
  return {
    version: FEATURES_VERSION,
    skills,
    requiredSkills: skills,
    preferredSkills: [],
    terms: facts.terms,
    termCount: facts.termCount,
    titleTerms: titleTerms(headline, analyzer),
    years:
      candidate.yearsExperience ??
      statedYears(candidate.resumeText) ??
      yearsFromDateRanges(candidate.resumeText, now),
    seniority: asSeniority(candidate.seniority) ?? seniorityOf(headline),
    location: candidate.location?.trim().toLowerCase() ?? null,
    place: placeOf(candidate),
    remote: candidate.remote ?? null,
    salary: expectation === null ? null : { min: expectation, max: expectation },
    occupations: codes([
      candidate.headline ? occupationOfTitle(candidate.headline, document) : null,
      ...occupationsOfResume(candidate.resumeText, document),
    ]),
    semantic: null,
  };
}

function placeOf(profile: {
  location?: string | null;
  coordinates?: Coordinates | null;
}): PlaceResolution | null {
  if (profile.coordinates) return { status: 'given', ...profile.coordinates };
  const location = profile.location?.trim();
  return location ? resolvePlace(location) : null;
}

/** The job's texts with protected attributes taken out (protected.ts): what every feature reads. */
function neutralJob(job: JobText): JobText {
  return { ...job, title: neutraliseText(job.title), description: neutraliseText(job.description) };
}

function neutralCandidate(candidate: CandidateText): CandidateText {
  return {
    ...candidate,
    headline: candidate.headline === null ? null : neutraliseText(candidate.headline),
    resumeText: neutraliseText(candidate.resumeText),
  };
}

/** Skill names put before the text the embedder reads, at most: past these a list says little more. */
const SEMANTIC_SKILLS = 12;

/**
 * The text the embedder reads of a profile. The model reads only its first word pieces, so the text starts
 * with what says most about the trade: the title (a candidate without a headline: its likeliest
 * occupation's title), the skills found (a job's required ones first), then the body.
 */
export function semanticText(
  profile: { kind: 'job'; text: JobText } | { kind: 'candidate'; text: CandidateText },
  features: Features,
): string {
  const skills = [...new Set([...features.requiredSkills, ...features.skills])]
    .slice(0, SEMANTIC_SKILLS)
    .map((skill) => skillVocabulary.nameOf(skill))
    .join(', ');
  if (profile.kind === 'job') {
    const { title, description } = neutralJob(profile.text);
    return [title, skills, description].join('\n');
  }
  const { headline, resumeText } = neutralCandidate(profile.text);
  const likeliest = features.occupations[0];
  const title = headline?.trim() ? headline : likeliest === undefined ? '' : occupationTitle(likeliest);
  return [title, skills, resumeText].join('\n');
}

/** The features with their sentence embedding added. */
export async function embedFeatures(features: Features, text: string, embedder: Embedder): Promise<Features> {
  const [vector] = await embedder.embed([text]);
  if (vector === undefined) throw new Error(`embedder ${embedder.name} returned no vector`);
  return { ...features, semantic: { model: embedder.name, text: SemanticVector.encode(vector) } };
}
