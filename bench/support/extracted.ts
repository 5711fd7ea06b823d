/** Features of the bench texts, extracted once per process and shared by the scoring and match benches. */
import { extractCandidateFeatures, extractJobFeatures, type Features } from '../../lib/matching/features.js';
import { sharedAnalyzer } from '../../lib/matching/nlp.js';
import { BENCH_DATE, type BenchPosting, type BenchResume } from './corpus.js';

const cache = new Map<string, Features>();

export function postingFeatures(posting: BenchPosting): Features {
  const key = `job:${posting.id}`;
  let features = cache.get(key);
  if (!features) {
    features = extractJobFeatures(posting, sharedAnalyzer());
    cache.set(key, features);
  }
  return features;
}

export function resumeFeatures(resume: BenchResume): Features {
  const key = `candidate:${resume.id}`;
  let features = cache.get(key);
  if (!features) {
    features = extractCandidateFeatures(resume, sharedAnalyzer(), BENCH_DATE);
    cache.set(key, features);
  }
  return features;
}
