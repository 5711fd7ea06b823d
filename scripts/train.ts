/**
 * npm run train -- [--data ../shared/data] [--seed 7] [--iterations 2000] [--hidden 8] [--write-default]
 *
 * Trains the brain.js scorer on the training part of the public sets (plus client feedback), compares it
 * with the model in use on the development part, stores it in Postgres, and activates it only if it is
 * better there. The held-out parts are left for npm run eval.
 * Running workers pick the new model up within MODEL_REFRESH_MS. --write-default also writes it to
 * lib/matching/default-model.json, the model a fresh install starts with.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { loadConfig } from '../lib/config.js';
import { listFeedbackPairs } from '../lib/db/feedback.js';
import { createDatabase, migrateToLatest } from '../lib/db/knex.js';
import { findProfileById } from '../lib/db/profiles.js';
import { activateModel, findActiveModel, findModelByName, insertModel } from '../lib/db/scoring-models.js';
import { FEATURES_VERSION } from '../lib/matching/features.js';
import { sharedAnalyzer } from '../lib/matching/nlp.js';
import { pairFeaturesAmong } from '../lib/matching/pair-features.js';
import { defaultModel } from '../lib/matching/scorer-registry.js';
import { lexicalScorer, networkScorer } from '../lib/matching/scorers.js';
import { EVALUATION_DATE, loadEvaluationCorpus } from '../lib/matching/training/corpus.js';
import { DEFAULT_DATA_DIR, DatasetMissingError } from '../lib/matching/training/datasets.js';
import { evaluate, scorerRanker, type EvaluationReport } from '../lib/matching/training/evaluate.js';
import { trainingPairs, trainNetwork, type LabelledPair } from '../lib/matching/training/train.js';
import { computeFeatures } from '../lib/profiles.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: DEFAULT_DATA_DIR },
    seed: { type: 'string', default: '7' },
    iterations: { type: 'string', default: '2000' },
    hidden: { type: 'string', default: '8' },
    'learning-rate': { type: 'string', default: '0.1' },
    'write-default': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const dataDir = resolve(root, values.data);

const FEEDBACK_LABEL = { hired: 1, interview: 0.85, applied: 0.65, rejected: 0 } as const;

function bar(fraction: number, width = 30): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

function summary(report: EvaluationReport): string {
  return [
    `overall ${report.overall.toFixed(4)}`,
    `resume-jd AP ${report.resumeJd.averagePrecision.toFixed(4)}`,
    `vacancy ρ ${((report.vacancies.spearmanAnnotator1 + report.vacancies.spearmanAnnotator2) / 2).toFixed(4)}`,
    `categories NDCG@10 ${report.categories.ndcgAt10.toFixed(4)}`,
  ].join(', ');
}

const config = loadConfig();
const db = createDatabase(config);
try {
  await migrateToLatest(db, config.database.schema);
  console.log(`Reading the public sets from ${dataDir} ...`);
  const corpus = await loadEvaluationCorpus(dataDir, sharedAnalyzer(), EVALUATION_DATE);

  const feedback: LabelledPair[] = [];
  for (const row of await listFeedbackPairs(db)) {
    const targetKind = row.subjectType === 'candidate' ? 'job' : 'candidate';
    const [subject, target] = await Promise.all([
      findProfileById(db, row.subjectType, row.subjectId),
      findProfileById(db, targetKind, row.targetId),
    ]);
    if (!subject || !target) continue;
    const [job, candidate] =
      row.subjectType === 'job'
        ? [computeFeatures('job', subject), computeFeatures('candidate', target)]
        : [computeFeatures('job', target), computeFeatures('candidate', subject)];
    feedback.push({
      input: [...pairFeaturesAmong('job', job, [candidate])(candidate)],
      output: [FEEDBACK_LABEL[row.outcome]],
    });
  }

  const pairs = trainingPairs(corpus, feedback, seed);
  const iterations = Number(values.iterations);
  console.log(
    `Training on ${pairs.train.length} pairs, validating on ${pairs.validation.length} (${feedback.length} from client feedback), seed ${seed}:`,
  );
  const model = trainNetwork(pairs, {
    seed,
    hiddenLayers: [Number(values.hidden)],
    iterations,
    learningRate: Number(values['learning-rate']),
    progressEvery: 20,
    onProgress: (iteration, trainingError, validationError) => {
      process.stderr.write(
        `\r  ${bar(iteration / iterations)} iteration ${iteration}, error ${trainingError.toFixed(5)}, validation ${validationError.toFixed(5)}`,
      );
    },
  });
  process.stderr.write('\n');

  // The development part decides; the held-out parts stay unseen until npm run eval reports them.
  const candidateReport = await evaluate(scorerRanker(networkScorer(model, FEATURES_VERSION)), corpus, 'dev');
  const active = await findActiveModel(db);
  const incumbent = active?.model ?? defaultModel;
  let incumbentReport: EvaluationReport;
  try {
    incumbentReport = await evaluate(scorerRanker(networkScorer(incumbent, FEATURES_VERSION)), corpus, 'dev');
  } catch {
    incumbentReport = await evaluate(scorerRanker(lexicalScorer), corpus, 'dev');
  }
  console.log(`New model ${model.name} on the development parts: ${summary(candidateReport)}`);
  console.log(`Active (${active ? active.name : `default ${incumbent.name}`}): ${summary(incumbentReport)}`);

  const metrics = {
    development: candidateReport,
    seed,
    iterations,
    trainingPairs: pairs.train.length,
    validationPairs: pairs.validation.length,
    feedbackPairs: feedback.length,
  };
  const stored = (await findModelByName(db, model.name)) ?? (await insertModel(db, model, metrics));
  if (stored.id === active?.id || model.name === incumbent.name) {
    console.log(`${model.name} is the model in use already.`);
  } else if (candidateReport.overall > incumbentReport.overall) {
    await activateModel(db, stored.id);
    console.log(`Activated ${model.name}; workers switch to it within ${config.matching.modelRefreshMs} ms.`);
  } else {
    console.log(
      `Stored ${model.name} but left the active model in place: it is not better on the development parts.`,
    );
  }
  if (values['write-default']) {
    const path = resolve(root, 'lib/matching/default-model.json');
    await writeFile(path, `${JSON.stringify(model)}\n`);
    console.log(`Wrote ${path}.`);
  }
} catch (error) {
  if (error instanceof DatasetMissingError) {
    console.error(error.message);
    process.exitCode = 2;
  } else {
    throw error;
  }
} finally {
  await db.destroy();
}
