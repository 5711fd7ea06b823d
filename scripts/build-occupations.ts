/**
 * npm run occupations:build -- [--data ../shared/data] [--verbose]
 *
 * Regenerates `lib/matching/occupations.json` (the product's copy of the occupation taxonomy) from public
 * O*NET files, read at build time only (see the data README):
 *
 * - `onet/occupation_data.tsv`: the 1,016 occupations (code, title);
 * - `onet-titles/alternate_titles.csv` (job title and short title) and `sample_of_reported_titles.csv`:
 *   the job titles people use, each filed under one or more occupations;
 * - `onet-tasks/related_occupations.tsv`: each occupation's related occupations, by tier;
 * - `onet/technology_skills.tsv` and `onet-tasks/task_statements.tsv`: what each occupation works with and
 *   does, reduced to a few skill ids and lemmas that tell it from others (its keys, see `keysOf`).
 *
 * Every title becomes a phrase in `normaliseTitle`'s form (the form `occupationOfTitle` looks up at run
 * time). A phrase filed under several occupations goes to the one the evidence favours (see `resolve`), or
 * is kept as ambiguous, with the occupations it is filed under and their evidence, when no family holds most
 * of it ("Engineer", "Analyst", "Painter"): a document's own skills and words may still decide it at run
 * time (`occupationOfTitle`), by the keys of those occupations. ESCO is not
 * used: its occupations carry ISCO codes, and mapping ISCO to O*NET-SOC is a crosswalk of its own.
 * The output is deterministic: occupations by code, each with its phrases sorted.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { format, resolveConfig } from 'prettier';

import { normaliseTitle } from '../lib/matching/extractors.js';
import { sharedAnalyzer } from '../lib/matching/nlp.js';
import {
  familyOf,
  type OccupationKeys,
  type OccupationsFile,
  type RelatedTier,
} from '../lib/matching/occupations.js';
import { parseCsvObjects, parseTsvObjects } from '../lib/matching/training/csv.js';

// ---------------------------------------------------------------------------------------------------------
// Judgment, kept in one place.

/** Bump when the sources or the rules below change. */
const VERSION = 2;

/**
 * Evidence that a title names an occupation. The official title is decisive; an alternate title counts
 * once per O*NET source that reported it (1-5), a title incumbents reported once more when My Next Move
 * shows it (O*NET's own judgment that it is the common name).
 */
const WEIGHT_OFFICIAL = 20;
const WEIGHT_SHORT = 1;
const WEIGHT_REPORTED = 1;
const WEIGHT_SHOWN = 1;

/** Longer titles are descriptions ("Director of Research and Development for ..."), never written as such. */
const MAX_PHRASE_WORDS = 6;

/**
 * A bare head noun ("manager", "analyst", "coordinator") stands for its occupation only when at least this
 * share of the titles built on it ("project manager", "data analyst") are in that occupation's family;
 * otherwise the one occupation O*NET happens to file it under ("owner" under urologists) is noise. An
 * occupation's own name ("Bakers", "Electricians") always stands.
 */
const MIN_HEAD_SHARE = 0.4;
/** Fewer titles on a head noun say nothing about it. */
const MIN_HEAD_TITLES = 2;

/**
 * An occupation's keys are what tells it from the others it shares an ambiguous title with: at most this
 * many skills (of the vocabulary, found in its O*NET technologies) and task lemmas, the rarest across
 * occupations first.
 */
const MAX_KEY_SKILLS = 24;
const MAX_KEY_TERMS = 20;
/**
 * A skill or lemma that more than this share of occupations have (Microsoft Excel, "prepare", "report")
 * tells none of them apart.
 */
const MAX_KEY_SHARE = 0.15;
/**
 * A tool O*NET marks as hot (much asked for in postings of the occupation) weighs this many times one it only
 * lists, however many of the listed products name the same skill.
 */
const HOT = 2;
/** A lemma said in fewer of an occupation's tasks is a detail of one task, not the trade's. */
const MIN_KEY_TASKS = 2;

/**
 * Phrase → occupation, whether or not O*NET lists the phrase, where the rules give no answer or the less
 * useful one for matching:
 * - IT titles O*NET lacks or splits: QA and test automation titles (O*NET also files "QA tester" under
 *   product inspectors), "data analyst" (spread over six families), big-data and SAP titles, "PMO", and
 *   the fields resumes put where a title goes ("Software testing", "DevOps", a bare "HR");
 * - "java developer", filed under computer programmers while "python developer", ".net developer" and
 *   "developer" resolve to software developers: a developer named by a language does the same job; "full
 *   stack developer", split between software and web developers (and a textile job);
 * - ties O*NET leaves: "ETL developer" (database administrators or data warehousing specialists),
 *   "network security engineer" (penetration testers or security engineers), "project manager" and
 *   "project coordinator" (engineering, other or project management);
 * - words whose common sense in resumes differs from O*NET's: "advocate" is a lawyer in Commonwealth usage
 *   (O*NET's social-services sense comes qualified: "patient advocate"), "HR executive" and "sales
 *   executive" are Indian-English titles for HR specialists and sales representatives, a bare "artist" is
 *   a fine artist and a bare "painter" the construction trade (the sense O*NET files most titles under);
 *   "nurse" is a registered nurse rather than one specialty.
 */
const OVERRIDES = new Map([
  ['qa tester', '15-1253.00'],
  ['qa engineer', '15-1253.00'],
  ['qa analyst', '15-1253.00'],
  ['manual tester', '15-1253.00'],
  ['qa automation', '15-1253.00'],
  ['software testing', '15-1253.00'],
  ['automation testing', '15-1253.00'],
  ['manual testing', '15-1253.00'],
  ['devops', '15-1252.00'],
  ['hr', '13-1071.00'],
  ['automation test engineer', '15-1253.00'],
  ['test automation engineer', '15-1253.00'],
  ['software testing engineer', '15-1253.00'],
  ['data analyst', '15-2051.01'],
  ['hadoop developer', '15-1243.01'],
  ['hadoop engineer', '15-1243.01'],
  ['big data developer', '15-1243.01'],
  ['sap consultant', '15-1211.00'],
  ['sap developer', '15-1252.00'],
  ['pmo', '13-1082.00'],
  ['java developer', '15-1252.00'],
  ['full stack developer', '15-1252.00'],
  ['full stack engineer', '15-1252.00'],
  ['fullstack developer', '15-1252.00'],
  ['etl developer', '15-1243.01'],
  ['network security engineer', '15-1299.05'],
  ['security engineer', '15-1299.05'],
  ['project manager', '13-1082.00'],
  ['project coordinator', '13-1082.00'],
  ['advocate', '23-1011.00'],
  ['hr executive', '13-1071.00'],
  ['sales executive', '41-4012.00'],
  ['artist', '27-1013.00'],
  ['painter', '47-2141.00'],
  ['nurse', '29-1141.00'],
  ['staff nurse', '29-1141.00'],
]);

// ---------------------------------------------------------------------------------------------------------

interface Source {
  occupations: { code: string; title: string }[];
  titles: { code: string; title: string; weight: number }[];
  related: { code: string; related: string; tier: string }[];
  /** O*NET technology skills: the tool or technology as named, and whether O*NET marks it a hot one. */
  technologies: { code: string; example: string; hot: boolean }[];
  /** O*NET task statements. */
  tasks: { code: string; task: string }[];
}

const TIERS: Record<string, RelatedTier> = {
  'Primary-Short': 'short',
  'Primary-Long': 'long',
  Supplemental: 'supplemental',
};

/**
 * "Database Administrator (DBA)" → "Database Administrator" and "DBA". The bracket holds a variant when it
 * is an acronym or ends like the title ("DevOps Engineer (Development Operations Engineer)"); otherwise it
 * is a qualifier ("Special Operations Officer (Management)"), not a title of its own.
 */
function variants(title: string): string[] {
  const outer = title.replace(/\([^()]*\)/g, ' ').trim();
  const lastWord = (text: string): string => text.trim().split(/\s+/).pop()?.toLowerCase() ?? '';
  const inner = [...title.matchAll(/\(([^()]*)\)/g)]
    .map((match) => (match[1] ?? '').trim())
    .filter((text) => /^[A-Z][A-Z0-9&/.-]+$/.test(text) || lastWord(text) === lastWord(outer));
  return [outer, ...inner].filter((text) => text !== '');
}

/** "Software Developers" → "software developer": the official titles are plural, people write singular. */
function singular(phrase: string): string {
  return phrase.replace(/(\w{3,}?)(ies|sses|s)$/, (_, stem: string, ending: string) =>
    ending === 'ies' ? `${stem}y` : ending === 'sses' ? `${stem}ss` : stem,
  );
}

const stems = (text: string): Set<string> => new Set(text.split(' ').map(singular));

export interface Resolution {
  code: string | null;
  reason: string;
}

/** Within the family, the heaviest occupation needs this lead over the next, unless its title fits better. */
const MIN_LEAD = 1.5;

/**
 * The occupation a phrase stands for. The family (SOC minor group) holding more than half of the phrase's
 * evidence wins, else the phrase is ambiguous ("engineer" is filed under 43 occupations in six families).
 * Within that family the heaviest occupation wins when it outweighs the next by {@link MIN_LEAD} or its
 * official title shares more words with the phrase ("network security engineer": information security
 * engineers over penetration testers); otherwise the phrase is dropped as well: a wrong occupation costs a
 * match more than a missing one.
 */
export function resolve(
  phrase: string,
  evidence: ReadonlyMap<string, number>,
  titleOf: (code: string) => string,
): Resolution {
  const override = OVERRIDES.get(phrase);
  if (override !== undefined) return { code: override, reason: 'override' };
  let total = 0;
  const families = new Map<string, number>();
  for (const [code, weight] of evidence) {
    total += weight;
    families.set(familyOf(code), (families.get(familyOf(code)) ?? 0) + weight);
  }
  const [family, familyWeight] = [...families].sort(([, a], [, b]) => b - a)[0] ?? ['', 0];
  if (familyWeight * 2 <= total) return { code: null, reason: `no family holds most of ${total}` };
  const words = stems(phrase);
  const ranked = [...evidence]
    .filter(([code]) => familyOf(code) === family)
    .map(([code, weight]) => ({
      code,
      weight,
      overlap: [...stems(normaliseTitle(titleOf(code)))].filter((word) => words.has(word)).length,
    }))
    .sort((a, b) => b.weight - a.weight || b.overlap - a.overlap || (a.code < b.code ? -1 : 1));
  const [best, next] = ranked;
  if (best === undefined) return { code: null, reason: 'no evidence' };
  if (next === undefined || best.weight >= MIN_LEAD * next.weight || best.overlap > next.overlap) {
    return { code: best.code, reason: 'evidence' };
  }
  return { code: null, reason: `${best.code} and ${next.code} are as likely in family ${family}` };
}

/** The entries of `counts` seen in at most `maxShare` of the occupations, rarest first, at most `max`. */
function rarest(
  counts: ReadonlyMap<string, number>,
  occupationsWith: ReadonlyMap<string, number>,
  occupations: number,
  maxShare: number,
  max: number,
): string[] {
  const idf = (key: string): number => Math.log(occupations / (occupationsWith.get(key) ?? occupations));
  return [...counts]
    .filter(([key]) => (occupationsWith.get(key) ?? occupations) <= maxShare * occupations)
    .map(([key, count]) => ({ key, weight: count * idf(key) }))
    .sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : 1))
    .slice(0, max)
    .map(({ key }) => key)
    .sort();
}

/**
 * Each occupation's keys: the vocabulary skills its O*NET technologies name, and the lemmas of its task
 * statements said in at least {@link MIN_KEY_TASKS} of them, each kind kept to the few that the fewest
 * other occupations share, weighed by how much the occupation says them (a hot tool {@link HOT} times, a
 * lemma by the tasks that say it); lemmas are the analyzer's, so
 * they meet the terms `extractJobFeatures` reads at run time.
 */
export function keysOf(source: Pick<Source, 'technologies' | 'tasks'>): Map<string, OccupationKeys> {
  const analyzer = sharedAnalyzer();
  const skillsOfName = new Map<string, string[]>();
  const skills = new Map<string, Map<string, number>>();
  for (const { code, example, hot } of source.technologies) {
    let found = skillsOfName.get(example);
    if (found === undefined) {
      found = analyzer.analyze(example).skills;
      skillsOfName.set(example, found);
    }
    const counts = skills.get(code) ?? new Map<string, number>();
    for (const skill of found) counts.set(skill, Math.max(counts.get(skill) ?? 0, hot ? HOT : 1));
    skills.set(code, counts);
  }
  const terms = new Map<string, Map<string, number>>();
  for (const { code, task } of source.tasks) {
    const counts = terms.get(code) ?? new Map<string, number>();
    for (const lemma of new Set(analyzer.analyze(task).lemmas))
      counts.set(lemma, (counts.get(lemma) ?? 0) + 1);
    terms.set(code, counts);
  }
  const occupationsWith = (byCode: Map<string, Map<string, number>>): Map<string, number> => {
    const result = new Map<string, number>();
    for (const counts of byCode.values())
      for (const key of counts.keys()) result.set(key, (result.get(key) ?? 0) + 1);
    return result;
  };
  const skillShares = occupationsWith(skills);
  const termShares = occupationsWith(terms);
  for (const counts of terms.values()) {
    for (const [lemma, count] of counts) if (count < MIN_KEY_TASKS) counts.delete(lemma);
  }
  const codes = new Set([...skills.keys(), ...terms.keys()]);
  const keys = new Map<string, OccupationKeys>();
  for (const code of codes) {
    keys.set(code, {
      skills: rarest(skills.get(code) ?? new Map(), skillShares, skills.size, MAX_KEY_SHARE, MAX_KEY_SKILLS),
      terms: rarest(terms.get(code) ?? new Map(), termShares, terms.size, MAX_KEY_SHARE, MAX_KEY_TERMS),
    });
  }
  return keys;
}

export function buildOccupations(source: Source): {
  file: OccupationsFile;
  dropped: Map<string, string>;
} {
  const titles = new Map(source.occupations.map((o) => [o.code, o.title]));
  const evidence = new Map<string, Map<string, number>>();
  const add = (code: string, title: string, weight: number): void => {
    if (!titles.has(code)) return;
    for (const variant of variants(title)) {
      const phrase = normaliseTitle(variant);
      if (phrase === '' || phrase.split(' ').length > MAX_PHRASE_WORDS) continue;
      const byCode = evidence.get(phrase) ?? new Map<string, number>();
      byCode.set(code, (byCode.get(code) ?? 0) + weight);
      evidence.set(phrase, byCode);
    }
  };
  for (const { code, title } of source.occupations) {
    add(code, title, WEIGHT_OFFICIAL);
    // "Painters, Construction and Maintenance": the head before a comma is not the occupation's name.
    if (!title.includes(',')) add(code, singular(normaliseTitle(title)), WEIGHT_OFFICIAL);
  }
  for (const { code, title, weight } of source.titles) add(code, title, weight);
  for (const [phrase, code] of OVERRIDES)
    if (!evidence.has(phrase)) evidence.set(phrase, new Map([[code, 0]]));

  const resolved = new Map<string, string>();
  const dropped = new Map<string, string>();
  for (const [phrase, byCode] of evidence) {
    const { code, reason } = resolve(phrase, byCode, (c) => titles.get(c) ?? '');
    if (code === null) {
      dropped.set(phrase, `${reason}: ${[...byCode].map(([c, w]) => `${c}×${w}`).join(' ')}`);
    } else {
      resolved.set(phrase, code);
    }
  }

  // Families of the titles built on each head noun (as O*NET files them, ambiguous ones included), to
  // judge the bare noun by.
  const headFamilies = new Map<string, string[]>();
  for (const [phrase, byCode] of evidence) {
    const words = phrase.split(' ');
    if (words.length < 2) continue;
    const head = words[words.length - 1] ?? '';
    headFamilies.set(head, [...(headFamilies.get(head) ?? []), ...[...byCode.keys()].map(familyOf)]);
  }
  for (const [phrase, code] of resolved) {
    const built = headFamilies.get(phrase) ?? [];
    const official = (evidence.get(phrase)?.get(code) ?? 0) >= WEIGHT_OFFICIAL;
    if (phrase.includes(' ') || official || OVERRIDES.has(phrase) || built.length < MIN_HEAD_TITLES) continue;
    const share = built.filter((family) => family === familyOf(code)).length / built.length;
    if (share < MIN_HEAD_SHARE) {
      resolved.delete(phrase);
      const percent = Math.round(share * 100);
      dropped.set(
        phrase,
        `a head noun: ${percent}% of ${built.length} titles on it are in ${familyOf(code)}`,
      );
    }
  }

  const phrases = new Map<string, string[]>();
  for (const [phrase, code] of resolved) phrases.set(code, [...(phrases.get(code) ?? []), phrase]);

  const related = new Map<string, Record<RelatedTier, string[]>>();
  for (const row of source.related) {
    const tier = TIERS[row.tier];
    if (tier === undefined || !titles.has(row.code) || !titles.has(row.related)) continue;
    const tiers = related.get(row.code) ?? { short: [], long: [], supplemental: [] };
    tiers[tier].push(row.related);
    related.set(row.code, tiers);
  }

  const ambiguous: OccupationsFile['ambiguous'] = {};
  const candidates = new Set<string>();
  for (const phrase of [...dropped.keys()].sort()) {
    // A bare head noun ("engineer", "manager") is filed under a haphazard few of the trades that use it:
    // a document could only pick the likeliest of the wrong ones.
    const filed = phrase.includes(' ') ? (evidence.get(phrase) ?? []) : [];
    const byCode = [...filed].sort(([a], [b]) => (a < b ? -1 : 1));
    ambiguous[phrase] = Object.fromEntries(byCode);
    for (const [code] of byCode) candidates.add(code);
  }
  const keys = keysOf(source);
  const noKeys: OccupationKeys = { skills: [], terms: [] };

  const occupations = [...titles]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, title]) => ({
      code,
      title,
      phrases: (phrases.get(code) ?? []).sort(),
      related: related.get(code) ?? { short: [], long: [], supplemental: [] },
      ...(candidates.has(code) ? { keys: keys.get(code) ?? noKeys } : {}),
    }));
  return { file: { version: VERSION, occupations, ambiguous }, dropped };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the sources and writing the result.

export const DEFAULT_DATA_DIR = '../shared/data';
const root = fileURLToPath(new URL('..', import.meta.url));
export const OCCUPATIONS_PATH = join(root, 'lib/matching/occupations.json');

export async function readSource(dataDir: string): Promise<Source> {
  const paths = {
    occupations: join(dataDir, 'onet', 'occupation_data.tsv'),
    alternate: join(dataDir, 'onet-titles', 'alternate_titles.csv'),
    reported: join(dataDir, 'onet-titles', 'sample_of_reported_titles.csv'),
    related: join(dataDir, 'onet-tasks', 'related_occupations.tsv'),
    technologies: join(dataDir, 'onet', 'technology_skills.tsv'),
    tasks: join(dataDir, 'onet-tasks', 'task_statements.tsv'),
  };
  for (const path of Object.values(paths)) {
    if (!existsSync(path)) {
      throw new Error(
        `Reference data not found: ${path}; pass --data <folder> (default ${DEFAULT_DATA_DIR})`,
      );
    }
  }
  const [occupationText, alternateText, reportedText, relatedText, technologyText, taskText] =
    await Promise.all(
      [
        paths.occupations,
        paths.alternate,
        paths.reported,
        paths.related,
        paths.technologies,
        paths.tasks,
      ].map((path) => readFile(path, 'utf8')),
    );
  const code = 'O*NET-SOC Code';
  const occupations = parseTsvObjects(occupationText ?? '', [code, 'Title']).map((row) => ({
    code: row[code].trim(),
    title: row.Title.trim(),
  }));
  const titles: Source['titles'] = [];
  for (const row of parseCsvObjects(alternateText ?? '', [code, 'Job Title', 'Short Title', 'Source(s)'])) {
    const sources = row['Source(s)'].split(',').filter((s) => s.trim() !== '').length;
    titles.push({ code: row[code], title: row['Job Title'], weight: Math.max(1, sources) });
    if (row['Short Title'].trim() !== '') {
      titles.push({ code: row[code], title: row['Short Title'], weight: WEIGHT_SHORT });
    }
  }
  for (const row of parseCsvObjects(reportedText ?? '', [
    code,
    'Reported Job Title',
    'Shown in My Next Move',
  ])) {
    const shown = row['Shown in My Next Move'].trim() === 'Y';
    titles.push({
      code: row[code],
      title: row['Reported Job Title'],
      weight: WEIGHT_REPORTED + (shown ? WEIGHT_SHOWN : 0),
    });
  }
  const related = parseTsvObjects(relatedText ?? '', [
    code,
    'Related O*NET-SOC Code',
    'Relatedness Tier',
  ]).map((row) => ({
    code: row[code],
    related: row['Related O*NET-SOC Code'],
    tier: row['Relatedness Tier'],
  }));
  const technologies = parseTsvObjects(technologyText ?? '', [code, 'Example', 'Hot Technology']).map(
    (row) => ({ code: row[code], example: row.Example, hot: row['Hot Technology'] === 'Y' }),
  );
  const tasks = parseTsvObjects(taskText ?? '', [code, 'Task']).map((row) => ({
    code: row[code],
    task: row.Task,
  }));
  return { occupations, titles, related, technologies, tasks };
}

/** As the repository stores it (Prettier's JSON layout, so `npm run lint` stays clean). */
export async function renderOccupations(file: OccupationsFile): Promise<string> {
  const options = (await resolveConfig(OCCUPATIONS_PATH)) ?? {};
  return format(JSON.stringify(file), { ...options, parser: 'json', filepath: OCCUPATIONS_PATH });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: DEFAULT_DATA_DIR },
      verbose: { type: 'boolean', default: false },
    },
  });
  let source: Source;
  try {
    source = await readSource(resolvePath(root, values.data));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
    return;
  }
  const { file, dropped } = buildOccupations(source);
  const text = await renderOccupations(file);
  await writeFile(OCCUPATIONS_PATH, text);
  if (values.verbose) for (const [phrase, why] of dropped) console.log(`dropped "${phrase}" (${why})`);
  const kept = file.occupations.reduce((sum, o) => sum + o.phrases.length, 0);
  console.log(
    [
      `Wrote ${OCCUPATIONS_PATH} (version ${file.version}, ${Math.round(text.length / 1024)} KiB)`,
      `  occupations:       ${file.occupations.length}`,
      `  title phrases:     ${kept}`,
      `  ambiguous dropped: ${dropped.size}${values.verbose ? '' : ' (--verbose lists them)'}`,
    ].join('\n'),
  );
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(realpathSync(invokedPath)).href) {
  await main();
}
