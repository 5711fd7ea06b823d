import vocabularyFile from './skill-vocabulary.json' with { type: 'json' };

export interface SkillEntry {
  id: string;
  name: string;
  aliases: string[];
  category: string;
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

export const skillVocabulary: SkillVocabulary = build(vocabularyFile.version, vocabularyFile.skills);

/** A skill that is not in the vocabulary still counts, under a stable id made from its text. */
export function normaliseSkill(text: string, vocabulary: SkillVocabulary = skillVocabulary): string {
  const key = text.trim().toLowerCase().replace(/\s+/g, ' ');
  return vocabulary.byAlias.get(key) ?? key;
}
