import { describe, it, expect } from 'vitest';

import vocabulary from '../../lib/matching/skill-vocabulary.json' with { type: 'json' };

interface Entry {
  id: string;
  name: string;
  aliases: string[];
  category: string;
  ambiguousAliases?: string[];
}

const CATEGORIES = new Set([
  'language',
  'framework',
  'database',
  'cloud',
  'devops',
  'data',
  'ml',
  'frontend',
  'mobile',
  'testing',
  'security',
  'os',
  'tool',
  'methodology',
  'design',
  'healthcare',
  'sales',
  'marketing',
  'finance',
  'hr',
  'legal',
  'operations',
  'education',
  'hospitality',
  'construction',
  'logistics',
  'soft',
]);

const ALLOWED_KEYS = new Set(['id', 'name', 'aliases', 'category', 'ambiguousAliases']);

const skills = vocabulary.skills as Entry[];

/** Every lookup key of an entry: its lowercased name (added by the loader) plus its aliases. */
function keysOf(entry: Entry): string[] {
  return [entry.name.toLowerCase(), ...entry.aliases];
}

function buildIndex(): Map<string, string> {
  const index = new Map<string, string>();
  for (const entry of skills) for (const key of keysOf(entry)) index.set(key, entry.id);
  return index;
}

describe('skill vocabulary', () => {
  it('has the expected shape and size', () => {
    expect(vocabulary.version).toBe(1);
    expect(Array.isArray(skills)).toBe(true);
    expect(skills.length).toBeGreaterThanOrEqual(300);
    for (const entry of skills) {
      expect(
        Object.keys(entry).filter((key) => !ALLOWED_KEYS.has(key)),
        entry.id,
      ).toEqual([]);
      expect(typeof entry.name, entry.id).toBe('string');
      expect(entry.name.trim(), entry.id).toBe(entry.name);
      expect(entry.name.length, entry.id).toBeGreaterThan(0);
      expect(Array.isArray(entry.aliases), entry.id).toBe(true);
      for (const alias of entry.ambiguousAliases ?? []) {
        expect(
          [entry.name.toLowerCase(), ...entry.aliases],
          `${entry.id}: ambiguous alias ${alias}`,
        ).toContain(alias);
      }
    }
  });

  it('has unique, slug-shaped ids', () => {
    const seen = new Set<string>();
    for (const { id } of skills) {
      expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(seen.has(id), `duplicate id ${id}`).toBe(false);
      seen.add(id);
    }
  });

  it('uses only the allowed categories', () => {
    for (const entry of skills)
      expect(CATEGORIES.has(entry.category), `${entry.id}: ${entry.category}`).toBe(true);
  });

  it('has lowercase, trimmed, non-redundant aliases', () => {
    for (const entry of skills) {
      const own = new Set<string>();
      for (const alias of entry.aliases) {
        const where = `${entry.id}: "${alias}"`;
        expect(typeof alias, where).toBe('string');
        expect(alias.length, where).toBeGreaterThan(0);
        expect(alias, where).toBe(alias.trim());
        expect(alias, where).toBe(alias.toLowerCase());
        expect(alias, where).not.toMatch(/\s{2,}/);
        // wink-nlp custom entity patterns give special meaning to these characters.
        expect(alias, where).not.toMatch(/[[\]|]/);
        expect(alias, `${where} repeats the lowercased name`).not.toBe(entry.name.toLowerCase());
        expect(own.has(alias), `${where} listed twice`).toBe(false);
        own.add(alias);
      }
    }
  });

  it('never lets one alias or name stand for two skills', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const entry of skills) {
      for (const key of new Set(keysOf(entry))) {
        const previous = owner.get(key);
        if (previous !== undefined && previous !== entry.id)
          clashes.push(`"${key}": ${previous} / ${entry.id}`);
        else owner.set(key, entry.id);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('resolves key aliases to their canonical ids', () => {
    const index = buildIndex();
    const expected: Record<string, string> = {
      k8s: 'kubernetes',
      golang: 'go',
      'node.js': 'nodejs',
      'c#': 'c-sharp',
      'c++': 'c-plus-plus',
      pg: 'postgresql',
      postgres: 'postgresql',
      js: 'javascript',
      ts: 'typescript',
      'react.js': 'react',
      'ci/cd': 'ci-cd',
      '.net': 'dotnet',
      rn: 'registered-nurse',
      crm: 'crm',
    };
    for (const [alias, id] of Object.entries(expected)) expect(index.get(alias), alias).toBe(id);
  });

  it('flags the entries whose name or alias is an ordinary English word', () => {
    const ambiguous = new Map(skills.map((entry) => [entry.id, entry.ambiguousAliases ?? []]));
    for (const id of ['go', 'r', 'c']) expect(ambiguous.get(id), id).toContain(id);
  });
});
