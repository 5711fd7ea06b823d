import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../lib/config.js';
import {
  EmbeddingModelMissingError,
  MODEL_FILE,
  sharedEmbedder,
  TextEmbedder,
  TOKENIZER_FILE,
} from '../../lib/matching/embedding.js';
import { SemanticVector, semanticCosine } from '../../lib/matching/semantic.js';

// The real model, as `npm run models:fetch` (CI's install step) unpacks it.
const { modelDir } = loadConfig().matching.embedding;

const norm = (vector: Float32Array): number => Math.sqrt(vector.reduce((total, x) => total + x * x, 0));

/** Cosine of two float vectors. */
function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < a.length; index += 1) dot += (a[index] as number) * (b[index] as number);
  return dot / (norm(a) * norm(b));
}

describe('TextEmbedder (all-MiniLM-L6-v2 int8)', () => {
  let embedder: TextEmbedder;
  beforeAll(async () => {
    embedder = await TextEmbedder.load(modelDir, { maxTokens: 128 });
  });
  afterAll(async () => {
    await embedder.release();
  });

  it('tokenises as BERT uncased does (reference word pieces)', () => {
    // bert-base-uncased's ids for these sentences, as the Hugging Face docs and course show them.
    expect(embedder.wordPieces('I have a new GPU!')).toEqual([
      101, 1045, 2031, 1037, 2047, 14246, 2226, 999, 102,
    ]);
    expect(embedder.wordPieces("Hello, y'all! How are you 😁 ?")).toEqual([
      101, 7592, 1010, 1061, 1005, 2035, 999, 2129, 2024, 2017, 100, 1029, 102,
    ]);
    expect(embedder.wordPieces('Using a Transformer network is simple')).toEqual([
      101, 2478, 1037, 10938, 2121, 2897, 2003, 3722, 102,
    ]);
    // Lower-cased, accents stripped.
    expect(embedder.wordPieces('Café RÉSUMÉ')).toEqual(embedder.wordPieces('cafe resume'));
  });

  it('gives unit-length vectors of 384 dimensions, named after the model and the word-piece limit', async () => {
    expect(embedder.dimensions).toBe(384);
    expect(embedder.name).toBe('minilm-l6-v2-q@128');
    const vectors = await embedder.embed(['Java developer', '', 'x']);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toHaveLength(384);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
  });

  it('puts texts of similar meaning closer than unrelated ones', async () => {
    const [selenium, qa, nurse, icu] = await embedder.embed([
      'Selenium test automation engineer',
      'QA engineer writing automated UI tests',
      'Registered nurse, ICU',
      'Critical care nurse for our intensive care unit',
    ]);
    if (!selenium || !qa || !nurse || !icu) throw new Error('four vectors expected');
    expect(cosine(selenium, qa)).toBeGreaterThan(cosine(selenium, nurse) + 0.3);
    expect(cosine(qa, selenium)).toBeGreaterThan(cosine(qa, icu) + 0.3);
    expect(cosine(nurse, icu)).toBeGreaterThan(cosine(nurse, qa) + 0.3);
  });

  it('is deterministic: the same text gives the same vector, alone or among others', async () => {
    const text = 'Senior backend engineer: Go, PostgreSQL, Kafka; remote within the EU.';
    const [alone] = await embedder.embed([text]);
    const [again, , among] = await embedder.embed([text, 'Registered nurse, ICU', text]);
    expect(again).toEqual(alone);
    expect(among).toEqual(alone);
  });

  it('reads only the first word pieces of a long text: 1 MB embeds as its first few kilobytes do', async () => {
    const paragraph =
      'Experienced QA engineer who writes automated UI tests with Selenium and Playwright, ' +
      'reviews pull requests and keeps the continuous-integration pipeline green. ';
    let text = '';
    while (text.length < 1_000_000) text += paragraph;
    text += 'Registered nurse, ICU. '.repeat(1000); // past the limit: must not count
    expect(embedder.wordPieces(text)).toHaveLength(128);
    expect(embedder.wordPieces(text).at(-1)).toBe(102); // [SEP] closes a truncated text too

    const head = text.slice(0, 4000);
    const [long, short] = await embedder.embed([text, head]);
    expect(long).toEqual(short);
    expect(embedder.wordPieces(text)).toEqual(embedder.wordPieces(head));
  });

  it('cuts dense text (no spaces) at the same word pieces as the whole text', () => {
    const dense = 'a,b;'.repeat(200_000);
    const pieces = embedder.wordPieces(dense);
    expect(pieces).toHaveLength(128);
    expect(pieces).toEqual(embedder.wordPieces(dense.slice(0, 1000)));
    const oneWord = 'x'.repeat(300_000); // longer than any word piece: one [UNK]
    expect(embedder.wordPieces(oneWord)).toEqual([101, 100, 102]);
    const chinese = '東京都'.repeat(350_000); // one word piece per ideograph, no spaces
    expect(embedder.wordPieces(chinese)).toEqual(embedder.wordPieces(chinese.slice(0, 600)));
    expect(embedder.wordPieces(chinese)).toHaveLength(128);
  });

  it('reads at most maxTokens × 64 characters, whatever they hold', () => {
    const spaced = `java${' '.repeat(128 * 64)}python`;
    expect(embedder.wordPieces(spaced)).toEqual(embedder.wordPieces('java'));
  });

  it('a higher limit reads further: 256 word pieces differ from 128 on a long text', async () => {
    const wide = await TextEmbedder.load(modelDir, { maxTokens: 256 });
    try {
      const text =
        'Java developer. '.repeat(40) +
        'Registered nurse in an intensive care unit, night shifts. '.repeat(20);
      expect(wide.name).toBe('minilm-l6-v2-q@256');
      const [narrowVector] = await embedder.embed([text]);
      const [wideVector] = await wide.embed([text]);
      if (!narrowVector || !wideVector) throw new Error('vectors expected');
      expect(cosine(narrowVector, wideVector)).toBeLessThan(0.99);
    } finally {
      await wide.release();
    }
  });
});

describe('stored vectors (SemanticVector)', () => {
  it('keep the model vectors’ cosines within 0.005 in a byte per dimension', async () => {
    const embedder = await TextEmbedder.load(modelDir);
    try {
      const texts = [
        'Selenium test automation engineer',
        'QA engineer writing automated UI tests',
        'Registered nurse, ICU',
        'Senior Java developer, Spring Boot, microservices',
        'Data analyst: SQL, Tableau, Python',
        'Truck driver with a CE licence, long haul',
        'Frontend engineer, React and TypeScript',
        'Accountant, IFRS reporting, SAP',
      ];
      const vectors = await embedder.embed(texts);
      const stored = vectors.map((vector) => SemanticVector.encode(vector));
      for (const text of stored) expect(text).toHaveLength(512); // 384 bytes in base64
      const decoded = stored.map((text) => SemanticVector.decode(text));
      for (let left = 0; left < vectors.length; left += 1)
        for (let right = left + 1; right < vectors.length; right += 1) {
          const exact = cosine(vectors[left] as Float32Array, vectors[right] as Float32Array);
          const approximate = semanticCosine(
            decoded[left] as SemanticVector,
            decoded[right] as SemanticVector,
          );
          expect(Math.abs(approximate - exact)).toBeLessThan(0.005);
        }
    } finally {
      await embedder.release();
    }
  });
});

describe('a missing model', () => {
  it('throws EmbeddingModelMissingError naming the folder, the files and the command to run', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-model-'));
    try {
      const error = await TextEmbedder.load(empty).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EmbeddingModelMissingError);
      expect((error as EmbeddingModelMissingError).missing).toEqual([MODEL_FILE, TOKENIZER_FILE]);
      expect((error as Error).message).toContain(empty);
      expect((error as Error).message).toContain('npm run models:fetch');

      await writeFile(join(empty, TOKENIZER_FILE), '{}');
      await expect(TextEmbedder.load(empty)).rejects.toThrow(/has no model\.onnx\./);

      const config = loadConfig({ EMBEDDING_MODEL_DIR: empty });
      const failed = sharedEmbedder(config);
      await expect(failed).rejects.toBeInstanceOf(EmbeddingModelMissingError);
      const retried = sharedEmbedder(config); // a failed load is not remembered
      expect(retried).not.toBe(failed);
      await expect(retried).rejects.toBeInstanceOf(EmbeddingModelMissingError);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('sharedEmbedder loads one embedder per process', async () => {
    const config = loadConfig();
    const first = sharedEmbedder(config);
    expect(sharedEmbedder(config)).toBe(first);
    expect((await first).name).toBe(`minilm-l6-v2-q@${config.matching.embedding.maxTokens}`);
  });
});

describe('EMBEDDING_MODEL_DIR and EMBEDDING_MAX_TOKENS', () => {
  it('take a relative folder from the project root, and refuse a limit the model cannot read', () => {
    const config = loadConfig({ EMBEDDING_MODEL_DIR: 'somewhere/else' });
    expect(config.matching.embedding.modelDir).toBe(join(process.cwd(), 'somewhere/else'));
    expect(() => loadConfig({ EMBEDDING_MAX_TOKENS: '513' })).toThrow(/EMBEDDING_MAX_TOKENS/);
    expect(loadConfig({ EMBEDDING_MAX_TOKENS: '256' }).matching.embedding.maxTokens).toBe(256);
  });
});
