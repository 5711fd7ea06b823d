/**
 * Loaders for the public reference data sets in `../shared/data` (see its README.md). They are read at
 * training and evaluation time only; nothing here copies their text into the project.
 *
 * Every loader takes the data folder and throws `DatasetMissingError` when a file it needs is absent,
 * `DatasetFormatError` when a file does not have the shape described here.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parseCsvObjects, parseTsvObjects } from './csv.js';

/** Where the data sets sit relative to the project root, the default for `--data`. */
export const DEFAULT_DATA_DIR = '../shared/data';

export class DatasetMissingError extends Error {
  /** The file or folder that could not be read. */
  readonly path: string;

  constructor(path: string, options?: ErrorOptions) {
    super(`Reference data not found: ${path}; pass --data <folder> (default ${DEFAULT_DATA_DIR})`, options);
    this.name = 'DatasetMissingError';
    this.path = path;
  }
}

export class DatasetFormatError extends Error {
  readonly path: string;

  constructor(path: string, detail: string, options?: ErrorOptions) {
    super(`Unexpected format in ${path}: ${detail}`, options);
    this.name = 'DatasetFormatError';
    this.path = path;
  }
}

// ---------------------------------------------------------------------------------------------------------
// resume-jd-relevancy: one resume, 641 postings each judged relevant or not by the resume's owner.

export interface ResumeJdRelevancy {
  resume: string;
  postings: { id: string; text: string; relevant: boolean }[];
}

/**
 * `resume.txt` is plain UTF-8 text. `job_descriptions.csv` is RFC 4180 CSV with LF line ends and a header
 * `job_description_id,job_description,label`; descriptions are quoted and span several lines; the label
 * is the literal `True` or `False`. Ids are long numbers, kept as strings.
 */
export async function loadResumeJdRelevancy(dataDir: string): Promise<ResumeJdRelevancy> {
  const folder = join(dataDir, 'resume-jd-relevancy');
  const resumePath = join(folder, 'resume.txt');
  const postingsPath = join(folder, 'job_descriptions.csv');
  const [resume, csv] = await Promise.all([readText(resumePath), readText(postingsPath)]);
  const rows = parse(postingsPath, () =>
    parseCsvObjects(csv, ['job_description_id', 'job_description', 'label']),
  );
  const postings = rows.map((row) => ({
    id: row.job_description_id,
    text: row.job_description,
    relevant: parseBoolean(postingsPath, row.label, 'True', 'False'),
  }));
  assertUnique(
    postingsPath,
    postings.map((posting) => posting.id),
  );
  return { resume, postings };
}

// ---------------------------------------------------------------------------------------------------------
// vacancy-resume-matching: 5 vacancies, 65 CVs, two annotators' rankings of the vacancies for CVs 1-30/1-20.

export interface Vacancy {
  /** The `id` column of vacancies.csv (the data.world row id: 8, 37, 90, 207, 499). */
  id: string;
  title: string;
  text: string;
}

export interface VacancyAnnotation {
  annotator: 1 | 2;
  /** The CV's number, as in `cv/<n>.txt`. */
  cvId: number;
  /** Vacancy id → the rank the annotator gave it for this CV, 1 = best. Ties are kept as given. */
  ranks: Record<string, number>;
}

export interface VacancyResumeMatching {
  /** In file order, which is the order the annotation arrays use. */
  vacancies: Vacancy[];
  /** Sorted by id. */
  cvs: { id: number; text: string }[];
  /** Annotator 1's rows (CVs 1-30) first, then annotator 2's (CVs 1-20). */
  annotations: VacancyAnnotation[];
}

/**
 * `vacancies.csv`: RFC 4180 CSV with CRLF line ends, header `id,job_description,job_title,uid`, one
 * record per vacancy, descriptions quoted on one line. `cv/<n>.txt`: plain UTF-8 text, n = 1..65.
 *
 * `annotations.txt` (CRLF) is a few lines of prose followed by two Python-style list literals:
 *
 *     ANNOTATOR_1_RANKINGS=[[2,1,4,3,5],[1,2,3,4,5],...,  #1-5
 *            [3,2,1,4,5],...]                              #6-10 ...
 *     ANNOTATOR_2_RANKINGS= [[4,3,1,5,2],...]              #1-5 ...
 *
 * Each literal spans several lines, with a `#` comment after every five rows naming the CVs they cover
 * (annotator 1's last comment says `#26-20`, a typo for 26-30). Row r (1-based) belongs to CV r:
 * annotator 1 has 30 rows, annotator 2 has 20. Each row has five integers 1-5, one per vacancy in the
 * order of vacancies.csv. The prose calls the CVs "vacancies (files numbered 1-30)" and says the
 * vacancies are "ranked from the best (place 1 in the annotation array) to the worst (place 5 ...)";
 * we read value i of a row as the rank of vacancy i (1 = best), as the data folder's README does — under
 * that reading annotator 1's rows 9 ([1,5,2,1,4]) and 28 ([2,4,3,2,5]) repeat a rank, and row 28 has no
 * rank 1 at all. (Read the other way, as the list of vacancy numbers from best to worst, the same two rows
 * would name one vacancy twice and leave one out; the file cannot tell the two readings apart.) Ties
 * are returned as given, not repaired.
 */
export async function loadVacancyResumeMatching(dataDir: string): Promise<VacancyResumeMatching> {
  const folder = join(dataDir, 'vacancy-resume-matching');
  const vacanciesPath = join(folder, 'vacancies.csv');
  const annotationsPath = join(folder, 'annotations.txt');
  const cvFolder = join(folder, 'cv');

  const [vacanciesCsv, annotationsText, cvs] = await Promise.all([
    readText(vacanciesPath),
    readText(annotationsPath),
    readCvs(cvFolder),
  ]);
  const vacancies = parse(vacanciesPath, () =>
    parseCsvObjects(vacanciesCsv, ['id', 'job_title', 'job_description']),
  ).map((row) => ({ id: row.id, title: row.job_title, text: row.job_description }));
  assertUnique(
    vacanciesPath,
    vacancies.map((vacancy) => vacancy.id),
  );

  const cvIds = new Set(cvs.map((cv) => cv.id));
  const annotations: VacancyAnnotation[] = [];
  for (const annotator of [1, 2] as const) {
    const rows = parseRankingLiteral(annotationsPath, annotationsText, annotator);
    rows.forEach((row, index) => {
      const cvId = index + 1;
      if (row.length !== vacancies.length) {
        throw new DatasetFormatError(
          annotationsPath,
          `annotator ${annotator} row ${cvId} has ${row.length} ranks for ${vacancies.length} vacancies`,
        );
      }
      if (!cvIds.has(cvId)) {
        throw new DatasetFormatError(annotationsPath, `annotator ${annotator} ranks CV ${cvId}, not in cv/`);
      }
      const ranks: Record<string, number> = {};
      vacancies.forEach((vacancy, i) => {
        const rank = row[i];
        if (rank === undefined || !Number.isInteger(rank) || rank < 1 || rank > vacancies.length) {
          throw new DatasetFormatError(
            annotationsPath,
            `annotator ${annotator} row ${cvId} has rank ${String(rank)} outside 1-${vacancies.length}`,
          );
        }
        ranks[vacancy.id] = rank;
      });
      annotations.push({ annotator, cvId, ranks });
    });
  }
  return { vacancies, cvs, annotations };
}

async function readCvs(folder: string): Promise<{ id: number; text: string }[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw missingOr(folder, error);
  }
  const ids = names
    .map((name) => /^(\d+)\.txt$/.exec(name)?.[1])
    .filter((id) => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return Promise.all(ids.map(async (id) => ({ id, text: await readText(join(folder, `${id}.txt`)) })));
}

/** Finds `ANNOTATOR_<n>_RANKINGS = [...]`, drops `#` comments, and reads the nested list of integers. */
function parseRankingLiteral(path: string, text: string, annotator: 1 | 2): number[][] {
  const marker = new RegExp(`ANNOTATOR_${annotator}_RANKINGS\\s*=`).exec(text);
  if (marker === null) throw new DatasetFormatError(path, `no ANNOTATOR_${annotator}_RANKINGS`);
  const rest = text
    .slice(marker.index + marker[0].length)
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n');
  let depth = 0;
  let end = -1;
  for (let i = 0; i < rest.length && end === -1; i += 1) {
    const char = rest[i];
    if (char === '[') depth += 1;
    else if (char === ']') {
      depth -= 1;
      if (depth === 0) end = i + 1;
    }
  }
  if (end === -1) throw new DatasetFormatError(path, `ANNOTATOR_${annotator}_RANKINGS is not closed`);
  let value: unknown;
  try {
    value = JSON.parse(rest.slice(0, end));
  } catch (error) {
    throw new DatasetFormatError(path, `ANNOTATOR_${annotator}_RANKINGS is not a list literal`, {
      cause: error,
    });
  }
  if (
    !Array.isArray(value) ||
    !value.every(
      (row): row is number[] => Array.isArray(row) && row.every((rank) => typeof rank === 'number'),
    )
  ) {
    throw new DatasetFormatError(path, `ANNOTATOR_${annotator}_RANKINGS is not a list of lists of numbers`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// resume-categories: 166 distinct resumes in 25 categories.

export interface CategorisedResume {
  id: string;
  category: string;
  text: string;
}

/**
 * `resumes_unique.csv`: RFC 4180 CSV, header `id,category,resume`. Records end in CRLF while the line
 * breaks inside the quoted resumes are bare LF (kept as they are). Ids are 1..166.
 */
export async function loadResumeCategories(dataDir: string): Promise<CategorisedResume[]> {
  const path = join(dataDir, 'resume-categories', 'resumes_unique.csv');
  const text = await readText(path);
  const resumes = parse(path, () => parseCsvObjects(text, ['id', 'category', 'resume'])).map((row) => ({
    id: row.id,
    category: row.category,
    text: row.resume,
  }));
  assertUnique(
    path,
    resumes.map((resume) => resume.id),
  );
  return resumes;
}

// ---------------------------------------------------------------------------------------------------------
// onet: O*NET occupations with the tools and technologies used in them.

export interface OnetOccupation {
  /** O*NET-SOC code, e.g. `15-1252.00`. */
  code: string;
  title: string;
  description: string;
  /** In file order; empty for the 93 occupations O*NET lists no technology for. */
  technologies: { name: string; hot: boolean }[];
}

/**
 * Both files are tab-separated with CRLF line ends and no quoting. `occupation_data.tsv` has the header
 * `O*NET-SOC Code, Title, Description` (1,016 rows). `technology_skills.tsv` has `O*NET-SOC Code,
 * Example, Commodity Code, Commodity Title, Hot Technology, In Demand` (32,435 rows), the last two `Y`/`N`;
 * `Example` is the technology's name. Technologies are joined to occupations by code; a technology row
 * whose code has no occupation is dropped (the 2024 files have none).
 */
export async function loadOnetOccupations(dataDir: string): Promise<OnetOccupation[]> {
  const folder = join(dataDir, 'onet');
  const occupationsPath = join(folder, 'occupation_data.tsv');
  const technologiesPath = join(folder, 'technology_skills.tsv');
  const [occupationsText, technologiesText] = await Promise.all([
    readText(occupationsPath),
    readText(technologiesPath),
  ]);
  const occupations = parse(occupationsPath, () =>
    parseTsvObjects(occupationsText, ['O*NET-SOC Code', 'Title', 'Description']),
  ).map((row): OnetOccupation => ({
    code: row['O*NET-SOC Code'],
    title: row.Title,
    description: row.Description,
    technologies: [],
  }));
  const byCode = new Map(occupations.map((occupation) => [occupation.code, occupation]));
  if (byCode.size !== occupations.length) {
    throw new DatasetFormatError(occupationsPath, 'an O*NET-SOC code appears more than once');
  }
  const technologies = parse(technologiesPath, () =>
    parseTsvObjects(technologiesText, ['O*NET-SOC Code', 'Example', 'Hot Technology']),
  );
  for (const row of technologies) {
    byCode.get(row['O*NET-SOC Code'])?.technologies.push({
      name: row.Example,
      hot: parseBoolean(technologiesPath, row['Hot Technology'], 'Y', 'N'),
    });
  }
  return occupations;
}

export interface OnetTask {
  code: string;
  task: string;
  /** `Core` (critical to the occupation), `Supplemental`, or empty where O*NET rates neither. */
  type: 'Core' | 'Supplemental' | '';
}

/**
 * `onet-tasks/task_statements.tsv`: tab-separated, no quoting, header `O*NET-SOC Code, Title, Task ID, Task,
 * Task Type, Incumbents Responding, Date, Domain Source` (18,796 rows for 923 occupations), in file order.
 */
export async function loadOnetTasks(dataDir: string): Promise<OnetTask[]> {
  const path = join(dataDir, 'onet-tasks', 'task_statements.tsv');
  const text = await readText(path);
  return parse(path, () => parseTsvObjects(text, ['O*NET-SOC Code', 'Task', 'Task Type'])).map((row) => {
    const type = row['Task Type'];
    if (type !== 'Core' && type !== 'Supplemental' && type !== '') {
      throw new DatasetFormatError(path, `unknown task type ${JSON.stringify(type)}`);
    }
    return { code: row['O*NET-SOC Code'], task: row.Task, type };
  });
}

/**
 * `onet-titles/alternate_titles.csv`: RFC 4180 CSV with CRLF line ends, header `O*NET-SOC Code, Title, Job
 * Title, Short Title, Source(s)` (57,543 rows); a job title with a comma is quoted.
 */
export async function loadOnetAlternateTitles(dataDir: string): Promise<{ code: string; title: string }[]> {
  const path = join(dataDir, 'onet-titles', 'alternate_titles.csv');
  const text = await readText(path);
  return parse(path, () => parseCsvObjects(text, ['O*NET-SOC Code', 'Job Title'])).map((row) => ({
    code: row['O*NET-SOC Code'],
    title: row['Job Title'],
  }));
}

// ---------------------------------------------------------------------------------------------------------
// skill-extraction-benchmark: spans of job-posting sentences with the ESCO skill they mention.

export interface SkillSpanAnnotation {
  sentence: string;
  /** The part of the sentence that mentions the skill. */
  span: string;
  /** A rewording of a span that joins several skills into one (e.g. "safe and effective X" → "safe X"). */
  subSpan: string | null;
  /** ESCO preferred label (surrounding white space trimmed), or null when the span has no gold label. */
  label: string | null;
  /**
   * Why `label` is null: `LABEL NOT PRESENT` = a skill that ESCO has no label for (frameworks such as
   * django, reactjs, and traits such as "smart"); `UNDERSPECIFIED` = too vague to pick one label.
   */
  noLabel: NoLabelMarker | null;
}

export type NoLabelMarker = 'LABEL NOT PRESENT' | 'UNDERSPECIFIED';

export type SkillBenchmarkPart = 'dev' | 'test';

function isNoLabelMarker(label: string): label is NoLabelMarker {
  return label === 'LABEL NOT PRESENT' || label === 'UNDERSPECIFIED';
}

/**
 * The benchmark has `tech_validation_annotations.csv` (dev) and `tech_test_annotations.csv` (test) for
 * software postings, the same pair as `house_*` for other postings, `techwolf_test_annotations.csv`
 * (`sentence,label`, no spans) and `skills_en_label.txt` (the ESCO labels, one a line). The tech and house
 * files are RFC 4180 CSV with LF line ends and header `sentence,span,sub_span,label`; a sentence has one
 * row per span; `sub_span` is usually empty. Two label values are markers, not skills:
 * `LABEL NOT PRESENT` and `UNDERSPECIFIED`; their rows are kept with `label: null` and the marker in
 * `noLabel`. Rows are returned as given, including exact duplicates (the source lists some sentences'
 * spans twice: 33 of 293 dev rows and 107 of 1,164 test rows repeat an earlier row).
 */
export async function loadSkillExtractionTech(
  dataDir: string,
  part: SkillBenchmarkPart,
): Promise<SkillSpanAnnotation[]> {
  return loadSkillSpans(dataDir, 'tech', part);
}

/** The same as `loadSkillExtractionTech` for the benchmark's `house_*` files (postings of all kinds). */
export async function loadSkillExtractionHouse(
  dataDir: string,
  part: SkillBenchmarkPart,
): Promise<SkillSpanAnnotation[]> {
  return loadSkillSpans(dataDir, 'house', part);
}

async function loadSkillSpans(
  dataDir: string,
  domain: 'tech' | 'house',
  part: SkillBenchmarkPart,
): Promise<SkillSpanAnnotation[]> {
  const file = `${domain}_${part === 'dev' ? 'validation' : 'test'}_annotations.csv`;
  const path = join(dataDir, 'skill-extraction-benchmark', file);
  const text = await readText(path);
  return parse(path, () => parseCsvObjects(text, ['sentence', 'span', 'sub_span', 'label'])).map((row) => {
    const label = row.label.trim();
    if (label === '') throw new DatasetFormatError(path, `empty label for span ${JSON.stringify(row.span)}`);
    const marker = isNoLabelMarker(label);
    return {
      sentence: row.sentence,
      span: row.span,
      subSpan: row.sub_span === '' ? null : row.sub_span,
      label: marker ? null : label,
      noLabel: marker ? label : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------

async function readText(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw missingOr(path, error);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function missingOr(path: string, error: unknown): unknown {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR' ? new DatasetMissingError(path, { cause: error }) : error;
}

function parse<T>(path: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new DatasetFormatError(path, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

function parseBoolean(path: string, value: string, yes: string, no: string): boolean {
  if (value === yes) return true;
  if (value === no) return false;
  throw new DatasetFormatError(path, `expected ${yes} or ${no}, found ${JSON.stringify(value)}`);
}

function assertUnique(path: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new DatasetFormatError(path, `id ${JSON.stringify(id)} appears more than once`);
    seen.add(id);
  }
}
