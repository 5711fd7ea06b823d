import type { Features, Seniority } from './features.js';

/**
 * A profile's features with every term and skill replaced by a small integer, so that ranking touches
 * typed arrays only: no string hashing, no per-pair maps. Terms and skills share one id space; each
 * profile keeps a reference to the dictionary that numbered it, and ids from two dictionaries never meet.
 */
export interface CompiledProfile {
  readonly dictionary: TermDictionary;
  /** Ids of the distinct terms; `termCounts[i]` is how often `termIds[i]` occurs. */
  readonly termIds: Uint32Array;
  readonly termCounts: Uint32Array;
  readonly termCount: number;
  /** Distinct ids, as in Features (a job's required and preferred skills are subsets of its skills). */
  readonly skills: Uint32Array;
  readonly requiredSkills: Uint32Array;
  readonly preferredSkills: Uint32Array;
  readonly titleTerms: Uint32Array;
  readonly years: number | null;
  readonly seniority: Seniority | null;
  readonly location: string | null;
  readonly remote: boolean | null;
  readonly salary: { readonly min: number; readonly max: number } | null;
}

/** Numbers terms and skills as it meets them; compiles features against those numbers. */
export class TermDictionary {
  private readonly ids = new Map<string, number>();
  private readonly terms: string[] = [];

  /** How many ids are taken: the length a dense per-term array needs. */
  get size(): number {
    return this.terms.length;
  }

  idOf(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.ids.set(term, id);
      this.terms.push(term);
    }
    return id;
  }

  termOf(id: number): string {
    const term = this.terms[id];
    if (term === undefined) throw new RangeError(`no term has id ${id}`);
    return term;
  }

  compile(features: Features): CompiledProfile {
    const distinct = (keys: readonly string[]): Uint32Array =>
      Uint32Array.from(new Set(keys), (key) => this.idOf(key));
    // Indexed loops over Object.keys: half the time of Object.entries() on these 200-key JSON objects.
    const { terms } = features;
    const keys = Object.keys(terms);
    const termIds = new Uint32Array(keys.length);
    const termCounts = new Uint32Array(keys.length);
    for (let index = 0; index < keys.length; index += 1) {
      const term = keys[index] as string;
      termIds[index] = this.idOf(term);
      termCounts[index] = terms[term] as number;
    }
    return {
      dictionary: this,
      termIds,
      termCounts,
      termCount: features.termCount,
      skills: distinct(features.skills),
      requiredSkills: distinct(features.requiredSkills),
      preferredSkills: distinct(features.preferredSkills),
      titleTerms: distinct(features.titleTerms),
      years: features.years,
      seniority: features.seniority,
      location: features.location,
      remote: features.remote,
      salary: features.salary,
    };
  }
}
