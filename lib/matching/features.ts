import { sharedAnalyzer, type TextAnalyzer } from './nlp.js';
import { normaliseSkill } from './vocabulary.js';

/** Bump when extraction changes: rows with an older version are recomputed before they are matched. */
export const FEATURES_VERSION = 1;

/** What matching needs of one job or candidate, computed once when it is written, never per request. */
export interface Features {
  version: number;
  /** Canonical skill ids: declared by the client plus those found in the text. */
  skills: string[];
  /** Content-word lemma → count, over the whole profile text. */
  terms: Record<string, number>;
  /** Content-word lemmas of the job title or the candidate headline. */
  titleTerms: string[];
}

export interface JobText {
  title: string;
  description: string;
  skills: string[];
}

export interface CandidateText {
  headline: string | null;
  resumeText: string;
  skills: string[];
}

function countTerms(lemmas: string[]): Record<string, number> {
  const terms: Record<string, number> = {};
  for (const lemma of lemmas) terms[lemma] = (terms[lemma] ?? 0) + 1;
  return terms;
}

function build(title: string, body: string, declaredSkills: string[], analyzer: TextAnalyzer): Features {
  const titleAnalysis = analyzer.analyze(title);
  const bodyAnalysis = analyzer.analyze(body);
  const skills = new Set([
    ...declaredSkills.map((skill) => normaliseSkill(skill)),
    ...titleAnalysis.skills,
    ...bodyAnalysis.skills,
  ]);
  return {
    version: FEATURES_VERSION,
    skills: [...skills].sort(),
    terms: countTerms([...titleAnalysis.lemmas, ...bodyAnalysis.lemmas]),
    titleTerms: [...new Set(titleAnalysis.lemmas)],
  };
}

export function extractJobFeatures(job: JobText, analyzer: TextAnalyzer = sharedAnalyzer()): Features {
  return build(job.title, job.description, job.skills, analyzer);
}

export function extractCandidateFeatures(
  candidate: CandidateText,
  analyzer: TextAnalyzer = sharedAnalyzer(),
): Features {
  return build(candidate.headline ?? '', candidate.resumeText, candidate.skills, analyzer);
}
