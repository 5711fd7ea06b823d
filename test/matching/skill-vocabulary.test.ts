import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { describe, it, expect } from 'vitest';

import seedFile from '../../lib/matching/skill-seeds.json' with { type: 'json' };
import vocabulary from '../../lib/matching/skill-vocabulary.json' with { type: 'json' };
import { isReuseLevel, isTransversal, SKILL_WEIGHTS, skillWeight } from '../../lib/matching/vocabulary.js';
import {
  buildVocabulary,
  readSeeds,
  readSources,
  renderVocabulary,
  VOCABULARY_PATH,
} from '../../scripts/build-vocabulary.js';

interface Entry {
  id: string;
  name: string;
  aliases: string[];
  category: string;
  reuseLevel?: string;
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

const ALLOWED_KEYS = new Set(['id', 'name', 'aliases', 'category', 'reuseLevel', 'ambiguousAliases']);

const skills = vocabulary.skills as Entry[];
const seeds = seedFile.skills as Entry[];

/** Every lookup key of an entry: its lowercased name (added by the loader) plus its aliases. */
function keysOf(entry: Entry): string[] {
  return [entry.name.toLowerCase(), ...entry.aliases];
}

function buildIndex(): Map<string, string> {
  const index = new Map<string, string>();
  for (const entry of skills) for (const key of keysOf(entry)) index.set(key, entry.id);
  return index;
}

/** Both the hand-maintained seeds and the vocabulary built from them keep these rules. */
describe.each([
  ['skill vocabulary', skills],
  ['skill seeds', seeds],
])('%s', (_name, skills) => {
  it('has the expected shape and size', () => {
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
});

describe('skill vocabulary', () => {
  it('gives reuse levels from ESCO, and transversal to every soft skill', () => {
    for (const entry of skills) {
      if (entry.reuseLevel !== undefined) expect(isReuseLevel(entry.reuseLevel), entry.id).toBe(true);
      if (entry.category === 'soft') expect(entry.reuseLevel, entry.id).toBe('transversal');
    }
    const levels = new Map(skills.map((entry) => [entry.id, entry.reuseLevel]));
    // ESCO: "use communication techniques" is cross-sector, but communication is asked of every job.
    for (const id of ['communication', 'teamwork', 'problem-solving', 'leadership', 'time-management']) {
      expect(levels.get(id), id).toBe('transversal');
    }
    expect(levels.get('welding')).toBe('cross-sector');
    expect(levels.get('python')).toBe('sector-specific');
    // Linked to a cross-sector and a sector-specific ESCO skill: the specific sense wins.
    expect(levels.get('seo')).toBe('sector-specific');
    // O*NET products link to no ESCO skill.
    expect(
      skills.filter((entry) => entry.category !== 'soft' && entry.reuseLevel === undefined).length,
    ).toBeGreaterThan(100);
  });

  it('is version 2, built from seeds of the same version', () => {
    expect(vocabulary.version).toBe(2);
    expect(seedFile.version).toBe(vocabulary.version);
  });

  it('keeps every seed first, in order, with its id, name, category, flags and aliases unchanged', () => {
    expect(skills.length).toBeGreaterThanOrEqual(seeds.length);
    seeds.forEach((seed, index) => {
      const entry = skills[index];
      expect(entry?.id, `entry ${index}`).toBe(seed.id);
      if (entry === undefined) return;
      expect(entry.name, seed.id).toBe(seed.name);
      expect(entry.category, seed.id).toBe(seed.category);
      expect(entry.ambiguousAliases, seed.id).toEqual(seed.ambiguousAliases);
      expect(entry.aliases.slice(0, seed.aliases.length), seed.id).toEqual(seed.aliases);
    });
  });

  it('lets wink read every unflagged one-word key as one word', () => {
    // wink expands some words when it tokenises both patterns and text: "iam" becomes "i am", so an
    // unflagged "iam" would tag every "I am" in a resume as Identity and Access Management.
    const nlp = winkNLP(model);
    const split: string[] = [];
    for (const entry of skills) {
      const ambiguous = new Set(entry.ambiguousAliases ?? []);
      for (const key of keysOf(entry)) {
        if (ambiguous.has(key) || !/^[a-z0-9]+$/.test(key)) continue;
        const tokens = nlp.readDoc(key).tokens();
        // "3pl" → "3 pl" is a number and a word, as it is in text; two words are an expansion.
        // eslint-disable-next-line @typescript-eslint/unbound-method -- wink's its.* are plain functions
        const words = tokens.out(nlp.its.type).filter((type) => type === 'word');
        if (words.length > 1) split.push(`${entry.id}: "${key}" → ${tokens.out().join(' ')}`);
      }
    }
    expect(split).toEqual([]);
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

  it('takes ESCO labels and hot O*NET technologies, but not ordinary words or look-alikes', () => {
    const index = buildIndex();
    const expected: Record<string, string> = {
      'python (computer programming)': 'python',
      'java (computer programming)': 'java',
      'work in teams': 'teamwork',
      'solve problems': 'problem-solving',
      'visual studio .net': 'dotnet',
      'conduct ict code review': 'code-review',
      ssis: 'microsoft-sql-server-integration-services',
      svn: 'apache-subversion',
      teradata: 'teradata-database',
    };
    for (const [alias, id] of Object.entries(expected)) expect(index.get(alias), alias).toBe(id);
    // ESCO files Mocha under JavaScript and ML (the language) where "ml" is machine learning.
    for (const key of ['mocha', 'ml (computer programming)', 'linkedin', 'facebook', 'clean rooms'])
      expect(index.get(key), key).toBeUndefined();
    const ambiguous = new Map(skills.map((entry) => [entry.id, entry.ambiguousAliases ?? []]));
    expect(ambiguous.get('zoom')).toEqual(['zoom']);
    expect(ambiguous.get('microsoft-outlook')).toEqual(['outlook']);
  });

  it('flags the entries whose name or alias is an ordinary English word', () => {
    const ambiguous = new Map(skills.map((entry) => [entry.id, entry.ambiguousAliases ?? []]));
    for (const id of ['go', 'r', 'c']) expect(ambiguous.get(id), id).toContain(id);
  });
});

describe('skillWeight and isTransversal', () => {
  it('weigh a soft skill less than a cross-sector trade skill, and that less than a tool', () => {
    expect(isTransversal('communication')).toBe(true);
    expect(isTransversal('welding')).toBe(false);
    expect(isTransversal('kubernetes')).toBe(false);
    expect(skillWeight('communication')).toBe(SKILL_WEIGHTS.transversal);
    expect(skillWeight('welding')).toBe(SKILL_WEIGHTS['cross-sector']);
    expect(skillWeight('python')).toBe(1);
    expect(skillWeight('communication')).toBeLessThan(skillWeight('welding'));
    expect(skillWeight('welding')).toBeLessThan(skillWeight('python'));
  });

  it('weigh a skill without a level, or outside the vocabulary, fully', () => {
    expect(skillWeight('kubernetes')).toBe(1);
    expect(skillWeight('underwater basket weaving')).toBe(1);
    expect(isTransversal('underwater basket weaving')).toBe(false);
  });
});

const dataDir = fileURLToPath(new URL('../../../shared/data', import.meta.url));

describe.skipIf(!existsSync(dataDir))('skill vocabulary build', () => {
  it('is up to date with the seeds and the reference data (run npm run vocabulary:build)', async () => {
    const { esco, onet } = await readSources(dataDir);
    const { vocabulary: built } = buildVocabulary(await readSeeds(), esco, onet);
    expect(await renderVocabulary(built)).toBe(readFileSync(VOCABULARY_PATH, 'utf8'));
  });
});
