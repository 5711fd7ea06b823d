import { MAX_TERM_IDS, TermDictionary, type CompiledProfile } from './compiled-profile.js';
import type { Features } from './features.js';

/**
 * A dictionary with the profiles it compiled. Everything one match compiles and looks up comes from the
 * same generation, so its ids always agree, even if the cache starts a new generation meanwhile.
 */
export class CacheGeneration {
  readonly dictionary = new TermDictionary();
  private readonly entries = new Map<string, { featuresRevision: number; profile: CompiledProfile }>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The compiled profile of row `id` when it was compiled from the same features revision. */
  get(id: string, featuresRevision: number): CompiledProfile | undefined {
    const entry = this.entries.get(id);
    if (entry?.featuresRevision !== featuresRevision) return undefined;
    // Re-inserting moves the entry to the end of the Map's order: the first entry is the least recently used.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.profile;
  }

  compile(id: string, featuresRevision: number, features: Features): CompiledProfile {
    const profile = this.dictionary.compile(features);
    this.entries.delete(id);
    this.entries.set(id, { featuresRevision, profile });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return profile;
  }
}

/**
 * Compiled target profiles kept between matches, so a match moves only the ids and revisions of its pool
 * from Postgres (the features of a few thousand rows are megabytes of JSON) and compiles only what changed.
 * Least recently used profiles leave first. The dictionary only grows (a term's id must stay valid while
 * any profile uses it), so when it holds `maxTerms` terms the next match starts a new generation and
 * recompiles what it needs.
 */
export class ProfileCache {
  private generation: CacheGeneration;

  constructor(
    private readonly capacity: number,
    // Half the ids a dictionary can hold: the last match of a generation still adds the terms it meets.
    private readonly maxTerms = Math.min(MAX_TERM_IDS / 2, Math.max(100_000, capacity * 20)),
  ) {
    this.generation = new CacheGeneration(capacity);
  }

  current(): CacheGeneration {
    if (this.generation.dictionary.size >= this.maxTerms)
      this.generation = new CacheGeneration(this.capacity);
    return this.generation;
  }
}
