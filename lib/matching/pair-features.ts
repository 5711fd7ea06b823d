import { COUNT_BITS, COUNT_ESCAPE, TermDictionary, type CompiledProfile } from './compiled-profile.js';
import type { Features } from './features.js';
import { familyOf, relatedness } from './occupations.js';
import { semanticCosine } from './semantic.js';
import { distanceKm } from '../geo/gazetteer.js';
import { skillWeight } from './vocabulary.js';
import type { ProfileKind } from '../queues/registry.js';

/**
 * The features of one (job, candidate) pair, in the order the network reads them. Absolute ones are in
 * [0, 1], 0.5 meaning "unknown" where one side does not say (no stated years, no occupation, ...).
 * Skill weights are IDF over the ranked pool times the skill's own weight (a transversal skill such as
 * communication weighs less than a trade's skill, see vocabulary.ts).
 *
 * - requiredSkillCoverage: weighted share of the job's required skills the candidate has.
 * - preferredSkillCoverage: the same for the job's nice-to-have skills (0 when it lists none).
 * - candidateSkillCoverage: weighted share of the candidate's skills the job names: the candidate's
 *   side of the skill match, so a posting listing a few generic skills does not "cover" every resume.
 * - skillJaccard: weighted shared skills over the skills of either side.
 * - textCosine: cosine of the two TF-IDF vectors (sublinear tf) over content-word lemmas.
 * - jobTermsBm25: BM25 of the job's terms against the candidate's text, over its upper bound.
 * - candidateTermsBm25: BM25 of the candidate's terms against the job's text, over its upper bound.
 * - requestBm25Hub: BM25 of the request's subject against the target, over the target's BM25 against
 *   itself: how much of the target the subject covers, so a catch-all target that every query reaches
 *   (a "hub") scores low against its own ceiling.
 * - titleCoverage: IDF-weighted share of the job title's words found in the candidate's text.
 * - semanticText: cosine of the two profiles' sentence embeddings (0 where negative); each embedding reads
 *   the title first (a candidate without a headline: its likeliest occupation), then the skills and text.
 * - occupationMatch: relatedness of the job's occupation to the candidate's likeliest matching one
 *   (1 same occupation, less for related ones, 0 unrelated).
 * - occupationFamily: 1 when they share an occupation family, else 0.
 * - experienceFit: 1 when the candidate has the years the job asks for (slightly less when far over),
 *   falling linearly to 0 at no experience.
 * - seniorityFit: 1 − |level gap| / 3 over junior < mid < senior < lead.
 * - locationFit: 1 for a remote job; where both places are known (given or resolved coordinates), 1 within
 *   10 km falling to 0 at 200 km; else 1 for matching location names, 0 for different ones, 0.2 when only
 *   the candidate wants remote work.
 * - salaryFit: 1 when the expectation is within the job's maximum, falling to 0 at twice the maximum.
 *
 * Then, for the features that say how well two texts fit, the same feature read relative to the request's
 * own pool (`…InPool`): its z-score among all targets ranked with it, squashed to (0, 1) by
 * 0.5 + tanh(z / 2) / 2. How good a target is depends on what else the client could be shown; the network
 * learns from both.
 * Last, subjectIsJob: 1 when a job asks for candidates, 0 when a candidate asks for jobs.
 */
export const ABSOLUTE_FEATURE_NAMES = [
  'requiredSkillCoverage',
  'preferredSkillCoverage',
  'candidateSkillCoverage',
  'skillJaccard',
  'textCosine',
  'jobTermsBm25',
  'candidateTermsBm25',
  'requestBm25Hub',
  'titleCoverage',
  'semanticText',
  'occupationMatch',
  'occupationFamily',
  'experienceFit',
  'seniorityFit',
  'locationFit',
  'salaryFit',
] as const;

export type AbsoluteFeatureName = (typeof ABSOLUTE_FEATURE_NAMES)[number];

/**
 * The absolute features not read relative to the pool: preferred skills (absent from most postings), the
 * occupation family (a coarser copy of occupationMatch) and the fits of stated facts.
 */
const ABSOLUTE_ONLY: readonly AbsoluteFeatureName[] = [
  'preferredSkillCoverage',
  'occupationFamily',
  'experienceFit',
  'seniorityFit',
  'locationFit',
  'salaryFit',
];

/** The absolute features that are also read relative to the pool, in the same order. */
const POOL_RELATIVE = ABSOLUTE_FEATURE_NAMES.filter((name) => !ABSOLUTE_ONLY.includes(name));

export const PAIR_FEATURE_NAMES = [
  ...ABSOLUTE_FEATURE_NAMES,
  ...POOL_RELATIVE.map((name) => `${name}InPool` as const),
  'subjectIsJob',
] as const;

export type PairFeatureName = (typeof PAIR_FEATURE_NAMES)[number];

export const PAIR_FEATURE_COUNT = PAIR_FEATURE_NAMES.length;

const ABSOLUTE_COUNT = ABSOLUTE_FEATURE_NAMES.length;

/**
 * Each absolute feature with the index of its pool-relative twin (-1 when it has none): one signal read two
 * ways, which an explanation must move together to say what that signal did.
 */
export const FEATURE_GROUPS: readonly { feature: AbsoluteFeatureName; index: number; twin: number }[] =
  ABSOLUTE_FEATURE_NAMES.map((feature, index) => {
    const relative = POOL_RELATIVE.indexOf(feature);
    return { feature, index, twin: relative === -1 ? -1 : ABSOLUTE_COUNT + relative };
  });
const at = (name: AbsoluteFeatureName): number => ABSOLUTE_FEATURE_NAMES.indexOf(name);
const RELATIVE_SOURCES = Int32Array.from(POOL_RELATIVE, at);
const SUBJECT_IS_JOB = PAIR_FEATURE_COUNT - 1;

const F = {
  required: at('requiredSkillCoverage'),
  preferred: at('preferredSkillCoverage'),
  candidateSkills: at('candidateSkillCoverage'),
  jaccard: at('skillJaccard'),
  cosine: at('textCosine'),
  jobBm25: at('jobTermsBm25'),
  candidateBm25: at('candidateTermsBm25'),
  hub: at('requestBm25Hub'),
  title: at('titleCoverage'),
  semanticText: at('semanticText'),
  occupation: at('occupationMatch'),
  family: at('occupationFamily'),
  experience: at('experienceFit'),
  seniority: at('seniorityFit'),
  location: at('locationFit'),
  salary: at('salaryFit'),
};

const UNKNOWN = 0.5;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const SENIORITY_LEVEL = { junior: 0, mid: 1, senior: 2, lead: 3 } as const;

/** Bits of a skill's role in the subject. */
const HAS = 1;
const REQUIRED = 2;
const PREFERRED = 4;

/**
 * Sublinear tf, 1 + ln(tf), for the counts a term's word holds: the pair loops would otherwise take a
 * logarithm per term per pair. The same Math.log, so the same bits.
 */
const SUBLINEAR_TF = Float64Array.from({ length: COUNT_ESCAPE }, (_, tf) => 1 + Math.log(tf));

const sublinearTf = (tf: number): number =>
  tf < COUNT_ESCAPE ? (SUBLINEAR_TF[tf] as number) : 1 + Math.log(tf);

/*
 * How well each stated fact fits, null where either side does not say: the pair features read null as
 * UNKNOWN, the category scores (categories.ts) as "not known".
 */

export function experienceFit(required: number | null, has: number | null): number | null {
  if (required === null || has === null) return null;
  if (required <= 0) return 1;
  if (has >= required) return Math.max(0.8, 1 - (has - required) / 50);
  return Math.max(0, has / required);
}

export function seniorityFit(job: Features['seniority'], candidate: Features['seniority']): number | null {
  if (job === null || candidate === null) return null;
  return 1 - Math.abs(SENIORITY_LEVEL[job] - SENIORITY_LEVEL[candidate]) / 3;
}

/** Within this distance two places are one; the fit then falls linearly to 0 at NO_COMMUTE_KM. */
const SAME_PLACE_KM = 10;
const NO_COMMUTE_KM = 200;

export function locationFit(job: CompiledProfile, candidate: CompiledProfile): number | null {
  if (job.remote === true) return 1;
  if (job.coordinates !== null && candidate.coordinates !== null) {
    const km = distanceKm(job.coordinates, candidate.coordinates);
    return Math.max(0, Math.min(1, 1 - (km - SAME_PLACE_KM) / (NO_COMMUTE_KM - SAME_PLACE_KM)));
  }
  if (job.location !== null && candidate.location !== null) {
    return job.location.includes(candidate.location) || candidate.location.includes(job.location) ? 1 : 0;
  }
  if (job.remote === false && candidate.remote === true) return 0.2;
  return null;
}

export function salaryFit(
  job: CompiledProfile['salary'],
  candidate: CompiledProfile['salary'],
): number | null {
  if (job === null || candidate === null || job.max <= 0) return null;
  if (candidate.min <= job.max) return 1;
  return Math.max(0, 1 - (candidate.min - job.max) / job.max);
}

/** The candidate's occupations past the first few are guesses from lines deep in the resume. */
const CANDIDATE_OCCUPATIONS_READ = 3;

export interface OccupationPair {
  job: string;
  /** The candidate's occupation closest to the job's. */
  candidate: string;
  relatedness: number;
  sameFamily: boolean;
}

/** The job's occupation against the candidate's closest one; null when either side has none. */
export function occupationPair(job: CompiledProfile, candidate: CompiledProfile): OccupationPair | null {
  const jobOccupation = job.occupations[0];
  if (jobOccupation === undefined || candidate.occupations.length === 0) return null;
  const family = familyOf(jobOccupation);
  let best: OccupationPair | null = null;
  const read = Math.min(CANDIDATE_OCCUPATIONS_READ, candidate.occupations.length);
  for (let index = 0; index < read; index += 1) {
    const code = candidate.occupations[index] as string;
    const pair = {
      job: jobOccupation,
      candidate: code,
      relatedness: relatedness(jobOccupation, code),
      sameFamily: familyOf(code) === family,
    };
    if (
      best === null ||
      pair.relatedness > best.relatedness ||
      (pair.relatedness === best.relatedness && pair.sameFamily && !best.sameFamily)
    )
      best = pair;
  }
  return best;
}

function occupationFeatures(job: CompiledProfile, candidate: CompiledProfile, out: Float64Array): void {
  const pair = occupationPair(job, candidate);
  out[F.occupation] = pair === null ? UNKNOWN : pair.relatedness;
  out[F.family] = pair === null ? UNKNOWN : pair.sameFamily ? 1 : 0;
}

function semanticFeature(job: CompiledProfile, candidate: CompiledProfile): number {
  if (job.semantic === null || candidate.semantic === null || job.semanticModel !== candidate.semanticModel)
    return UNKNOWN;
  return Math.max(0, semanticCosine(job.semantic, candidate.semantic));
}

const share = (covered: number, total: number): number => (total === 0 ? 0 : covered / total);

/** Cosine of the target's vector (dot with the unit subject vector, and its squared length). */
const cosine = (dot: number, squaredNorm: number): number =>
  squaredNorm === 0 ? 0 : Math.min(1, dot / Math.sqrt(squaredNorm));

const squash = (z: number): number => 0.5 + Math.tanh(z / 2) / 2;

/**
 * The arrays indexed by term id that one ranking fills. They span the whole dictionary (a worker's cache
 * may number millions of terms) while a ranking touches only its pool's terms, so they are reused: a
 * ranking takes a set, remembers which ids it wrote, and gives the set back with only those cleared. Its
 * cost then follows the pool, not the dictionary.
 */
class TermScratch {
  readonly termIdf: Float64Array;
  /** Per skill id: IDF over the pool times the skill's own weight. */
  readonly skillWeights: Float64Array;
  /** The subject's TF-IDF weight per term, divided by its vector's length. */
  readonly subjectWeight: Float64Array;
  readonly subjectCount: Uint32Array;
  readonly subjectSkill: Uint8Array;
  /** Per term: whether it is in the subject job's title (only when the subject is a job). */
  readonly subjectTitle: Uint8Array;
  /** The ids whose termIdf this ranking wrote (a pool's terms, far fewer than the dictionary's). */
  readonly touchedTerms: number[] = [];
  /** The ids whose skillWeights this ranking wrote. */
  readonly touchedSkills: number[] = [];

  constructor(readonly capacity: number) {
    this.termIdf = new Float64Array(capacity);
    this.skillWeights = new Float64Array(capacity);
    this.subjectWeight = new Float64Array(capacity);
    this.subjectCount = new Uint32Array(capacity);
    this.subjectSkill = new Uint8Array(capacity);
    this.subjectTitle = new Uint8Array(capacity);
  }

  clear(subject: CompiledProfile): void {
    for (const id of this.touchedTerms) this.termIdf[id] = 0;
    for (const id of this.touchedSkills) this.skillWeights[id] = 0;
    this.touchedTerms.length = 0;
    this.touchedSkills.length = 0;
    const { data, termsEnd } = subject;
    for (let index = 0; index < termsEnd; index += 1) {
      const word = data[index] as number;
      const id = word >>> COUNT_BITS;
      this.subjectWeight[id] = 0;
      this.subjectCount[id] = 0;
      if ((word & COUNT_ESCAPE) === COUNT_ESCAPE) index += 1;
    }
    for (let index = termsEnd; index < data.length; index += 1) {
      const id = data[index] as number;
      this.subjectSkill[id] = 0;
      this.subjectTitle[id] = 0;
    }
  }
}

/**
 * Scratch sets given back, per dictionary: as many as rankings ran at once, at most SPARE_SCRATCH (a set
 * of a dictionary of millions of terms is tens of megabytes).
 */
const spareScratch = new WeakMap<TermDictionary, TermScratch[]>();
const SPARE_SCRATCH = 2;

function takeScratch(dictionary: TermDictionary): TermScratch {
  const spare = spareScratch.get(dictionary) ?? [];
  spareScratch.set(dictionary, spare);
  for (let scratch = spare.pop(); scratch !== undefined; scratch = spare.pop()) {
    if (scratch.capacity >= dictionary.size) return scratch;
  }
  // Room for the terms the next rankings add, so a growing dictionary does not mean a new set each time.
  return new TermScratch(Math.ceil(dictionary.size * 1.25) + 1024);
}

function giveBackScratch(dictionary: TermDictionary, scratch: TermScratch): void {
  const spare = spareScratch.get(dictionary);
  if (spare !== undefined && spare.length < SPARE_SCRATCH) spare.push(scratch);
}

/**
 * The pair features of one subject against the targets ranked with it (the request's pool). IDF is taken
 * over the subject and those targets, so no corpus-wide statistics are needed; everything about the
 * subject (its normalised TF-IDF vector, BM25 bound, skill roles) is spread once into arrays indexed by
 * term id, and each target is then read in one pass over its own terms and skills: a few array loads per
 * term, nothing allocated. Absolute features are written per target (`measure`), then `relate` reads the
 * pool's statistics and fills the relative ones; `release` gives the term arrays back for the next ranking.
 */
export class PairRanking {
  /** Per target, PAIR_FEATURE_COUNT values. */
  readonly matrix: Float64Array;
  private scratch: TermScratch | null;
  private readonly termIdf: Float64Array;
  private readonly skillWeights: Float64Array;
  private readonly subjectWeight: Float64Array;
  private readonly subjectCount: Uint32Array;
  private readonly subjectSkill: Uint8Array;
  private readonly subjectTitle: Uint8Array;
  private readonly averageTermCount: number;
  private readonly subjectIsJob: boolean;
  private readonly subjectTotals = { required: 0, preferred: 0, skills: 0, title: 0, bm25Bound: 0 };
  private readonly subjectLengthNorm: number;

  constructor(
    subjectKind: ProfileKind,
    private readonly subject: CompiledProfile,
    private readonly targets: readonly CompiledProfile[],
  ) {
    const { dictionary } = subject;
    this.subjectIsJob = subjectKind === 'job';
    this.matrix = new Float64Array(targets.length * PAIR_FEATURE_COUNT);
    for (const target of targets) {
      if (target.dictionary !== dictionary) throw new Error('profiles compiled by different dictionaries');
    }
    const scratch = takeScratch(dictionary);
    this.scratch = scratch;
    ({
      termIdf: this.termIdf,
      skillWeights: this.skillWeights,
      subjectWeight: this.subjectWeight,
      subjectCount: this.subjectCount,
      subjectSkill: this.subjectSkill,
      subjectTitle: this.subjectTitle,
    } = scratch);
    let totalTerms = subject.termCount;
    const { termIdf, skillWeights, touchedTerms, touchedSkills } = scratch;
    const count = (profile: CompiledProfile): void => {
      const { data, termsEnd, skillsEnd } = profile;
      for (let index = 0; index < termsEnd; index += 1) {
        const word = data[index] as number;
        const id = word >>> COUNT_BITS;
        const df = termIdf[id] as number;
        if (df === 0) touchedTerms.push(id);
        termIdf[id] = df + 1;
        if ((word & COUNT_ESCAPE) === COUNT_ESCAPE) index += 1;
      }
      for (let index = termsEnd; index < skillsEnd; index += 1) {
        const id = data[index] as number;
        const df = skillWeights[id] as number;
        if (df === 0) touchedSkills.push(id);
        skillWeights[id] = df + 1;
      }
    };
    count(subject);
    for (const target of targets) {
      count(target);
      totalTerms += target.termCount;
    }
    const documents = targets.length + 1;
    const idf = (df: number): number => Math.log(1 + (documents + 1) / (df + 1));
    // df → IDF in place, for the ids counted; a term in no document keeps 0 (which title weights read as 1).
    for (const id of touchedTerms) termIdf[id] = idf(termIdf[id] as number);
    for (const id of touchedSkills)
      skillWeights[id] = idf(skillWeights[id] as number) * skillWeight(dictionary.termOf(id));
    this.averageTermCount = Math.max(1, totalTerms / documents);

    const { data, termsEnd, skillsEnd, requiredEnd, preferredEnd } = subject;
    let norm = 0;
    for (let index = 0; index < termsEnd; index += 1) {
      const word = data[index] as number;
      const id = word >>> COUNT_BITS;
      let tf = word & COUNT_ESCAPE;
      if (tf === COUNT_ESCAPE) tf = data[++index] as number;
      const weight = sublinearTf(tf) * (this.termIdf[id] as number);
      this.subjectWeight[id] = weight;
      this.subjectCount[id] = tf;
      norm += weight * weight;
      this.subjectTotals.bm25Bound += (this.termIdf[id] as number) * (BM25_K1 + 1);
    }
    norm = Math.sqrt(norm);
    for (let index = 0; index < termsEnd && norm > 0; index += 1) {
      const word = data[index] as number;
      (this.subjectWeight[word >>> COUNT_BITS] as number) /= norm;
      if ((word & COUNT_ESCAPE) === COUNT_ESCAPE) index += 1;
    }
    for (let index = termsEnd; index < skillsEnd; index += 1) {
      const id = data[index] as number;
      this.subjectSkill[id] = HAS;
      this.subjectTotals.skills += this.skillWeights[id] as number;
    }
    if (this.subjectIsJob) {
      for (let index = skillsEnd; index < requiredEnd; index += 1) {
        const id = data[index] as number;
        (this.subjectSkill[id] as number) |= REQUIRED;
        this.subjectTotals.required += this.skillWeights[id] as number;
      }
      for (let index = requiredEnd; index < preferredEnd; index += 1) {
        const id = data[index] as number;
        (this.subjectSkill[id] as number) |= PREFERRED;
        this.subjectTotals.preferred += this.skillWeights[id] as number;
      }
      for (let index = preferredEnd; index < data.length; index += 1) {
        const id = data[index] as number;
        this.subjectTitle[id] = 1;
        this.subjectTotals.title += this.titleWeight(id);
      }
    }
    this.subjectLengthNorm = this.lengthNorm(subject.termCount);
  }

  /**
   * Gives the term arrays back (cleared) for the next ranking over the dictionary; the matrix stays
   * readable, but no target can be measured any more.
   */
  release(): void {
    if (this.scratch === null) return;
    this.scratch.clear(this.subject);
    giveBackScratch(this.subject.dictionary, this.scratch);
    this.scratch = null;
  }

  private titleWeight(id: number): number {
    const idf = this.termIdf[id] as number;
    return idf > 0 ? idf : 1;
  }

  private lengthNorm(termCount: number): number {
    return BM25_K1 * (1 - BM25_B + (BM25_B * termCount) / this.averageTermCount);
  }

  /** The features of target `index` (a view into `matrix`). */
  features(index: number): Float64Array {
    return this.matrix.subarray(index * PAIR_FEATURE_COUNT, (index + 1) * PAIR_FEATURE_COUNT);
  }

  /** Writes the absolute features of target `index`; every target is measured before `relate()`. */
  measure(index: number): void {
    if (this.scratch === null) throw new Error('a released ranking measures no more targets');
    const target = this.targets[index];
    if (target === undefined) throw new RangeError(`no target ${index}`);
    const out = this.features(index);
    if (this.subjectIsJob) this.candidateTarget(target, out);
    else this.jobTarget(target, out);
    const [job, candidate] = this.subjectIsJob ? [this.subject, target] : [target, this.subject];
    out[F.semanticText] = semanticFeature(job, candidate);
    occupationFeatures(job, candidate, out);
    out[F.experience] = experienceFit(job.years, candidate.years) ?? UNKNOWN;
    out[F.seniority] = seniorityFit(job.seniority, candidate.seniority) ?? UNKNOWN;
    out[F.location] = locationFit(job, candidate) ?? UNKNOWN;
    out[F.salary] = salaryFit(job.salary, candidate.salary) ?? UNKNOWN;
    out[SUBJECT_IS_JOB] = this.subjectIsJob ? 1 : 0;
  }

  /** Fills the pool-relative features from the absolute ones of every target. */
  relate(): void {
    const count = this.targets.length;
    const matrix = this.matrix;
    for (const [offset, source] of RELATIVE_SOURCES.entries()) {
      let sum = 0;
      let squares = 0;
      for (let row = source; row < matrix.length; row += PAIR_FEATURE_COUNT) {
        const value = matrix[row] as number;
        sum += value;
        squares += value * value;
      }
      const mean = count === 0 ? 0 : sum / count;
      const deviation = Math.sqrt(Math.max(0, (count === 0 ? 0 : squares / count) - mean * mean));
      const column = ABSOLUTE_COUNT + offset;
      for (let base = 0; base < matrix.length; base += PAIR_FEATURE_COUNT) {
        // A feature every target shares says nothing about this pool: it sits at the middle.
        matrix[base + column] =
          deviation < 1e-9 ? 0.5 : squash(((matrix[base + source] as number) - mean) / deviation);
      }
    }
  }

  /** measure() every target, relate(), release(): for callers that need not yield between targets. */
  measureAll(): this {
    for (let index = 0; index < this.targets.length; index += 1) this.measure(index);
    this.relate();
    this.release();
    return this;
  }

  /** Text and skill features when the subject is the job and the target a candidate. */
  private candidateTarget(candidate: CompiledProfile, out: Float64Array): void {
    const { data, termsEnd, skillsEnd } = candidate;
    let required = 0;
    let preferred = 0;
    let shared = 0;
    let candidateSkills = 0;
    for (let index = termsEnd; index < skillsEnd; index += 1) {
      const id = data[index] as number;
      const weight = this.skillWeights[id] as number;
      candidateSkills += weight;
      const role = this.subjectSkill[id] as number;
      if (role === 0) continue;
      shared += weight;
      if (role & REQUIRED) required += weight;
      if (role & PREFERRED) preferred += weight;
    }
    const lengthNorm = this.lengthNorm(candidate.termCount);
    let dot = 0;
    let norm = 0;
    let jobBm25 = 0;
    let candidateBm25 = 0;
    let candidateBound = 0;
    let candidateSelf = 0;
    let title = 0;
    for (let index = 0; index < termsEnd; index += 1) {
      const word = data[index] as number;
      const id = word >>> COUNT_BITS;
      let tf = word & COUNT_ESCAPE;
      if (tf === COUNT_ESCAPE) tf = data[++index] as number;
      const idf = this.termIdf[id] as number;
      const weight = sublinearTf(tf) * idf;
      norm += weight * weight;
      dot += weight * (this.subjectWeight[id] as number);
      const saturated = (idf * tf * (BM25_K1 + 1)) / (tf + lengthNorm);
      candidateSelf += saturated;
      candidateBound += idf * (BM25_K1 + 1);
      const jobTf = this.subjectCount[id] as number;
      if (jobTf > 0) {
        jobBm25 += saturated;
        candidateBm25 += (idf * jobTf * (BM25_K1 + 1)) / (jobTf + this.subjectLengthNorm);
      }
      if (this.subjectTitle[id] === 1) title += this.titleWeight(id);
    }
    out[F.required] = share(required, this.subjectTotals.required);
    out[F.preferred] = share(preferred, this.subjectTotals.preferred);
    out[F.candidateSkills] = share(shared, candidateSkills);
    out[F.jaccard] = share(shared, this.subjectTotals.skills + candidateSkills - shared);
    out[F.cosine] = cosine(dot, norm);
    out[F.jobBm25] = share(jobBm25, this.subjectTotals.bm25Bound);
    out[F.candidateBm25] = share(candidateBm25, candidateBound);
    out[F.hub] = Math.min(1, share(jobBm25, candidateSelf));
    out[F.title] = share(title, this.subjectTotals.title);
  }

  /** Text and skill features when the subject is the candidate and the target a job. */
  private jobTarget(job: CompiledProfile, out: Float64Array): void {
    const { data, termsEnd, skillsEnd, requiredEnd, preferredEnd } = job;
    let requiredTotal = 0;
    let required = 0;
    for (let index = skillsEnd; index < requiredEnd; index += 1) {
      const id = data[index] as number;
      const weight = this.skillWeights[id] as number;
      requiredTotal += weight;
      if (this.subjectSkill[id] !== 0) required += weight;
    }
    let preferredTotal = 0;
    let preferred = 0;
    for (let index = requiredEnd; index < preferredEnd; index += 1) {
      const id = data[index] as number;
      const weight = this.skillWeights[id] as number;
      preferredTotal += weight;
      if (this.subjectSkill[id] !== 0) preferred += weight;
    }
    let shared = 0;
    let jobSkills = 0;
    for (let index = termsEnd; index < skillsEnd; index += 1) {
      const id = data[index] as number;
      const weight = this.skillWeights[id] as number;
      jobSkills += weight;
      if (this.subjectSkill[id] !== 0) shared += weight;
    }
    const lengthNorm = this.lengthNorm(job.termCount);
    let dot = 0;
    let norm = 0;
    let jobBm25 = 0;
    let jobBound = 0;
    let candidateBm25 = 0;
    let jobSelf = 0;
    for (let index = 0; index < termsEnd; index += 1) {
      const word = data[index] as number;
      const id = word >>> COUNT_BITS;
      let jobTf = word & COUNT_ESCAPE;
      if (jobTf === COUNT_ESCAPE) jobTf = data[++index] as number;
      const idf = this.termIdf[id] as number;
      const weight = sublinearTf(jobTf) * idf;
      norm += weight * weight;
      dot += weight * (this.subjectWeight[id] as number);
      jobBound += idf * (BM25_K1 + 1);
      const saturated = (idf * jobTf * (BM25_K1 + 1)) / (jobTf + lengthNorm);
      jobSelf += saturated;
      const tf = this.subjectCount[id] as number;
      if (tf > 0) {
        jobBm25 += (idf * tf * (BM25_K1 + 1)) / (tf + this.subjectLengthNorm);
        candidateBm25 += saturated;
      }
    }
    let titleTotal = 0;
    let title = 0;
    for (let index = preferredEnd; index < data.length; index += 1) {
      const id = data[index] as number;
      const weight = this.titleWeight(id);
      titleTotal += weight;
      if ((this.subjectCount[id] as number) > 0) title += weight;
    }
    out[F.required] = share(required, requiredTotal);
    out[F.preferred] = share(preferred, preferredTotal);
    out[F.candidateSkills] = share(shared, this.subjectTotals.skills);
    out[F.jaccard] = share(shared, jobSkills + this.subjectTotals.skills - shared);
    out[F.cosine] = cosine(dot, norm);
    out[F.jobBm25] = share(jobBm25, jobBound);
    out[F.candidateBm25] = share(candidateBm25, this.subjectTotals.bm25Bound);
    out[F.hub] = Math.min(1, share(candidateBm25, jobSelf));
    out[F.title] = share(title, titleTotal);
  }
}

/**
 * For callers holding plain Features (training, evaluation, tests): the pair features of any of `targets`
 * ranked against `subject` as one pool, exactly as rank() computes them.
 */
export function pairFeaturesAmong(
  subjectKind: ProfileKind,
  subject: Features,
  targets: readonly Features[],
): (target: Features) => Float64Array {
  const dictionary = new TermDictionary();
  const profiles = targets.map((target) => dictionary.compile(target));
  const ranking = new PairRanking(subjectKind, dictionary.compile(subject), profiles).measureAll();
  const indexOf = new Map(targets.map((target, index) => [target, index]));
  return (target) => {
    const index = indexOf.get(target);
    if (index === undefined) throw new RangeError('not one of the targets this ranking was built over');
    return ranking.features(index).slice();
  };
}
