/**
 * What the service benches (API, end to end, memory) share: a schema of their own (`bench_<random>`), one
 * client with its API key, a job board built like the match bench's (bench/support/match-corpus.ts) and a
 * few candidates as subjects, Redis queues under prefixes of their own, and removing all of it at the end.
 */
import { randomBytes } from 'node:crypto';

import { createClient } from '../../lib/clients.js';
import { loadConfig, type Config } from '../../lib/config.js';
import { migrateToLatest } from '../../lib/db/knex.js';
import { insertMatchRequest } from '../../lib/db/match-requests.js';
import type { Queues } from '../../lib/queues/queues.js';
import { createServices, type Services } from '../../lib/services.js';
import { spread, type BenchTexts } from './corpus.js';
import { insertCandidates, insertJobs, type InsertedCandidate } from './match-corpus.js';

/** Bench processes run as production does, which requires a key for webhook secrets. */
const BENCH_SECRET_KEY = `bench:${randomBytes(32).toString('base64')}`;

export interface ServiceStack {
  schema: string;
  config: Config;
  services: Services;
  clientId: string;
  apiKey: string;
  candidates: InsertedCandidate[];
  /** The environment of a product process (API, worker) on this stack; `prefix` is its queue prefix. */
  env(prefix: string, extra?: Record<string, string>): Record<string, string>;
  /** A queue prefix of this stack's own (Redis keys removed at the end). */
  prefix(label: string): string;
  /** Match requests written and queued exactly as POST /v1/match-requests does, without the HTTP. */
  queueMatches(queues: Queues, count: number, topK?: number): Promise<string[]>;
  close(keep: boolean): Promise<void>;
}

export async function buildStack(
  name: string,
  texts: BenchTexts,
  jobs: number,
  subjects: number,
  log: (line: string) => void,
): Promise<ServiceStack> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const base = { DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent', DATABASE_POOL_MAX: '8' };
  const prefixes: string[] = [];
  const prefix = (label: string): string => {
    const value = `{${schema}_${label}}`;
    prefixes.push(value);
    return value;
  };
  const config = loadConfig({ ...base, QUEUE_PREFIX: prefix('main') });
  const services = createServices(config, `bench-${name}`);
  await migrateToLatest(services.db, schema);
  const { client, apiKey } = await createClient(services.db, `bench-${name}`);
  log(`  ${name}: inserting ${jobs.toLocaleString('en-US')} jobs into schema ${schema} ...`);
  await insertJobs(services.db, client.id, texts.postings, jobs);
  await services.db.raw('VACUUM ANALYZE jobs');
  const candidates = await insertCandidates(services.db, client.id, spread(texts.resumes, subjects));
  await services.db.raw('VACUUM ANALYZE candidates');
  let next = 0;
  return {
    schema,
    config,
    services,
    clientId: client.id,
    apiKey,
    candidates,
    prefix,
    env: (queuePrefix, extra = {}) => ({
      ...base,
      QUEUE_PREFIX: queuePrefix,
      NODE_ENV: 'production',
      WEBHOOK_SECRET_KEYS: BENCH_SECRET_KEY,
      ...extra,
    }),
    queueMatches: async (target, count, topK = 10) => {
      const ids: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const candidate = candidates[next % candidates.length] as InsertedCandidate;
        next += 1;
        const request = await services.db.transaction((trx) =>
          insertMatchRequest(trx, {
            clientId: client.id,
            subjectType: 'candidate',
            subjectId: candidate.id,
            topK,
            filters: {},
            idempotencyKey: null,
          }),
        );
        ids.push(request.id);
      }
      for (let start = 0; start < ids.length; start += 1000) {
        await target.addBulk(
          'match',
          ids.slice(start, start + 1000).map((requestId) => ({ requestId })),
        );
      }
      return ids;
    },
    close: async (keep) => {
      if (keep) {
        log(`  ${name}: kept schema ${schema} and queue prefixes ${prefixes.join(', ')} (--keep)`);
      } else {
        for (const queuePrefix of new Set(prefixes)) {
          let cursor = '0';
          do {
            const [nextCursor, keys] = await services.redis.scan(
              cursor,
              'MATCH',
              `${queuePrefix}:*`,
              'COUNT',
              1000,
            );
            cursor = nextCursor;
            if (keys.length > 0) await services.redis.del(...keys);
          } while (cursor !== '0');
        }
        await services.db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      }
      await services.close();
    },
  };
}
