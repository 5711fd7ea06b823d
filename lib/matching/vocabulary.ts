import vocabularyFile from './skill-vocabulary.json' with { type: 'json' };

/**
 * How widely ESCO says a skill is reused, from the most general to the most specific: transversal skills
 * ("solve problems", "work in teams") are asked of nearly every job, cross-sector ones of jobs in several
 * sectors, sector- and occupation-specific ones of a few.
 */
export const REUSE_LEVELS = [
  'transversal',
  'cross-sector',
  'sector-specific',
  'occupation-specific',
] as const;
export type ReuseLevel = (typeof REUSE_LEVELS)[number];

export interface SkillEntry {
  id: string;
  name: string;
  aliases: string[];
  category: string;
  /** ESCO's reuse level of the skill the entry names; absent when it names none (most tools). */
  reuseLevel?: ReuseLevel;
  /** Names or aliases that are also common words ("go", "spring"): trusted only in a declared skills list. */
  ambiguousAliases?: string[];
}

export interface SkillVocabulary {
  version: number;
  entries: readonly SkillEntry[];
  /** Lowercased name or alias → skill id. */
  byAlias: ReadonlyMap<string, string>;
  nameOf: (id: string) => string;
}

export function isReuseLevel(value: unknown): value is ReuseLevel {
  return REUSE_LEVELS.some((level) => level === value);
}

function build(version: number, entries: SkillEntry[]): SkillVocabulary {
  const byAlias = new Map<string, string>();
  const names = new Map<string, string>();
  for (const entry of entries) {
    names.set(entry.id, entry.name);
    for (const alias of [entry.name.toLowerCase(), ...entry.aliases]) byAlias.set(alias, entry.id);
  }
  return {
    version,
    entries,
    byAlias,
    nameOf: (id) => names.get(id) ?? id,
  };
}

/** The JSON's reuse levels are plain strings to the compiler; anything else than a known level is dropped. */
function fromFile(
  entries: readonly (Omit<SkillEntry, 'reuseLevel'> & { reuseLevel?: string })[],
): SkillEntry[] {
  return entries.map(({ reuseLevel, ...entry }) =>
    isReuseLevel(reuseLevel) ? { ...entry, reuseLevel } : entry,
  );
}

export const skillVocabulary: SkillVocabulary = build(
  vocabularyFile.version,
  fromFile(vocabularyFile.skills),
);

/** A skill that is not in the vocabulary still counts, under a stable id made from its text. */
export function normaliseSkill(text: string, vocabulary: SkillVocabulary = skillVocabulary): string {
  const key = text.trim().toLowerCase().replace(/\s+/g, ' ');
  return vocabulary.byAlias.get(key) ?? key;
}

/**
 * What a shared or missing skill weighs in a match, by its reuse level: a skill every job asks for says
 * little about fit. Skills without a level (tools, products, skills outside the vocabulary) weigh fully.
 */
export const SKILL_WEIGHTS: Readonly<Record<ReuseLevel, number>> = {
  transversal: 0.25,
  'cross-sector': 0.6,
  'sector-specific': 1,
  'occupation-specific': 1,
};

const reuseLevels = new WeakMap<SkillVocabulary, ReadonlyMap<string, ReuseLevel>>();

/** Skill id → reuse level, indexed once per vocabulary (skillWeight runs once per skill per pair). */
function reuseLevelOf(id: string, vocabulary: SkillVocabulary): ReuseLevel | undefined {
  let levels = reuseLevels.get(vocabulary);
  if (levels === undefined) {
    levels = new Map(
      vocabulary.entries.flatMap((entry) => (entry.reuseLevel ? [[entry.id, entry.reuseLevel]] : [])),
    );
    reuseLevels.set(vocabulary, levels);
  }
  return levels.get(id);
}

export function skillWeight(id: string, vocabulary: SkillVocabulary = skillVocabulary): number {
  const level = reuseLevelOf(id, vocabulary);
  return level === undefined ? 1 : SKILL_WEIGHTS[level];
}

/** Communication, teamwork, problem solving …: asked of nearly every job. */
export function isTransversal(id: string, vocabulary: SkillVocabulary = skillVocabulary): boolean {
  return reuseLevelOf(id, vocabulary) === 'transversal';
}
