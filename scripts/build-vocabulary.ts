/**
 * npm run vocabulary:build -- [--data ../shared/data] [--verbose]
 *
 * Regenerates `lib/matching/skill-vocabulary.json` (the product's copy) from the hand-maintained
 * `lib/matching/skill-seeds.json` plus two public data sets (read at build time only; see their README):
 *
 * - ESCO (`esco/skills_en.csv`): a seed is linked to the ESCO skills that name the same thing, and takes
 *   their short labels as extra aliases (see `linkEsco` and `acceptEscoLabel` for the rules).
 * - O*NET (`onet/technology_skills.tsv`): every "hot" technology that no seed covers becomes an entry of
 *   its own (see `addOnetTechnologies`).
 * - ESCO's own skills file (`esco-occupations/skills_en.csv`, the same skills by preferred label): the reuse
 *   level of the skills a seed is linked to becomes the seed's `reuseLevel` (see `reuseLevelOf`).
 *
 * Claims on a lookup key (lowercased name or alias) resolve first-come: the seeds' own names and aliases,
 * then the ESCO preferred labels of linked skills (seed order), then other ESCO labels (seed order), then
 * the O*NET additions. A key wanted by a second skill is dropped and reported as a conflict. The output is
 * deterministic: seeds in their order (ESCO aliases appended, sorted), then the O*NET entries by id; its
 * `version` is the seeds' `version` (bump it there when the seeds or these rules change).
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { format, resolveConfig } from 'prettier';

import { parseCsvObjects, parseTsvObjects } from '../lib/matching/training/csv.js';
import { isReuseLevel, REUSE_LEVELS, type ReuseLevel, type SkillEntry } from '../lib/matching/vocabulary.js';

export interface VocabularyFile {
  version: number;
  skills: SkillEntry[];
}

export interface EscoSkill {
  preferredLabel: string;
  /** As written in ESCO (case kept: it tells names and acronyms from ordinary words). */
  altLabels: string[];
  /** From ESCO's own skills file, when it lists the skill. */
  reuseLevel?: ReuseLevel;
}

export interface OnetTechnology {
  name: string;
  commodityTitle: string;
  hot: boolean;
}

export interface Conflict {
  key: string;
  /** The skill that wanted the key. */
  wanted: string;
  /** The skill that already had it. */
  owner: string;
  source: 'esco' | 'onet';
}

export interface BuildReport {
  seeds: number;
  /** Seed id → preferred labels of the ESCO skills linked to it. */
  escoLinks: Map<string, string[]>;
  escoAliasesAdded: number;
  onetHot: number;
  /** Hot technology → the skill that already covers it. */
  onetCovered: Map<string, string>;
  onetSkipped: Map<string, string>;
  onetAdded: SkillEntry[];
  conflicts: Conflict[];
}

// ---------------------------------------------------------------------------------------------------------
// Judgment, kept in one place.

/** At most this many words in an ESCO label taken as an alias: longer ones are descriptions, not names. */
const MAX_LABEL_WORDS = 4;

/**
 * Single words (and a few phrases) that are ordinary English: never taken from ESCO; an O*NET name or
 * alias among them is kept out of running text (listed in `ambiguousAliases`). ESCO writes ordinary words
 * in lower case, and lower-case single words are refused anyway, so this list only needs the capitalised
 * ones and the O*NET product names.
 */
const COMMON_WORDS = new Set([
  // O*NET product names and their remainders after the vendor.
  'access',
  'acrobat',
  'after effects',
  'bamboo',
  'chef',
  'eclipse',
  'hive',
  'jersey',
  'outlook',
  'sheets',
  'zoom',
  // Acronyms that mostly mean something else outside a declared skills list (average selling price, ...).
  'asp',
  // Capitalised ESCO labels that are ordinary words or other things.
  'communication',
  'curl',
  'english',
  'hack',
  'mocha',
  'network magic',
  'spanish',
  'turing',
]);

/**
 * Words that say nothing about which skill a label names: grammar, and the verbs and nouns ESCO wraps
 * around a skill ("apply", "perform", "ICT", "principles of").
 */
const FILLER_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'by',
  'for',
  'from',
  'in',
  'into',
  'of',
  'on',
  'or',
  'the',
  'to',
  'with',
  // ESCO's way of turning a skill into an activity or a body of knowledge.
  'define',
  'ict',
  'principle',
  'principles',
  'technique',
  'techniques',
  'apply',
  'carry',
  'conduct',
  'demonstrate',
  'do',
  'ensure',
  'execute',
  'give',
  'implement',
  'make',
  'out',
  'perform',
  'provide',
  'undertake',
  'use',
  'using',
  'utilise',
  'utilize',
]);

/**
 * Links the rules would make but should not: the ESCO skill is a neighbour, not the same skill
 * (`seed id|ESCO preferred label`, lowercased).
 */
const ESCO_LINK_DENY = new Set([
  // The ML programming language, not machine learning.
  'machine-learning|ml (computer programming)',
  // Managing financial accounts, not client accounts.
  'account-management|manage accounts',
  // A grab bag of machines (farming, granulating, pressing ...), not CNC machining.
  'machining|milling machines',
]);

/**
 * Links the rules miss, where ESCO words the same skill differently from the seeds: it files .NET work
 * under "Visual Studio .NET" (with "dot net" among its labels), and has its own phrasing for the SDLC,
 * test automation, team leadership and e-commerce.
 */
const ESCO_LINK_ALLOW = new Set([
  'dotnet|visual studio .net',
  'sdlc|systems development life-cycle',
  'test-automation|develop automated software tests',
  'leadership|lead a team',
  'e-commerce|e-commerce systems',
]);

/**
 * ESCO labels that are wrong for the skill they are filed under, or that would fire on other things in
 * running text: a podcast and a GUI toolkit under the languages, "clean rooms" (semiconductor and pharma
 * cleanrooms) under room cleaning, GPS under GIS, surveillance under information security, "information
 * modelling" (data modelling) under BIM, "search marketing" (SEM's) under SEO; and phrases so general
 * that they would tag any posting ("manage staff" is supervision, not human resources; "user interface"
 * is a thing built, not UI design).
 */
const ESCO_LABEL_DENY = new Set([
  'java posse',
  'ruby-gnome2',
  'perl golf',
  'perl camel',
  'clean rooms',
  'global positioning systems',
  'information surveillance',
  'assure information surveillance',
  'enable information surveillance',
  'provide information surveillance',
  'secure information surveillance',
  'information modeling',
  'information modelling',
  'search marketing',
  // Too general to stand for the skill in running text.
  'database theory',
  'implement database theory',
  'ict project',
  'manage employees',
  'manage processes',
  'manage staff',
  'user interface',
]);

/**
 * The seeds' category for soft skills. Its entries are transversal whatever ESCO says of the skills they
 * link to: ESCO calls "use communication techniques" or "lead a team" cross-sector, yet postings ask them
 * of every job, which is what a transversal skill is for matching.
 */
const SOFT_CATEGORY = 'soft';

/** Vendor prefixes O*NET puts before a product name, longest first. */
const VENDORS = [
  'Amazon Web Services AWS',
  'Amazon Web Services',
  'Amazon',
  'Adobe',
  'Apache',
  'Apple',
  'Atlassian',
  'Autodesk',
  'Bentley',
  'Cisco',
  'Dassault Systemes',
  'Eclipse',
  'ESRI',
  'Google',
  'IBM',
  'Intuit',
  'Microsoft',
  'Oracle',
  'Red Hat',
  'The MathWorks',
  'Trimble',
];

/** Product-kind words O*NET appends ("Teradata Database", "SketchUp Pro"): dropped to make an alias. */
const PRODUCT_SUFFIXES = ['database', 'ehr', 'ide', 'pro'];

/** O*NET hot technologies that a seed covers under another name. */
const ONET_SAME_AS = new Map([
  ['Chef', 'chef-infra'],
  ['Marketo Marketing Automation', 'marketo'],
]);

/** O*NET hot technologies left out on purpose. */
const ONET_SKIP = new Map([
  ['Facebook', 'social network: "follow us on Facebook" in postings is not a skill'],
  ['Instagram', 'social network: mentioned in postings as a channel, not a skill'],
  ['LinkedIn', 'social network: "apply via LinkedIn" in postings is not a skill'],
  ['TikTok', 'social network: mentioned in postings as a channel, not a skill'],
]);

/** Aliases the rules cannot make: the short name people write for a long product name. */
const ONET_EXTRA_ALIASES = new Map([
  ['Oracle Primavera Enterprise Project Portfolio Management', ['primavera', 'primavera p6']],
]);

/** Aliases the rules would make but that name something else ("SQL developer" is a job title). */
const ONET_ALIAS_DENY = new Set(['sql developer']);

/** Category of an O*NET commodity class; classes not listed give 'tool'. */
const COMMODITY_CATEGORIES = new Map([
  ['Accounting software', 'finance'],
  ['Analytical or scientific software', 'data'],
  ['Application server software', 'devops'],
  ['Business intelligence and data analysis software', 'data'],
  ['Cloud-based management software', 'cloud'],
  ['Computer aided design CAD software', 'design'],
  ['Computer aided manufacturing CAM software', 'design'],
  ['Configuration management software', 'devops'],
  ['Customer relationship management CRM software', 'sales'],
  ['Data base management system software', 'database'],
  ['Data base reporting software', 'data'],
  ['Data base user interface and query software', 'database'],
  ['Data mining software', 'data'],
  ['Desktop publishing software', 'design'],
  ['Development environment software', 'tool'],
  ['Enterprise system management software', 'devops'],
  ['Graphical user interface development software', 'design'],
  ['Graphics or photo imaging software', 'design'],
  ['Medical software', 'healthcare'],
  ['Metadata management software', 'data'],
  ['Object oriented data base management software', 'database'],
  ['Object or component oriented development software', 'language'],
  ['Operating system software', 'os'],
  ['Program testing software', 'testing'],
  ['Sales and marketing software', 'marketing'],
  ['Storage networking software', 'cloud'],
  ['Time accounting software', 'hr'],
  ['Video creation and editing software', 'design'],
  ['Web page creation and editing software', 'marketing'],
  ['Web platform development software', 'framework'],
]);

/** Where the commodity class misleads ("Development environment software" holds languages too). */
const ONET_CATEGORY_OVERRIDES = new Map([
  ['AJAX', 'frontend'],
  ['Atlassian Bamboo', 'devops'],
  ['Microsoft SQL Server Integration Services', 'data'],
  ['Microsoft Visual Basic', 'language'],
  ['Oracle Java 2 Platform Enterprise Edition', 'framework'],
  ['Yardi', 'finance'],
]);

// ---------------------------------------------------------------------------------------------------------
// Text helpers.

const normalise = (text: string): string => text.trim().replace(/\s+/g, ' ').toLowerCase();

const wordCount = (text: string): number => text.split(' ').length;

/** Crude English stemming, enough to see that "solving problems" and "problem solving" agree. */
function stem(word: string): string {
  const suffixes = ['ically', 'ations', 'ation', 'ments', 'ment', 'ally', 'ings', 'ing', 'ies', 'ied'];
  const short = ['ed', 'es', 'ly', 'al', 's', 'e', 'y'];
  let current = word;
  for (let changed = true; changed;) {
    changed = false;
    for (const suffix of [...suffixes, ...short]) {
      if (current.endsWith(suffix) && current.length - suffix.length >= 3) {
        current = current.slice(0, -suffix.length);
        changed = true;
        break;
      }
    }
  }
  return current;
}

/** A label's content words, lowercased. */
function contentWords(label: string): Set<string> {
  return new Set(
    normalise(label)
      .split(/[\s\-/(),:;]+/)
      .filter((word) => word.length > 0 && !FILLER_WORDS.has(word)),
  );
}

/** The stems of a label's content words. */
const contentStems = (label: string): Set<string> => new Set([...contentWords(label)].map(stem));

const sameSet = (a: Set<string>, b: Set<string>): boolean =>
  a.size === b.size && [...a].every((item) => b.has(item));

const overlaps = (a: Set<string>, b: Set<string>): boolean => [...a].some((item) => b.has(item));

/** `Python (computer programming)` → `python`: ESCO qualifies an ambiguous name in parentheses. */
const withoutQualifier = (label: string): string => label.replace(/\s*\([^)]*\)\s*$/, '');

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/\+/g, ' plus ')
    .replace(/#/g, ' sharp ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------------------------------------------------
// Building.

/** Who owns each lookup key, and which ids are in use. */
class Claims {
  private readonly owners = new Map<string, string>();
  readonly ids = new Set<string>();
  readonly conflicts: Conflict[] = [];

  owner(key: string): string | undefined {
    return this.owners.get(key);
  }

  /** True when `id` owns `key` afterwards; a key owned by another skill is a conflict. */
  claim(key: string, id: string, source: Conflict['source'] | null): boolean {
    const owner = this.owners.get(key);
    if (owner === undefined) {
      this.owners.set(key, id);
      return true;
    }
    if (owner !== id && source !== null) this.conflicts.push({ key, wanted: id, owner, source });
    return owner === id;
  }
}

function keysOf(entry: SkillEntry): string[] {
  return [entry.name.toLowerCase(), ...entry.aliases];
}

interface EscoIndex {
  skills: EscoSkill[];
  /** Lowercased preferred label, also without its qualifier → skill indexes. */
  byPreferred: Map<string, number[]>;
  byAlt: Map<string, number[]>;
  /** The preferred label's content-word stems, sorted and joined → skill indexes. */
  byPreferredStems: Map<string, number[]>;
}

const stemSignature = (label: string): string => [...contentStems(label)].sort().join(' ');

function indexEsco(skills: EscoSkill[]): EscoIndex {
  const byPreferred = new Map<string, number[]>();
  const byAlt = new Map<string, number[]>();
  const byPreferredStems = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, index: number): void => {
    const list = map.get(key) ?? [];
    if (!list.includes(index)) list.push(index);
    map.set(key, list);
  };
  skills.forEach((skill, index) => {
    add(byPreferred, normalise(skill.preferredLabel), index);
    add(byPreferred, normalise(withoutQualifier(skill.preferredLabel)), index);
    for (const label of skill.altLabels) add(byAlt, normalise(label), index);
    const signature = stemSignature(withoutQualifier(skill.preferredLabel));
    if (signature !== '') add(byPreferredStems, signature, index);
  });
  return { skills, byPreferred, byAlt, byPreferredStems };
}

/**
 * The ESCO skills that name the same thing as a seed. A seed key (never one of its ambiguous forms) links
 * an ESCO skill when it equals the skill's preferred label, with or without its parenthesised qualifier,
 * or has the same content words once stemmed and stripped of ESCO's filler ("stakeholder engagement" →
 * "engage with stakeholders", "code review" → "conduct ICT code review"). A key of two words or more that
 * equals an ESCO alternative label links that skill only when the key and the preferred label have the
 * same content words ("working in teams" → "work in teams", "problem solving" → "solve problems"), which
 * keeps out the broader skills ESCO also files the label under ("data analytics" under "unstructured
 * data", "software testing" under "plan software testing"). Single-word alternative labels never link:
 * ESCO lists dozens of languages under "computer programming", tools under "computer vision", "POS"
 * under blockchain consensus.
 */
function linkEsco(seed: SkillEntry, esco: EscoIndex): number[] {
  const ambiguous = new Set(seed.ambiguousAliases ?? []);
  const keys = keysOf(seed).filter((key) => !ambiguous.has(key));
  const links = new Set<number>();
  for (const key of keys) {
    for (const index of esco.byPreferred.get(key) ?? []) links.add(index);
    for (const index of esco.byPreferredStems.get(stemSignature(key)) ?? []) {
      // One word must agree as written: stemming alone would make "SAS" out of "Sass".
      const skill = esco.skills[index];
      if (
        skill !== undefined &&
        (contentStems(key).size > 1 ||
          sameSet(contentWords(key), contentWords(withoutQualifier(skill.preferredLabel))))
      ) {
        links.add(index);
      }
    }
    for (const index of esco.byAlt.get(key) ?? []) {
      const skill = esco.skills[index];
      if (skill === undefined) continue;
      const preferred = withoutQualifier(normalise(skill.preferredLabel));
      if (wordCount(key) >= 2 && sameSet(contentStems(key), contentStems(preferred))) links.add(index);
    }
  }
  for (const allowed of ESCO_LINK_ALLOW) {
    const [id = '', preferred = ''] = allowed.split('|');
    if (id === seed.id) for (const index of esco.byPreferred.get(preferred) ?? []) links.add(index);
  }
  return [...links]
    .filter((index) => {
      const skill = esco.skills[index];
      return skill !== undefined && !ESCO_LINK_DENY.has(`${seed.id}|${normalise(skill.preferredLabel)}`);
    })
    .sort((a, b) => a - b);
}

/**
 * Whether an ESCO label (as written) may become an alias of a seed linked to its skill: at most four
 * words; no wink pattern syntax or list punctuation; a single word only when ESCO writes it as a name
 * (a capital, a digit or a symbol: "PostgreSQL", "Php5", "C++"), never an ordinary lower-case word
 * ("algorithm", "weld", "stats") or one in COMMON_WORDS; and it must share a content word with the
 * skill's preferred label or the seed's name, which drops the members ESCO lists under a collection
 * ("Mocha" under JavaScript, "Subquery" under SQL, product names under "learning management systems").
 */
function acceptEscoLabel(label: string, related: Set<string>): boolean {
  const key = normalise(label);
  if (key.length < 2 || wordCount(key) > MAX_LABEL_WORDS) return false;
  if (/[[\]|^,;]/.test(key) || ESCO_LABEL_DENY.has(key) || COMMON_WORDS.has(key)) return false;
  if (wordCount(key) === 1 && !/[A-Z0-9+#.]/.test(label.trim())) return false;
  return overlaps(contentStems(withoutQualifier(key)), related);
}

/**
 * A seed's reuse level: transversal for a soft skill; otherwise the most specific level among the ESCO
 * skills it is linked to (one specific sense is enough for the skill to say something about a job:
 * "SEO" links a cross-sector and a sector-specific skill); none when it is linked to none.
 */
function reuseLevelOf(seed: SkillEntry, linked: readonly EscoSkill[]): ReuseLevel | undefined {
  if (seed.category === SOFT_CATEGORY) return 'transversal';
  const ranks = linked.flatMap((skill) => (skill.reuseLevel ? [REUSE_LEVELS.indexOf(skill.reuseLevel)] : []));
  return ranks.length === 0 ? undefined : REUSE_LEVELS[Math.max(...ranks)];
}

function addEscoAliases(
  seeds: SkillEntry[],
  esco: EscoSkill[],
  claims: Claims,
): { added: Map<string, string[]>; links: Map<string, string[]>; levels: Map<string, ReuseLevel> } {
  const index = indexEsco(esco);
  const linked = new Map(seeds.map((seed) => [seed.id, linkEsco(seed, index)]));
  const added = new Map<string, string[]>(seeds.map((seed) => [seed.id, []]));
  const take = (seed: SkillEntry, label: string): void => {
    const key = normalise(label);
    if (claims.owner(key) === seed.id) return;
    if (claims.claim(key, seed.id, 'esco')) added.get(seed.id)?.push(key);
  };
  const linkedSkills = (seed: SkillEntry): EscoSkill[] =>
    (linked.get(seed.id) ?? []).flatMap((i) => index.skills[i] ?? []);

  // Preferred labels first: the label that names a skill goes to the seed linked to that skill, before
  // another seed can take it as a mere alternative of a neighbouring skill.
  for (const seed of seeds) {
    for (const skill of linkedSkills(seed)) {
      const related = new Set([
        ...contentStems(seed.name),
        ...contentStems(withoutQualifier(skill.preferredLabel)),
      ]);
      if (acceptEscoLabel(skill.preferredLabel, related)) take(seed, skill.preferredLabel);
    }
  }
  for (const seed of seeds) {
    for (const skill of linkedSkills(seed)) {
      const related = new Set([
        ...contentStems(seed.name),
        ...contentStems(withoutQualifier(skill.preferredLabel)),
      ]);
      for (const label of skill.altLabels) if (acceptEscoLabel(label, related)) take(seed, label);
    }
  }
  const links = new Map(
    seeds.map((seed) => [seed.id, linkedSkills(seed).map((skill) => skill.preferredLabel)]),
  );
  const levels = new Map<string, ReuseLevel>();
  for (const seed of seeds) {
    const level = reuseLevelOf(seed, linkedSkills(seed));
    if (level !== undefined) levels.set(seed.id, level);
  }
  return { added, links, levels };
}

interface OnetName {
  /** The name without O*NET's trailing " software". */
  display: string;
  /** `display` without a trailing acronym that spells the words before it ("... Subversion SVN"). */
  phrase: string;
  acronym: string | null;
  vendor: string | null;
  /** `phrase` without the vendor; it and `phrase` without a product-kind suffix. */
  remainders: string[];
}

function stripVendor(name: string): { vendor: string | null; rest: string } {
  for (const vendor of VENDORS) {
    if (name.startsWith(`${vendor} `) && name.length > vendor.length + 1) {
      return { vendor, rest: name.slice(vendor.length + 1) };
    }
  }
  return { vendor: null, rest: name };
}

function isSubsequence(letters: string, text: string): boolean {
  let position = 0;
  for (const letter of letters) {
    position = text.indexOf(letter, position);
    if (position === -1) return false;
    position += 1;
  }
  return true;
}

export function analyseOnetName(name: string): OnetName {
  const display = name.replace(/ software$/i, '').trim();
  const words = display.split(' ');
  const last = words.at(-1) ?? '';
  let phrase = display;
  let acronym: string | null = null;
  const before = stripVendor(words.slice(0, -1).join(' ')).rest;
  if (
    words.length >= 3 &&
    /^[A-Z][A-Z0-9]*[A-Z0-9]$/.test(last) &&
    !/^[A-Z0-9]+$/.test(words.at(-2) ?? '') &&
    isSubsequence(last.toLowerCase().replace(/[0-9]/g, ''), before.toLowerCase())
  ) {
    phrase = words.slice(0, -1).join(' ');
    acronym = last;
  }
  const { vendor, rest } = stripVendor(phrase);
  const remainders = [rest];
  for (const text of [rest, phrase]) {
    for (const suffix of PRODUCT_SUFFIXES) {
      if (text.toLowerCase().endsWith(` ${suffix}`)) remainders.push(text.slice(0, -suffix.length - 1));
    }
  }
  return {
    display,
    phrase,
    acronym,
    vendor,
    remainders: [...new Set(remainders)].filter((r) => r !== phrase),
  };
}

function dominantClass(classes: Map<string, number>): string {
  return [...classes].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))[0]?.[0] ?? '';
}

/**
 * One entry per hot O*NET technology that no claimed key covers. Covered means: the name (without O*NET's
 * " software"), the name without its trailing acronym, the acronym, or either without its vendor prefix or
 * a product-kind suffix, is already a name or alias. A new entry is named by `phrase`, its id slugified
 * from it; aliases are the remainders of four characters or more and the acronym of three or more, plus
 * "ms …" for a Microsoft product. A name or alias that is an ordinary word stays a key but goes into
 * `ambiguousAliases` (trusted in declared skill lists only, as for the seeds' "go" and "spring").
 */
function addOnetTechnologies(
  technologies: OnetTechnology[],
  claims: Claims,
  report: Pick<BuildReport, 'onetCovered' | 'onetSkipped'>,
): SkillEntry[] {
  const hot = new Map<string, Map<string, number>>();
  for (const technology of technologies) {
    if (!technology.hot) continue;
    const classes = hot.get(technology.name) ?? new Map<string, number>();
    classes.set(technology.commodityTitle, (classes.get(technology.commodityTitle) ?? 0) + 1);
    hot.set(technology.name, classes);
  }

  const candidates: { entry: SkillEntry; source: string }[] = [];
  for (const [name, classes] of [...hot].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const skip = ONET_SKIP.get(name);
    if (skip !== undefined) {
      report.onetSkipped.set(name, skip);
      continue;
    }
    const same = ONET_SAME_AS.get(name);
    if (same !== undefined) {
      report.onetCovered.set(name, same);
      continue;
    }
    const parts = analyseOnetName(name);
    const variants = [parts.display, parts.phrase, ...parts.remainders, parts.acronym ?? ''].filter(Boolean);
    const coveredBy = variants.map((variant) => claims.owner(normalise(variant))).find(Boolean);
    if (coveredBy !== undefined) {
      report.onetCovered.set(name, coveredBy);
      continue;
    }
    if (parts.phrase.length < 3 && !/[+#]/.test(parts.phrase)) {
      report.onetSkipped.set(name, 'too short');
      continue;
    }
    const aliases = [
      ...parts.remainders.filter((remainder) => remainder.length >= 4),
      ...(parts.acronym !== null && parts.acronym.length >= 3 ? [parts.acronym] : []),
      ...(parts.vendor === 'Microsoft' ? parts.remainders.slice(0, 1).map((rest) => `MS ${rest}`) : []),
      ...(ONET_EXTRA_ALIASES.get(name) ?? []),
    ]
      .map(normalise)
      .filter((alias) => alias !== normalise(parts.phrase) && !ONET_ALIAS_DENY.has(alias));
    const category =
      ONET_CATEGORY_OVERRIDES.get(parts.phrase) ?? COMMODITY_CATEGORIES.get(dominantClass(classes)) ?? 'tool';
    const entry: SkillEntry = {
      id: slugify(parts.phrase),
      name: parts.phrase,
      aliases: [...new Set(aliases)],
      category,
    };
    candidates.push({ entry, source: name });
  }

  const added: SkillEntry[] = [];
  for (const { entry, source } of candidates.sort((a, b) => (a.entry.id < b.entry.id ? -1 : 1))) {
    if (claims.ids.has(entry.id)) {
      report.onetSkipped.set(source, `id ${entry.id} is taken`);
      continue;
    }
    if (!claims.claim(entry.name.toLowerCase(), entry.id, 'onet')) {
      report.onetSkipped.set(source, `name is taken by ${claims.owner(entry.name.toLowerCase()) ?? '?'}`);
      continue;
    }
    claims.ids.add(entry.id);
    entry.aliases = entry.aliases.filter((alias) => claims.claim(alias, entry.id, 'onet'));
    const ambiguous = keysOf(entry).filter((key) => COMMON_WORDS.has(key));
    if (ambiguous.length > 0) entry.ambiguousAliases = ambiguous;
    added.push(entry);
  }
  return added;
}

export function buildVocabulary(
  seedFile: VocabularyFile,
  esco: EscoSkill[],
  onet: OnetTechnology[],
): { vocabulary: VocabularyFile; report: BuildReport } {
  const seeds = seedFile.skills;
  const claims = new Claims();
  for (const seed of seeds) {
    if (claims.ids.has(seed.id)) throw new Error(`Seeds: id ${seed.id} is used twice`);
    claims.ids.add(seed.id);
    for (const key of keysOf(seed)) {
      if (!claims.claim(key, seed.id, null)) {
        throw new Error(`Seeds: "${key}" is a key of both ${claims.owner(key) ?? '?'} and ${seed.id}`);
      }
    }
  }

  const { added, links, levels } = addEscoAliases(seeds, esco, claims);
  const report: BuildReport = {
    seeds: seeds.length,
    escoLinks: links,
    escoAliasesAdded: [...added.values()].reduce((sum, list) => sum + list.length, 0),
    onetHot: new Set(onet.filter((t) => t.hot).map((t) => t.name)).size,
    onetCovered: new Map(),
    onetSkipped: new Map(),
    onetAdded: [],
    conflicts: claims.conflicts,
  };
  report.onetAdded = addOnetTechnologies(onet, claims, report);

  const skills: SkillEntry[] = [
    ...seeds.map((seed) => {
      const extra = [...(added.get(seed.id) ?? [])].sort();
      const { ambiguousAliases, ...rest } = seed;
      const reuseLevel = levels.get(seed.id);
      return {
        ...rest,
        aliases: [...seed.aliases, ...extra],
        ...(reuseLevel === undefined ? {} : { reuseLevel }),
        ...(ambiguousAliases === undefined ? {} : { ambiguousAliases }),
      };
    }),
    ...report.onetAdded,
  ];
  return { vocabulary: { version: seedFile.version, skills }, report };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the sources and writing the result.

export const DEFAULT_DATA_DIR = '../shared/data';
const root = fileURLToPath(new URL('..', import.meta.url));
export const SEEDS_PATH = join(root, 'lib/matching/skill-seeds.json');
export const VOCABULARY_PATH = join(root, 'lib/matching/skill-vocabulary.json');

export async function readSources(dataDir: string): Promise<{ esco: EscoSkill[]; onet: OnetTechnology[] }> {
  const escoPath = join(dataDir, 'esco', 'skills_en.csv');
  const reusePath = join(dataDir, 'esco-occupations', 'skills_en.csv');
  const onetPath = join(dataDir, 'onet', 'technology_skills.tsv');
  for (const path of [escoPath, reusePath, onetPath]) {
    if (!existsSync(path)) {
      throw new Error(
        `Reference data not found: ${path}; pass --data <folder> (default ${DEFAULT_DATA_DIR})`,
      );
    }
  }
  const [escoText, reuseText, onetText] = await Promise.all(
    [escoPath, reusePath, onetPath].map((path) => readFile(path, 'utf8')),
  );
  const reuseLevels = new Map<string, ReuseLevel>();
  for (const row of parseCsvObjects(reuseText ?? '', ['preferredLabel', 'reuseLevel'])) {
    const level = row.reuseLevel.trim();
    if (isReuseLevel(level)) reuseLevels.set(normalise(row.preferredLabel), level);
  }
  const esco = parseCsvObjects(escoText ?? '', ['preferredLabel', 'altLabels']).map((row) => {
    const reuseLevel = reuseLevels.get(normalise(row.preferredLabel));
    return {
      preferredLabel: row.preferredLabel.trim(),
      altLabels: row.altLabels
        .split(/\r?\n/)
        .map((label) => label.trim())
        .filter((label) => label.length > 0),
      ...(reuseLevel === undefined ? {} : { reuseLevel }),
    };
  });
  const onet = parseTsvObjects(onetText ?? '', ['Example', 'Commodity Title', 'Hot Technology']).map(
    (row) => ({
      name: row.Example.trim(),
      commodityTitle: row['Commodity Title'].trim(),
      hot: row['Hot Technology'].trim() === 'Y',
    }),
  );
  return { esco, onet };
}

export async function readSeeds(path = SEEDS_PATH): Promise<VocabularyFile> {
  return JSON.parse(await readFile(path, 'utf8')) as VocabularyFile;
}

/** The vocabulary as the repository stores it (Prettier's JSON layout, so `npm run lint` stays clean). */
export async function renderVocabulary(vocabulary: VocabularyFile, path = VOCABULARY_PATH): Promise<string> {
  const options = (await resolveConfig(path)) ?? {};
  return format(JSON.stringify(vocabulary), { ...options, parser: 'json', filepath: path });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: DEFAULT_DATA_DIR },
      verbose: { type: 'boolean', default: false },
    },
  });
  const dataDir = resolve(root, values.data);
  if (!existsSync(dataDir)) {
    console.error(
      `Reference data folder not found: ${dataDir}; pass --data <folder> (default ${DEFAULT_DATA_DIR})`,
    );
    process.exitCode = 2;
    return;
  }
  let sources: Awaited<ReturnType<typeof readSources>>;
  try {
    sources = await readSources(dataDir);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
    return;
  }
  const seedFile = await readSeeds();
  const { vocabulary, report } = buildVocabulary(seedFile, sources.esco, sources.onet);
  await writeFile(VOCABULARY_PATH, await renderVocabulary(vocabulary));

  if (values.verbose) {
    for (const seed of vocabulary.skills.slice(0, report.seeds)) {
      const linkedTo = report.escoLinks.get(seed.id) ?? [];
      if (linkedTo.length === 0) continue;
      const seedAliases = new Set(seedFile.skills.find((skill) => skill.id === seed.id)?.aliases);
      console.log(`${seed.id} ← ESCO ${linkedTo.map((label) => JSON.stringify(label)).join(', ')}`);
      console.log(`    + ${seed.aliases.filter((alias) => !seedAliases.has(alias)).join(' | ')}`);
    }
    for (const [name, id] of report.onetCovered) console.log(`O*NET covered: ${name} → ${id}`);
    for (const entry of report.onetAdded) console.log(`O*NET added: ${JSON.stringify(entry)}`);
    for (const conflict of report.conflicts) {
      console.log(
        `conflict (${conflict.source}): "${conflict.key}" wanted by ${conflict.wanted}, owned by ${conflict.owner}`,
      );
    }
  }
  for (const [name, reason] of report.onetSkipped) console.log(`O*NET skipped: ${name} (${reason})`);
  const linkedSeeds = [...report.escoLinks.values()].filter((list) => list.length > 0).length;
  console.log(
    [
      `Wrote ${VOCABULARY_PATH} (version ${vocabulary.version}, ${vocabulary.skills.length} skills)`,
      `  seeds:               ${report.seeds} (${linkedSeeds} linked to ESCO skills)`,
      `  ESCO aliases added:  ${report.escoAliasesAdded}`,
      `  reuse levels:        ${REUSE_LEVELS.map((level) => `${level} ${vocabulary.skills.filter((skill) => skill.reuseLevel === level).length}`).join(', ')}`,
      `  O*NET hot:           ${report.onetHot} (${report.onetCovered.size} covered by seeds, ${report.onetSkipped.size} skipped)`,
      `  O*NET entries added: ${report.onetAdded.length}`,
      `  conflicts dropped:   ${report.conflicts.length}${values.verbose ? '' : ' (--verbose lists them)'}`,
    ].join('\n'),
  );
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(realpathSync(invokedPath)).href) {
  await main();
}
