/**
 * Features of the bench texts (sentence embeddings included), extracted once per process by
 * extractBenchFeatures and shared by the scoring, match and service benches.
 */
import { loadConfig } from '../../lib/config.js';
import { sharedEmbedder } from '../../lib/matching/embedding.js';
import {
  embedFeatures,
  extractCandidateFeatures,
  extractJobFeatures,
  semanticText,
  type Features,
} from '../../lib/matching/features.js';
import { sharedAnalyzer } from '../../lib/matching/nlp.js';
import { BENCH_DATE, type BenchPosting, type BenchResume, type BenchTexts } from './corpus.js';

const cache = new Map<string, Features>();

/** Extracts and embeds every posting and resume of `texts` (once: later calls find them done). */
export async function extractBenchFeatures(texts: BenchTexts): Promise<void> {
  const embedder = await sharedEmbedder(loadConfig());
  for (const posting of texts.postings) {
    const key = `job:${posting.id}`;
    if (cache.has(key)) continue;
    const features = extractJobFeatures(posting, sharedAnalyzer());
    cache.set(
      key,
      await embedFeatures(features, semanticText({ kind: 'job', text: posting }, features), embedder),
    );
  }
  for (const resume of texts.resumes) {
    const key = `candidate:${resume.id}`;
    if (cache.has(key)) continue;
    const features = extractCandidateFeatures(resume, sharedAnalyzer(), BENCH_DATE);
    cache.set(
      key,
      await embedFeatures(features, semanticText({ kind: 'candidate', text: resume }, features), embedder),
    );
  }
}

function extracted(key: string): Features {
  const features = cache.get(key);
  if (!features) throw new Error(`${key}: extractBenchFeatures has not read this text`);
  return features;
}

export const postingFeatures = (posting: BenchPosting): Features => extracted(`job:${posting.id}`);

export const resumeFeatures = (resume: BenchResume): Features => extracted(`candidate:${resume.id}`);
