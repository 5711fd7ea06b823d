import { distanceKm } from '../geo/gazetteer.js';
import type { CompiledProfile } from './compiled-profile.js';
import {
  experienceFit,
  locationFit,
  occupationPair,
  PAIR_FEATURE_NAMES,
  salaryFit,
  seniorityFit,
  type AbsoluteFeatureName,
} from './pair-features.js';

/**
 * What a recruiter reads a match by. Each category holds some of the pair features (pair-features.ts): its
 * score is read from them and from the stated facts, never from the model, so it means the same under
 * every model version; a request's weights (weights.ts) move the model's pull toward the same groups.
 */
export const CATEGORIES = [
  'skills',
  'occupation',
  'text',
  'experience',
  'seniority',
  'location',
  'salary',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** Each category's scores: 0 to 1, null where either side does not say. */
export type CategoryScores = Record<Category, number | null>;

export const CATEGORY_FEATURES: Readonly<Record<Category, readonly AbsoluteFeatureName[]>> = {
  skills: ['requiredSkillCoverage', 'preferredSkillCoverage', 'candidateSkillCoverage', 'skillJaccard'],
  occupation: ['occupationMatch', 'occupationFamily', 'titleCoverage'],
  text: ['textCosine', 'jobTermsBm25', 'candidateTermsBm25', 'requestBm25Hub', 'semanticText'],
  experience: ['experienceFit'],
  seniority: ['seniorityFit'],
  location: ['locationFit'],
  salary: ['salaryFit'],
};

const at = (name: AbsoluteFeatureName): number => PAIR_FEATURE_NAMES.indexOf(name);
const REQUIRED_COVERAGE = at('requiredSkillCoverage');
const PREFERRED_COVERAGE = at('preferredSkillCoverage');
const TEXT_COSINE = at('textCosine');
const SEMANTIC = at('semanticText');

const round = (value: number): number => Math.round(value * 1000) / 1000;
const rounded = (value: number | null): number | null => (value === null ? null : round(value));

function hasSemantic(job: CompiledProfile, candidate: CompiledProfile): boolean {
  return (
    job.semantic !== null && candidate.semantic !== null && job.semanticModel === candidate.semanticModel
  );
}

/** The category scores of one pair, from its (unweighted) pair features. */
export function categoryScores(
  job: CompiledProfile,
  candidate: CompiledProfile,
  features: Float64Array,
): CategoryScores {
  const skills =
    job.requiredSkills().length > 0
      ? (features[REQUIRED_COVERAGE] as number)
      : job.preferredSkills().length > 0
        ? (features[PREFERRED_COVERAGE] as number)
        : null;
  return {
    skills: rounded(skills),
    occupation: rounded(occupationPair(job, candidate)?.relatedness ?? null),
    text: round(features[hasSemantic(job, candidate) ? SEMANTIC : TEXT_COSINE] as number),
    experience: rounded(experienceFit(job.years, candidate.years)),
    seniority: rounded(seniorityFit(job.seniority, candidate.seniority)),
    location: rounded(locationFit(job, candidate)),
    salary: rounded(salaryFit(job.salary, candidate.salary)),
  };
}

const years = (value: number): string => `${Number(value.toFixed(1))} year${value === 1 ? '' : 's'}`;

function skillsPart(job: CompiledProfile, candidate: CompiledProfile): string | null {
  const has = new Set(candidate.skills());
  const required = job.requiredSkills();
  const listed = required.length > 0 ? required : job.skills();
  if (listed.length === 0) return null;
  const matched = [...listed].filter((skill) => has.has(skill)).length;
  return `${matched} of ${listed.length} ${required.length > 0 ? 'required ' : ''}skills`;
}

function experiencePart(job: CompiledProfile, candidate: CompiledProfile): string | null {
  if (job.years === null || job.years <= 0 || candidate.years === null) return null;
  return candidate.years >= job.years
    ? `${years(candidate.years)} for the ${years(job.years)} asked`
    : `${years(job.years - candidate.years)} short of the ${years(job.years)} asked`;
}

function locationPart(job: CompiledProfile, candidate: CompiledProfile): string | null {
  if (job.remote === true) return 'remote';
  if (job.coordinates !== null && candidate.coordinates !== null)
    return `${Math.round(distanceKm(job.coordinates, candidate.coordinates))} km away`;
  if (job.location !== null && candidate.location !== null)
    return locationFit(job, candidate) === 1 ? 'same location' : 'different location';
  if (job.remote === false && candidate.remote === true) return 'wants remote, the job is on site';
  return null;
}

function salaryPart(job: CompiledProfile, candidate: CompiledProfile): string | null {
  if (job.salary === null || candidate.salary === null || job.salary.max <= 0) return null;
  if (candidate.salary.min <= job.salary.max) return 'pay within range';
  const over = Math.round(((candidate.salary.min - job.salary.max) / job.salary.max) * 100);
  return `expects ${over}% above the pay range`;
}

/**
 * One line a recruiter reads first, from the stated facts of both sides: "7 of 9 required skills; 3 years
 * short of the 8 asked; senior for a lead role; 12 km away". What neither side states is left out.
 */
export function summarize(job: CompiledProfile, candidate: CompiledProfile): string {
  const occupation = occupationPair(job, candidate);
  const seniority =
    job.seniority !== null && candidate.seniority !== null && job.seniority !== candidate.seniority
      ? `${candidate.seniority} for a ${job.seniority} role`
      : null;
  const parts = [
    skillsPart(job, candidate),
    occupation === null
      ? null
      : occupation.job === occupation.candidate
        ? 'same occupation'
        : occupation.relatedness > 0
          ? 'related occupation'
          : 'different occupation',
    experiencePart(job, candidate),
    seniority,
    locationPart(job, candidate),
    salaryPart(job, candidate),
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join('; ') : 'no stated facts to compare';
}
