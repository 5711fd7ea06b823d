import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DatasetMissingError,
  loadOnetAlternateTitles,
  loadOnetOccupations,
  loadOnetTasks,
  loadResumeCategories,
  loadResumeJdRelevancy,
  loadSkillExtractionHouse,
  loadSkillExtractionTech,
  loadVacancyResumeMatching,
} from '../../../lib/matching/training/datasets.js';
import { fnv1a32, isHeldOut, mulberry32, shuffle } from '../../../lib/matching/training/split.js';

// test/matching/training → the project root is three levels up, and the data sits beside it.
const dataDir = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

describe('resume-jd-relevancy', () => {
  it('has one resume and 641 postings, 272 relevant', async () => {
    const { resume, postings } = await loadResumeJdRelevancy(dataDir);
    expect(resume.length).toBeGreaterThan(1000);
    expect(postings).toHaveLength(641);
    expect(postings.filter((posting) => posting.relevant)).toHaveLength(272);
    expect(new Set(postings.map((posting) => posting.id)).size).toBe(641);
    expect(postings.every((posting) => /^\d+$/.test(posting.id) && posting.text.length > 0)).toBe(true);
    // Descriptions span several lines: the quoted multi-line fields were read as one field each.
    expect(postings.filter((posting) => posting.text.includes('\n')).length).toBeGreaterThan(600);
  });
});

describe('vacancy-resume-matching', () => {
  it('has 5 vacancies, 65 CVs and rankings for CVs 1-30 and 1-20', async () => {
    const { vacancies, cvs, annotations } = await loadVacancyResumeMatching(dataDir);
    expect(vacancies.map((vacancy) => vacancy.id)).toEqual(['8', '37', '90', '207', '499']);
    expect(vacancies.every((vacancy) => vacancy.title.length > 0 && vacancy.text.length > 1000)).toBe(true);

    expect(cvs.map((cv) => cv.id)).toEqual(Array.from({ length: 65 }, (_, i) => i + 1));
    expect(cvs.every((cv) => cv.text.length > 0)).toBe(true);

    const byAnnotator = (annotator: 1 | 2) =>
      annotations.filter((row) => row.annotator === annotator).map((row) => row.cvId);
    expect(byAnnotator(1)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(byAnnotator(2)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(annotations).toHaveLength(50);

    for (const row of annotations) {
      expect(Object.keys(row.ranks).sort()).toEqual(['207', '37', '499', '8', '90']);
    }
  });

  it('maps each array position to the vacancy in that row of vacancies.csv and keeps repeated ranks', async () => {
    const { annotations } = await loadVacancyResumeMatching(dataDir);
    const row = (annotator: 1 | 2, cvId: number) =>
      annotations.find((annotation) => annotation.annotator === annotator && annotation.cvId === cvId)?.ranks;
    expect(row(1, 1)).toEqual({ 8: 2, 37: 1, 90: 4, 207: 3, 499: 5 });
    expect(row(2, 20)).toEqual({ 8: 1, 37: 5, 90: 2, 207: 4, 499: 3 });

    // The README's two defective rows: annotator 1, CVs 9 and 28, each repeat a rank.
    expect(row(1, 9)).toEqual({ 8: 1, 37: 5, 90: 2, 207: 1, 499: 4 });
    expect(row(1, 28)).toEqual({ 8: 2, 37: 4, 90: 3, 207: 2, 499: 5 });
    const withRepeats = annotations.filter(
      (annotation) => new Set(Object.values(annotation.ranks)).size !== 5,
    );
    expect(withRepeats.map((annotation) => [annotation.annotator, annotation.cvId])).toEqual([
      [1, 9],
      [1, 28],
    ]);
  });
});

describe('resume-categories', () => {
  it('has 166 resumes in 25 categories', async () => {
    const resumes = await loadResumeCategories(dataDir);
    expect(resumes).toHaveLength(166);
    expect(new Set(resumes.map((resume) => resume.category)).size).toBe(25);
    expect(new Set(resumes.map((resume) => resume.id)).size).toBe(166);
    expect(resumes.filter((resume) => resume.category === 'Java Developer')).toHaveLength(13);
    // Records end in CRLF; the loader must not leave a CR on the last field.
    expect(resumes.some((resume) => resume.text.endsWith('\r'))).toBe(false);
  });
});

describe('onet tasks and titles', () => {
  it('has 18,796 task statements for 923 occupations, most of them core', async () => {
    const tasks = await loadOnetTasks(dataDir);
    expect(tasks).toHaveLength(18_796);
    expect(new Set(tasks.map((task) => task.code)).size).toBe(923);
    expect(tasks.filter((task) => task.type === 'Core')).toHaveLength(13_417);
    expect(tasks.every((task) => task.task.length > 0)).toBe(true);
  });

  it('has 57,543 alternate titles, commas inside quoted titles kept', async () => {
    const titles = await loadOnetAlternateTitles(dataDir);
    expect(titles).toHaveLength(57_543);
    expect(titles).toContainEqual({
      code: '15-1242.00',
      title: 'ETL Developer (Extract, Transform and Load Developer)',
    });
  });
});

describe('onet', () => {
  it('has 1,016 occupations joined with their 32,435 technologies', async () => {
    const occupations = await loadOnetOccupations(dataDir);
    expect(occupations).toHaveLength(1016);
    const technologies = occupations.flatMap((occupation) => occupation.technologies);
    expect(technologies).toHaveLength(32435);
    expect(technologies.filter((technology) => technology.hot)).toHaveLength(11419);
    expect(occupations.filter((occupation) => occupation.technologies.length === 0)).toHaveLength(93);

    const developers = occupations.find((occupation) => occupation.code === '15-1252.00');
    expect(developers?.title).toBe('Software Developers');
    expect(developers?.description.endsWith('\r')).toBe(false);
    expect(developers?.technologies.length).toBeGreaterThan(50);
  });
});

describe('skill-extraction-benchmark', () => {
  it('loads the tech dev and test parts, flagging spans with no ESCO label', async () => {
    const dev = await loadSkillExtractionTech(dataDir, 'dev');
    const test = await loadSkillExtractionTech(dataDir, 'test');
    expect(dev).toHaveLength(293);
    expect(test).toHaveLength(1164);
    for (const [rows, notPresent, underspecified] of [
      [dev, 127, 13],
      [test, 390, 100],
    ] as const) {
      expect(rows.filter((row) => row.noLabel === 'LABEL NOT PRESENT')).toHaveLength(notPresent);
      expect(rows.filter((row) => row.noLabel === 'UNDERSPECIFIED')).toHaveLength(underspecified);
      expect(rows.every((row) => (row.label === null) === (row.noLabel !== null))).toBe(true);
      expect(rows.every((row) => row.sentence.includes(row.span))).toBe(true);
    }
    expect(dev.filter((row) => row.label !== null).length).toBeGreaterThan(0);
    expect(test.some((row) => row.label === 'PostgreSQL')).toBe(true);
    expect(test.filter((row) => row.subSpan !== null).length).toBeGreaterThan(0);
  });

  it('loads the house parts with labels trimmed', async () => {
    const dev = await loadSkillExtractionHouse(dataDir, 'dev');
    const test = await loadSkillExtractionHouse(dataDir, 'test');
    expect(dev).toHaveLength(231);
    expect(test).toHaveLength(891);
    expect(test.every((row) => row.label === null || row.label === row.label.trim())).toBe(true);
  });
});

describe('missing data', () => {
  const missing = join(tmpdir(), 'lookiy-no-such-data-folder');
  let partial = '';

  beforeAll(async () => {
    partial = await mkdtemp(join(tmpdir(), 'lookiy-partial-data-'));
    await mkdir(join(partial, 'resume-jd-relevancy'));
    await writeFile(join(partial, 'resume.txt'), 'not where the loader looks');
    await writeFile(join(partial, 'resume-jd-relevancy', 'resume.txt'), 'A resume.');
  });

  afterAll(async () => {
    await rm(partial, { recursive: true, force: true });
  });

  it.each([
    ['resume-jd-relevancy', () => loadResumeJdRelevancy(missing)],
    ['vacancy-resume-matching', () => loadVacancyResumeMatching(missing)],
    ['resume-categories', () => loadResumeCategories(missing)],
    ['onet', () => loadOnetOccupations(missing)],
    ['skill-extraction-benchmark', () => loadSkillExtractionTech(missing, 'test')],
  ])('%s throws DatasetMissingError for a missing folder', async (_name, load) => {
    const error: unknown = await load().then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(DatasetMissingError);
    expect((error as DatasetMissingError).path.startsWith(missing)).toBe(true);
    expect((error as Error).message).toContain('pass --data <folder> (default ../shared/data)');
  });

  it('names the file that is missing', async () => {
    await expect(loadResumeJdRelevancy(partial)).rejects.toThrow(
      new DatasetMissingError(join(partial, 'resume-jd-relevancy', 'job_descriptions.csv')),
    );
  });
});

describe('held-out split', () => {
  it('hashes with FNV-1a', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('holds out about the asked fraction of real ids, the same way every time', async () => {
    const { postings } = await loadResumeJdRelevancy(dataDir);
    const ids = postings.map((posting) => posting.id);
    const heldOut = ids.filter((id) => isHeldOut('resume-jd-relevancy', id, 0.2));
    expect(heldOut.length / ids.length).toBeGreaterThan(0.14);
    expect(heldOut.length / ids.length).toBeLessThan(0.26);
    expect(ids.filter((id) => isHeldOut('resume-jd-relevancy', id, 0.2))).toEqual(heldOut);

    // A larger fraction holds out a superset; 0 and 1 hold out nothing and everything.
    const larger = new Set(ids.filter((id) => isHeldOut('resume-jd-relevancy', id, 0.5)));
    expect(heldOut.every((id) => larger.has(id))).toBe(true);
    expect(ids.some((id) => isHeldOut('resume-jd-relevancy', id, 0))).toBe(false);
    expect(ids.every((id) => isHeldOut('resume-jd-relevancy', id, 1))).toBe(true);

    // The data set's name is part of the key.
    expect(ids.filter((id) => isHeldOut('other', id, 0.2))).not.toEqual(heldOut);
    expect(() => isHeldOut('x', '1', 1.5)).toThrow(RangeError);
  });

  it('seeds a reproducible PRNG and shuffle', () => {
    const first = mulberry32(42);
    const second = mulberry32(42);
    const values = Array.from({ length: 1000 }, () => first());
    expect(Array.from({ length: 1000 }, () => second())).toEqual(values);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(mean(values)).toBeGreaterThan(0.45);
    expect(mean(values)).toBeLessThan(0.55);
    expect(mulberry32(43)()).not.toBe(values[0]);

    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = shuffle(items, mulberry32(7));
    expect(shuffled).toEqual(shuffle(items, mulberry32(7)));
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(items).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
