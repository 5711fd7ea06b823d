/**
 * The texts the benches run on: the public postings and resumes in `../shared/data` when they are there
 * (benches may read them; nothing is copied into the project), else the hand-written test fixtures.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { CandidateText, JobText } from '../../lib/matching/features.js';
import {
  DEFAULT_DATA_DIR,
  DatasetMissingError,
  loadResumeCategories,
  loadResumeJdRelevancy,
  loadVacancyResumeMatching,
} from '../../lib/matching/training/datasets.js';
import { jobCorpus, kubernetesGoCandidate, nurseCandidate } from '../../test/fixtures/corpus.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BenchPosting extends JobText {
  id: string;
}

export interface BenchResume extends CandidateText {
  id: string;
  /** The resume-categories label when known, to pick a varied handful of subjects. */
  category: string | null;
}

export interface BenchTexts {
  /** Where the texts came from, for the report. */
  source: string;
  postings: BenchPosting[];
  resumes: BenchResume[];
}

/** Years from date ranges count up to this day, so extracted features do not drift with the clock. */
export const BENCH_DATE = new Date('2026-11-01T00:00:00Z');

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim().length > 0) ?? '').trim().slice(0, 120);
}

/** The text wink reads for a posting or resume: what extraction reads first (title or headline, then body). */
export function postingText(posting: JobText): string {
  return `${posting.title}\n${posting.description}`;
}

export function resumeText(resume: CandidateText): string {
  return `${resume.headline ?? ''}\n${resume.resumeText}`;
}

function fixturePostings(): BenchPosting[] {
  return jobCorpus.map((job) => ({
    id: `fixture-${job.externalId}`,
    title: job.title,
    description: job.description,
    skills: job.skills ?? [],
    location: job.location ?? null,
    remote: job.remote ?? null,
  }));
}

function fixtureResumes(): BenchResume[] {
  return [kubernetesGoCandidate, nurseCandidate].map((candidate) => ({
    id: `fixture-${candidate.externalId}`,
    headline: candidate.headline,
    resumeText: candidate.resumeText,
    skills: candidate.skills,
    yearsExperience: candidate.yearsExperience,
    category: null,
  }));
}

/**
 * Postings: the 641 judged postings of resume-jd-relevancy (first line as title, as `npm run eval` reads
 * them), the 5 vacancies, and the ~50 fixture postings (which cover nursing, sales, trades, ...).
 * Resumes: the 166 categorised resumes, the 65 CVs, the resume-jd-relevancy resume and the 2 fixtures.
 */
export async function loadBenchTexts(dataDir = resolve(PROJECT_ROOT, DEFAULT_DATA_DIR)): Promise<BenchTexts> {
  try {
    const [relevancy, vacancies, categories] = await Promise.all([
      loadResumeJdRelevancy(dataDir),
      loadVacancyResumeMatching(dataDir),
      loadResumeCategories(dataDir),
    ]);
    const postings: BenchPosting[] = [
      ...relevancy.postings.map((posting) => ({
        id: `jd-${posting.id}`,
        title: firstLine(posting.text),
        description: posting.text,
        skills: [],
      })),
      ...vacancies.vacancies.map((vacancy) => ({
        id: `vacancy-${vacancy.id}`,
        title: vacancy.title,
        description: vacancy.text,
        skills: [],
      })),
      ...fixturePostings(),
    ];
    const resumes: BenchResume[] = [
      ...categories.map((row) => ({
        id: `resume-${row.id}`,
        headline: null,
        resumeText: row.text,
        skills: [],
        category: row.category,
      })),
      ...vacancies.cvs.map((cv) => ({
        id: `cv-${cv.id}`,
        headline: null,
        resumeText: cv.text,
        skills: [],
        category: null,
      })),
      { id: 'jd-resume', headline: null, resumeText: relevancy.resume, skills: [], category: null },
      ...fixtureResumes(),
    ];
    return {
      source: `${dataDir} (resume-jd-relevancy, vacancy-resume-matching, resume-categories) + test fixtures`,
      postings,
      resumes,
    };
  } catch (error) {
    if (!(error instanceof DatasetMissingError)) throw error;
    return {
      source: `test fixtures only (${error.path} not found)`,
      postings: fixturePostings(),
      resumes: fixtureResumes(),
    };
  }
}

/** Every `step`-th item, so a short run still spans the whole set (long and short texts, all sources). */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, index) => items[Math.floor(index * step)] as T);
}
