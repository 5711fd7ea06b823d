/**
 * npm run train -- [--data ../shared/data] [--seed 7] [--epochs 60] [--hidden 12] [--write-default]
 *
 * Trains the brain.js scorer to order (LambdaRank, see lib/matching/training/train.ts) on the training part
 * of every public set (plus client feedback), compares it on the development part with the model in use
 * and with plain BM25, stores it in Postgres, and activates it only if it beats both there. The held-out
 * parts are left for npm run eval.
 * Running workers pick the new model up within MODEL_REFRESH_MS. --write-default also writes it to
 * lib/matching/default-model.json, the model a fresh install starts with.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import type { Knex } from 'knex';

import { loadConfig } from '../lib/config.js';
import { listFeedbackPairs } from '../lib/db/feedback.js';
import { createDatabase, migrateToLatest } from '../lib/db/knex.js';
import { findProfileById } from '../lib/db/profiles.js';
import { activateModel, findActiveModel, findModelByName, insertModel } from '../lib/db/scoring-models.js';
import { sharedEmbedder } from '../lib/matching/embedding.js';
import { FEATURES_VERSION, type Embedder } from '../lib/matching/features.js';
import { sharedAnalyzer } from '../lib/matching/nlp.js';
import { defaultModel } from '../lib/matching/scorer-registry.js';
import { lexicalScorer, networkScorer } from '../lib/matching/scorers.js';
import { EVALUATION_DATE, loadEvaluationCorpus } from '../lib/matching/training/corpus.js';
import { DEFAULT_DATA_DIR, DatasetMissingError } from '../lib/matching/training/datasets.js';
import {
  beats,
  evaluate,
  MAIN_METRICS,
  plainBm25Ranker,
  scorerRanker,
  SET_NAMES,
  type EvaluationReport,
} from '../lib/matching/training/evaluate.js';
import {
  corpusTrainingQueries,
  splitForValidation,
  trainingQuery,
  trainNetwork,
  type TrainingQuery,
} from '../lib/matching/training/train.js';
import { computeFeatures } from '../lib/profiles.js';
import type { ProfileKind } from '../lib/queues/registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: DEFAULT_DATA_DIR },
    seed: { type: 'string', default: '7' },
    epochs: { type: 'string', default: '60' },
    hidden: { type: 'string', default: '12' },
    'learning-rate': { type: 'string', default: '0.1' },
    'write-default': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const dataDir = resolve(root, values.data);

const FEEDBACK_RELEVANCE = { hired: 1, interview: 0.85, applied: 0.65, rejected: 0 } as const;

function bar(fraction: number, width = 30): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

function summary(report: EvaluationReport): string {
  return [
    `overall ${report.overall.toFixed(4)}`,
    ...SET_NAMES.map((set) => `${set} ${MAIN_METRICS[set].label} ${MAIN_METRICS[set].of(report).toFixed(4)}`),
  ].join(', ');
}

/**
 * Client feedback as queries: one per match request, its subject against the results that got an outcome
 * (the pool their pair features are read against), features computed from the rows as they are now.
 */
async function feedbackQueries(db: Knex, embedder: Embedder): Promise<TrainingQuery[]> {
  const byRequest = new Map<string, Awaited<ReturnType<typeof listFeedbackPairs>>>();
  for (const row of await listFeedbackPairs(db))
    byRequest.set(row.requestId, [...(byRequest.get(row.requestId) ?? []), row]);
  const queries: TrainingQuery[] = [];
  for (const rows of byRequest.values()) {
    const [first] = rows;
    if (!first || !rows.some((row) => FEEDBACK_RELEVANCE[row.outcome] > 0)) continue;
    const subjectKind: ProfileKind = first.subjectType;
    const targetKind: ProfileKind = subjectKind === 'candidate' ? 'job' : 'candidate';
    const subject = await findProfileById(db, subjectKind, first.subjectId);
    if (!subject) continue;
    const targets = [];
    for (const row of rows) {
      const target = await findProfileById(db, targetKind, row.targetId);
      if (target)
        targets.push({
          features: await computeFeatures(targetKind, target, embedder),
          relevance: FEEDBACK_RELEVANCE[row.outcome],
        });
    }
    if (targets.length < 2) continue;
    queries.push(
      trainingQuery('feedback', {
        subjectKind,
        subject: await computeFeatures(subjectKind, subject, embedder),
        targets,
      }),
    );
  }
  return queries;
}

const config = loadConfig();
const db = createDatabase(config);
try {
  await migrateToLatest(db, config.database.schema);
  console.log(`Reading the public sets from ${dataDir} ...`);
  const embedder = await sharedEmbedder(config);
  const corpus = await loadEvaluationCorpus(dataDir, sharedAnalyzer(), EVALUATION_DATE, embedder);
  const feedback = await feedbackQueries(db, embedder);
  const data = splitForValidation([...corpusTrainingQueries(corpus), ...feedback], seed);
  const epochs = Number(values.epochs);
  console.log(
    `Training on ${data.train.length} queries, validating on ${data.validation.length} (${feedback.length} from client feedback), seed ${seed}:`,
  );
  const model = trainNetwork(data, {
    seed,
    hiddenLayers: [Number(values.hidden)],
    epochs,
    learningRate: Number(values['learning-rate']),
    onProgress: (epoch, validationNdcg) => {
      process.stderr.write(
        `\r  ${bar(epoch / epochs)} epoch ${epoch}, validation NDCG@10 ${validationNdcg.toFixed(4)}`,
      );
    },
  });
  process.stderr.write('\n');

  // The development part decides; the held-out parts stay unseen until npm run eval reports them.
  const candidateReport = await evaluate(scorerRanker(networkScorer(model, FEATURES_VERSION)), corpus, 'dev');
  const bm25Report = await evaluate(plainBm25Ranker, corpus, 'dev');
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
  console.log(`Plain BM25: ${summary(bm25Report)}`);

  const metrics = {
    development: candidateReport,
    seed,
    epochs,
    trainingQueries: data.train.length,
    validationQueries: data.validation.length,
    feedbackQueries: feedback.length,
  };
  const stored = (await findModelByName(db, model.name)) ?? (await insertModel(db, model, metrics));
  if (stored.id === active?.id || model.name === incumbent.name) {
    console.log(`${model.name} is the model in use already.`);
  } else if (beats(candidateReport, incumbentReport) && beats(candidateReport, bm25Report)) {
    await activateModel(db, stored.id);
    console.log(`Activated ${model.name}; workers switch to it within ${config.matching.modelRefreshMs} ms.`);
  } else {
    console.log(
      `Stored ${model.name} but left the active model in place: it does not beat both the active model and plain BM25 on the development parts.`,
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
