import { COUNT_BITS, COUNT_ESCAPE, TermDictionary, type CompiledProfile } from './compiled-profile.js';
import type { Features } from './features.js';
import type { ProfileKind } from '../queues/registry.js';

/**
 * The features of one (job, candidate) pair, in the order the network reads them. Every value is in [0, 1];
 * 0.5 means "unknown" where one side does not say (no stated years, no location, ...).
 *
 * - requiredSkillCoverage: IDF-weighted share of the job's required skills the candidate has.
 * - preferredSkillCoverage: the same for the job's nice-to-have skills (0 when it lists none).
 * - skillJaccard: shared skills over all skills of either side.
 * - textCosine: cosine of the two TF-IDF vectors (sublinear tf) over content-word lemmas.
 * - bm25: BM25 of the job's terms against the candidate text, divided by its upper bound.
 * - titleCoverage: IDF-weighted share of the job title's words found in the candidate's text.
 * - experienceFit: 1 when the candidate has the years the job asks for (slightly less when far over),
 *   falling linearly to 0 at no experience.
 * - seniorityFit: 1 − |level gap| / 3 over junior < mid < senior < lead.
 * - locationFit: 1 for a remote job or matching locations, 0 for different cities, 0.2 when only the
 *   candidate wants remote work.
 * - salaryFit: 1 when the expectation is within the job's maximum, falling to 0 at twice the maximum.
 */
export const PAIR_FEATURE_NAMES = [
  'requiredSkillCoverage',
  'preferredSkillCoverage',
  'skillJaccard',
  'textCosine',
  'bm25',
  'titleCoverage',
  'experienceFit',
  'seniorityFit',
  'locationFit',
  'salaryFit',
] as const;

export type PairFeatureName = (typeof PAIR_FEATURE_NAMES)[number];

export const PAIR_FEATURE_COUNT = PAIR_FEATURE_NAMES.length;

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

function experienceFit(required: number | null, has: number | null): number {
  if (required === null || has === null) return UNKNOWN;
  if (required <= 0) return 1;
  if (has >= required) return Math.max(0.8, 1 - (has - required) / 50);
  return Math.max(0, has / required);
}

function seniorityFit(job: Features['seniority'], candidate: Features['seniority']): number {
  if (job === null || candidate === null) return UNKNOWN;
  return 1 - Math.abs(SENIORITY_LEVEL[job] - SENIORITY_LEVEL[candidate]) / 3;
}

function locationFit(job: CompiledProfile, candidate: CompiledProfile): number {
  if (job.remote === true) return 1;
  if (job.location !== null && candidate.location !== null) {
    return job.location.includes(candidate.location) || candidate.location.includes(job.location) ? 1 : 0;
  }
  if (job.remote === false && candidate.remote === true) return 0.2;
  return UNKNOWN;
}

function salaryFit(job: CompiledProfile['salary'], candidate: CompiledProfile['salary']): number {
  if (job === null || candidate === null || job.max <= 0) return UNKNOWN;
  if (candidate.min <= job.max) return 1;
  return Math.max(0, 1 - (candidate.min - job.max) / job.max);
}

const share = (covered: number, total: number): number => (total === 0 ? 0 : covered / total);

const jaccard = (shared: number, jobSkills: number, candidateSkills: number): number =>
  share(shared, jobSkills + candidateSkills - shared);

/** Cosine of the target's vector (dot with the unit subject vector, and its squared length). */
const cosine = (dot: number, squaredNorm: number): number =>
  squaredNorm === 0 ? 0 : Math.min(1, dot / Math.sqrt(squaredNorm));

/**
 * The pair features of one subject against the targets ranked with it. IDF is taken over the subject and
 * those targets, so no corpus-wide statistics are needed; everything about the subject (its normalised
 * TF-IDF vector, BM25 bound, skill roles) is spread once into arrays indexed by term id, and each target is
 * then read in one pass over its own terms and skills: a few array loads per term, nothing allocated.
 */
export class PairRanking {
  private readonly termIdf: Float64Array;
  private readonly skillIdf: Float64Array;
  private readonly averageTermCount: number;
  /** The subject's TF-IDF weight per term, divided by its vector's length. */
  private readonly subjectWeight: Float64Array;
  private readonly subjectCount: Uint32Array;
  private readonly subjectSkill: Uint8Array;
  /** Per term: whether it is in the subject job's title (only when the subject is a job). */
  private readonly subjectTitle: Uint8Array;
  private readonly subjectIsJob: boolean;
  private readonly jobTotals = { required: 0, preferred: 0, title: 0, bm25Bound: 0 };
  private readonly candidateLengthNorm: number;

  constructor(
    subjectKind: ProfileKind,
    private readonly subject: CompiledProfile,
    targets: readonly CompiledProfile[],
  ) {
    const { dictionary } = subject;
    const size = dictionary.size;
    this.subjectIsJob = subjectKind === 'job';
    this.termIdf = new Float64Array(size);
    this.skillIdf = new Float64Array(size);
    let totalTerms = subject.termCount;
    const count = (profile: CompiledProfile): void => {
      if (profile.dictionary !== dictionary) throw new Error('profiles compiled by different dictionaries');
      const { data, termsEnd, skillsEnd } = profile;
      for (let index = 0; index < termsEnd; index += 1) {
        const word = data[index] as number;
        (this.termIdf[word >>> COUNT_BITS] as number) += 1;
        if ((word & COUNT_ESCAPE) === COUNT_ESCAPE) index += 1;
      }
      for (let index = termsEnd; index < skillsEnd; index += 1)
        (this.skillIdf[data[index] as number] as number) += 1;
    };
    count(subject);
    for (const target of targets) {
      count(target);
      totalTerms += target.termCount;
    }
    const documents = targets.length + 1;
    // df → IDF in place; a term in no document keeps 0 (which title and skill weights read as 1).
    for (const table of [this.termIdf, this.skillIdf]) {
      for (let id = 0; id < size; id += 1) {
        const df = table[id] as number;
        if (df > 0) table[id] = Math.log(1 + (documents + 1) / (df + 1));
      }
    }
    this.averageTermCount = Math.max(1, totalTerms / documents);

    this.subjectWeight = new Float64Array(size);
    this.subjectCount = new Uint32Array(size);
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
    }
    norm = Math.sqrt(norm);
    this.subjectSkill = new Uint8Array(size);
    this.subjectTitle = new Uint8Array(this.subjectIsJob ? size : 0);
    for (let index = 0; index < termsEnd; index += 1) {
      const word = data[index] as number;
      const id = word >>> COUNT_BITS;
      if (norm > 0) (this.subjectWeight[id] as number) /= norm;
      if (this.subjectIsJob) this.jobTotals.bm25Bound += (this.termIdf[id] as number) * (BM25_K1 + 1);
      if ((word & COUNT_ESCAPE) === COUNT_ESCAPE) index += 1;
    }
    for (let index = termsEnd; index < skillsEnd; index += 1) this.subjectSkill[data[index] as number] = HAS;
    if (this.subjectIsJob) {
      for (let index = skillsEnd; index < requiredEnd; index += 1) {
        const id = data[index] as number;
        (this.subjectSkill[id] as number) |= REQUIRED;
        this.jobTotals.required += this.skillWeight(id);
      }
      for (let index = requiredEnd; index < preferredEnd; index += 1) {
        const id = data[index] as number;
        (this.subjectSkill[id] as number) |= PREFERRED;
        this.jobTotals.preferred += this.skillWeight(id);
      }
      for (let index = preferredEnd; index < data.length; index += 1) {
        const id = data[index] as number;
        this.subjectTitle[id] = 1;
        this.jobTotals.title += this.titleWeight(id);
      }
    }
    this.candidateLengthNorm = this.lengthNorm(subject.termCount);
  }

  private skillWeight(id: number): number {
    const idf = this.skillIdf[id] as number;
    return idf > 0 ? idf : 1;
  }

  private titleWeight(id: number): number {
    const idf = this.termIdf[id] as number;
    return idf > 0 ? idf : 1;
  }

  private lengthNorm(candidateTermCount: number): number {
    return BM25_K1 * (1 - BM25_B + (BM25_B * candidateTermCount) / this.averageTermCount);
  }

  /** Writes the pair's features into `out` (length PAIR_FEATURE_COUNT), so hot loops allocate nothing. */
  features(target: CompiledProfile, out: Float64Array): Float64Array {
    if (target.dictionary !== this.subject.dictionary) {
      throw new Error('profiles compiled by different dictionaries');
    }
    if (this.subjectIsJob) this.candidateTarget(target, out);
    else this.jobTarget(target, out);
    const [job, candidate] = this.subjectIsJob ? [this.subject, target] : [target, this.subject];
    out[6] = experienceFit(job.years, candidate.years);
    out[7] = seniorityFit(job.seniority, candidate.seniority);
    out[8] = locationFit(job, candidate);
    out[9] = salaryFit(job.salary, candidate.salary);
    return out;
  }

  /** Text and skill features when the subject is the job and the target a candidate. */
  private candidateTarget(candidate: CompiledProfile, out: Float64Array): void {
    const { data, termsEnd, skillsEnd } = candidate;
    let required = 0;
    let preferred = 0;
    let shared = 0;
    for (let index = termsEnd; index < skillsEnd; index += 1) {
      const id = data[index] as number;
      const role = this.subjectSkill[id] as number;
      if (role === 0) continue;
      shared += 1;
      if (role & REQUIRED) required += this.skillWeight(id);
      if (role & PREFERRED) preferred += this.skillWeight(id);
    }
    const lengthNorm = this.lengthNorm(candidate.termCount);
    let dot = 0;
    let norm = 0;
    let bm25 = 0;
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
      if ((this.subjectCount[id] as number) > 0) bm25 += (idf * tf * (BM25_K1 + 1)) / (tf + lengthNorm);
      if (this.subjectTitle[id] === 1) title += this.titleWeight(id);
    }
    out[0] = share(required, this.jobTotals.required);
    out[1] = share(preferred, this.jobTotals.preferred);
    out[2] = jaccard(shared, this.subject.skillTotal, candidate.skillTotal);
    out[3] = cosine(dot, norm);
    out[4] = share(bm25, this.jobTotals.bm25Bound);
    out[5] = share(title, this.jobTotals.title);
  }

  /** Text and skill features when the subject is the candidate and the target a job. */
  private jobTarget(job: CompiledProfile, out: Float64Array): void {
    const { data, termsEnd, skillsEnd, requiredEnd, preferredEnd } = job;
    let requiredTotal = 0;
    let required = 0;
    for (let index = skillsEnd; index < requiredEnd; index += 1) {
      const id = data[index] as number;
      const weight = this.skillWeight(id);
      requiredTotal += weight;
      if (this.subjectSkill[id] !== 0) required += weight;
    }
    let preferredTotal = 0;
    let preferred = 0;
    for (let index = requiredEnd; index < preferredEnd; index += 1) {
      const id = data[index] as number;
      const weight = this.skillWeight(id);
      preferredTotal += weight;
      if (this.subjectSkill[id] !== 0) preferred += weight;
    }
    let shared = 0;
    for (let index = termsEnd; index < skillsEnd; index += 1) {
      if (this.subjectSkill[data[index] as number] !== 0) shared += 1;
    }
    let dot = 0;
    let norm = 0;
    let bm25 = 0;
    let bound = 0;
    for (let index = 0; index < termsEnd; index += 1) {
      const word = data[index] as number;
      const id = word >>> COUNT_BITS;
      let jobTf = word & COUNT_ESCAPE;
      if (jobTf === COUNT_ESCAPE) jobTf = data[++index] as number;
      const idf = this.termIdf[id] as number;
      const weight = sublinearTf(jobTf) * idf;
      norm += weight * weight;
      dot += weight * (this.subjectWeight[id] as number);
      bound += idf * (BM25_K1 + 1);
      const tf = this.subjectCount[id] as number;
      if (tf > 0) bm25 += (idf * tf * (BM25_K1 + 1)) / (tf + this.candidateLengthNorm);
    }
    let titleTotal = 0;
    let title = 0;
    for (let index = preferredEnd; index < data.length; index += 1) {
      const id = data[index] as number;
      const weight = this.titleWeight(id);
      titleTotal += weight;
      if ((this.subjectCount[id] as number) > 0) title += weight;
    }
    out[0] = share(required, requiredTotal);
    out[1] = share(preferred, preferredTotal);
    out[2] = jaccard(shared, job.skillTotal, this.subject.skillTotal);
    out[3] = cosine(dot, norm);
    out[4] = share(bm25, bound);
    out[5] = share(title, titleTotal);
  }
}

/**
 * For callers holding plain Features (training, evaluation, tests): the pair features of any of `targets`
 * ranked against `subject`, with IDF over the subject and all the targets, exactly as rank() computes them.
 */
export function pairFeaturesAmong(
  subjectKind: ProfileKind,
  subject: Features,
  targets: readonly Features[],
): (target: Features) => Float64Array {
  const dictionary = new TermDictionary();
  const profiles = targets.map((target) => dictionary.compile(target));
  const byTarget = new Map(targets.map((target, index) => [target, profiles[index] as CompiledProfile]));
  const ranking = new PairRanking(subjectKind, dictionary.compile(subject), profiles);
  return (target) => {
    const profile = byTarget.get(target);
    if (!profile) throw new RangeError('not one of the targets this ranking was built over');
    return ranking.features(profile, new Float64Array(PAIR_FEATURE_COUNT));
  };
}
