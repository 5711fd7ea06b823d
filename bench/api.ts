/**
 * Bench: API throughput and latency. `POST /v1/match-requests` and `GET /v1/match-requests/:id` (a
 * completed request with its results) on the API as deployed (api/server.ts in a process of its own, on
 * Postgres and Redis, authenticated), loaded by autocannon in another process, against a bare Koa app
 * (one middleware returning a small JSON, also in a process of its own) loaded the same way in the same run.
 * POST is also set against what `pgbench` reaches on the same Postgres with a one-row INSERT transaction
 * and as many clients: the durable writes a second this box allows, which every POST needs one of. Koa and
 * node-pg alone doing one INSERT or one SELECT (bench/support/koa-pg.ts) run beside them, as the floor of
 * this stack on this box.
 * No workers run: POSTed requests stay queued (in this bench's own queue prefix, removed at the end).
 */
import { execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { runMatch } from '../lib/match-requests.js';
import { createLogger } from '../lib/logger.js';
import { ProfileCache } from '../lib/matching/profile-cache.js';
import { ScorerRegistry } from '../lib/matching/scorer-registry.js';
import type { CannonRequest, CannonResult } from './support/cannon-child.js';
import type { BenchTexts } from './support/corpus.js';
import { PROJECT_ROOT } from './support/corpus.js';
import { startHttpProcess, stopProcess } from './support/processes.js';
import { formatNumber, type BenchSection, type Figure } from './support/report.js';
import { buildStack } from './support/service-stack.js';
import { median } from './support/stats.js';

export interface ApiBenchOptions {
  texts: BenchTexts;
  jobs: number;
  /** autocannon connections (concurrent keep-alive sockets). */
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  repetitions: number;
  keep: boolean;
  log: (line: string) => void;
}

/** POST against pgbench's one-row INSERT transactions, GET against bare Koa. */
const TARGETS = { post: 0.5, get: 0.3 };

/**
 * Transactions a second `pgbench` reaches on the bench's Postgres with `clients` connections, each
 * transaction one INSERT of one row into a table of the bench's schema (autocommit: one durable commit).
 */
async function pgbenchInsertTps(
  databaseUrl: string,
  schema: string,
  clients: number,
  seconds: number,
): Promise<number> {
  const script = join(tmpdir(), `lookiy-pgbench-${schema}.sql`);
  await writeFile(
    script,
    `INSERT INTO "${schema}".pgbench_insert (payload) VALUES ('{"candidateId": "x", "topK": 10}');\n`,
  );
  const { stdout } = await promisify(execFile)('pgbench', [
    '--no-vacuum',
    `--client=${clients}`,
    '--jobs=2',
    `--time=${seconds}`,
    `--file=${script}`,
    databaseUrl,
  ]);
  const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
  if (tps === undefined) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return Number(tps);
}

async function cannon(request: CannonRequest): Promise<CannonResult> {
  const child = fork('bench/support/cannon-child.ts', [], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const answer = once(child, 'message') as Promise<[CannonResult]>;
  child.send(request);
  const [result] = await answer;
  if (child.exitCode === null) await once(child, 'exit');
  return result;
}

type Contender = 'bareGet' | 'floorGet' | 'apiGet' | 'barePost' | 'floorPost' | 'apiPost';

export async function runApiBench(options: ApiBenchOptions): Promise<BenchSection> {
  const { log } = options;
  const stack = await buildStack('api', options.texts, options.jobs, 4, log);
  const prefix = stack.prefix('api');
  const processes: { child: import('node:child_process').ChildProcess }[] = [];
  try {
    const api = await startHttpProcess(
      'api/server.ts',
      stack.env(prefix, { RATE_LIMIT_REQUESTS: '1000000' }),
    );
    processes.push(api);
    const bare = await startHttpProcess('bench/support/bare-koa.ts', {});
    processes.push(bare);
    const auth = { authorization: `Bearer ${stack.apiKey}` };
    const candidate = stack.candidates[0];
    if (!candidate) throw new Error('no candidate');
    const body = JSON.stringify({ candidateId: candidate.id, topK: 10 });

    // One request through the API, completed in this process by runMatch as a worker would.
    const posted = await fetch(`${api.baseUrl}/v1/match-requests`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });
    if (posted.status !== 202)
      throw new Error(`POST /v1/match-requests: ${posted.status} ${await posted.text()}`);
    const { id } = (await posted.json()) as { id: string };
    const registry = new ScorerRegistry(
      stack.services.db,
      createLogger(stack.config, 'bench-api'),
      stack.config.matching.modelRefreshMs,
    );
    const outcome = await runMatch(stack.services.db, id, {
      candidateLimit: stack.config.matching.candidateLimit,
      scorer: () => registry.current(),
      embedder: stack.services.embedder,
      cache: new ProfileCache(1000),
    });
    if (outcome !== 'completed') throw new Error(`runMatch: ${outcome}`);
    const got = await fetch(`${api.baseUrl}/v1/match-requests/${id}`, { headers: auth });
    const completed = await got.text();
    if (got.status !== 200 || !completed.includes('"completed"'))
      throw new Error(`GET: ${got.status} ${completed}`);

    await stack.services.db.raw(
      'CREATE TABLE ??.pgbench_insert (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), payload jsonb NOT NULL)',
      [stack.schema],
    );
    await stack.services.db.raw(
      'CREATE TABLE ??.koa_pg_documents (id integer PRIMARY KEY, document jsonb NOT NULL)',
      [stack.schema],
    );
    await stack.services.db.raw('INSERT INTO ??.koa_pg_documents VALUES (1, ?::jsonb)', [
      stack.schema,
      completed,
    ]);
    const floor = await startHttpProcess('bench/support/koa-pg.ts', {
      DATABASE_URL: stack.config.database.url,
      BENCH_SCHEMA: stack.schema,
    });
    processes.push(floor);

    const servers = { bare: bare.baseUrl, floor: floor.baseUrl, api: api.baseUrl };
    const load = (contender: Contender, durationSeconds: number): CannonRequest => {
      const common = { connections: options.connections, durationSeconds };
      const server = servers[contender.replace(/(Get|Post)$/, '') as keyof typeof servers];
      return contender.endsWith('Get')
        ? { ...common, url: `${server}/v1/match-requests/${id}`, method: 'GET', headers: auth }
        : {
            ...common,
            url: `${server}/v1/match-requests`,
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body,
          };
    };
    const contenders: Contender[] = ['bareGet', 'floorGet', 'apiGet', 'barePost', 'floorPost', 'apiPost'];
    const pgbench = (seconds: number): Promise<number> =>
      pgbenchInsertTps(stack.config.database.url, stack.schema, options.connections, seconds);
    log(`  api: warm-up (${options.warmupSeconds} s each) ...`);
    for (const contender of contenders) await cannon(load(contender, options.warmupSeconds));
    await pgbench(options.warmupSeconds);
    const results: Record<Contender, CannonResult[]> = {
      bareGet: [],
      floorGet: [],
      apiGet: [],
      barePost: [],
      floorPost: [],
      apiPost: [],
    };
    const pgbenchRounds: number[] = [];
    for (let round = 0; round < options.repetitions; round += 1) {
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const contender of order) {
        const result = await cannon(load(contender, options.durationSeconds));
        const expected = contender.endsWith('Post') ? '202' : '200';
        if (result.non2xx > 0 || result.errors > 0 || (result.statusCodes[expected] ?? 0) === 0)
          throw new Error(`${contender}: ${JSON.stringify(result.statusCodes)}, ${result.errors} errors`);
        results[contender].push(result);
      }
      pgbenchRounds.push(await pgbench(options.durationSeconds));
      log(`  api: round ${round + 1}/${options.repetitions}`);
    }
    const queued = await stack.services.db('matchRequests').count<{ count: string }[]>({ count: '*' });

    const rps = (contender: Contender): number => median(results[contender].map((r) => r.requestsPerSecond));
    const lat = (contender: Contender, key: 'p50' | 'p99'): number =>
      median(results[contender].map((r) => r.latencyMs[key]));
    const figures: Figure[] = [];
    const insertTps = median(pgbenchRounds);
    for (const [method, api, floorName, bareName, target] of [
      ['POST', 'apiPost', 'floorPost', 'barePost', TARGETS.post],
      ['GET', 'apiGet', 'floorGet', 'bareGet', TARGETS.get],
    ] as const) {
      const value = rps(api);
      const baseline =
        method === 'POST'
          ? { name: `pgbench one-row INSERT transactions, ${options.connections} clients`, value: insertTps }
          : { name: `bare Koa ${method}, small JSON`, value: rps(bareName) };
      figures.push(
        {
          name: `${method} /v1/match-requests${method === 'GET' ? '/:id (completed)' : ''} throughput`,
          value,
          unit: 'requests/s',
          better: 'higher',
          baseline,
          target: {
            text: `≥ ${target * 100}% of ${method === 'POST' ? 'pgbench' : 'bare Koa'}`,
            met: value >= target * baseline.value,
          },
        },
        {
          name: `${method} on Koa + node-pg alone, one ${method === 'POST' ? 'INSERT' : 'SELECT'} (this stack's floor)`,
          value: rps(floorName),
          unit: 'requests/s',
          better: 'higher',
          baseline,
        },
        {
          name: `${method} latency p99 (${options.connections} connections)`,
          value: lat(api, 'p99'),
          unit: 'ms',
          better: 'lower',
          baseline: { name: `bare Koa ${method} p99`, value: lat(bareName, 'p99') },
        },
      );
    }
    const row = (name: string, contender: Contender): string => {
      const all = results[contender];
      return `| ${name} | ${all.map((r) => formatNumber(r.requestsPerSecond)).join(', ')} | ${formatNumber(lat(contender, 'p50'))} | ${formatNumber(median(all.map((r) => r.latencyMs.p90)))} | ${formatNumber(lat(contender, 'p99'))} | ${formatNumber(Math.max(...all.map((r) => r.latencyMs.max)))} |`;
    };
    return {
      title: 'API throughput',
      setup: [
        `The API as deployed: api/server.ts in its own process (schema \`${stack.schema}\`, ${formatNumber(options.jobs)} jobs, queue prefix \`${prefix}\`, RATE_LIMIT_REQUESTS 1,000,000, LOG_LEVEL silent), authenticated with a client's API key; no worker runs, so POSTed requests stay queued.`,
        `POST /v1/match-requests: the same body each time (\`{candidateId, topK: 10}\`, no Idempotency-Key), so each creates a request (row, outbox event, BullMQ job). GET /v1/match-requests/:id: one completed request with its 10 results and explanations (${formatNumber(completed.length)} bytes of JSON).`,
        `Baselines: for POST, \`pgbench\` on the same Postgres with ${options.connections} clients (2 threads), each transaction one INSERT of a small JSON row into a table of the bench's schema, after every round (the durable-write limit of this box); for GET, a bare Koa app (one middleware answering a small JSON; no router, auth, body parsing, database or queue) in its own process, same URLs, headers and bodies. Between them, this stack's floor (bench/support/koa-pg.ts): Koa and node-pg alone, POST making pgbench's one INSERT and GET reading the same completed request's JSON by primary key, so the gap between the API and pgbench or bare Koa splits into what the stack costs and what the API's own work costs.`,
        `Load: autocannon ${options.connections} connections in a separate (forked) process; ${options.warmupSeconds} s warm-up per contender, then ${options.repetitions} round(s) of ${options.durationSeconds} s each, order alternating; the median round counts.`,
      ],
      figures,
      details: [
        'Per round, requests/s, and latency in ms (median over rounds):',
        '',
        '| load | requests/s per round | p50 | p90 | p99 | max |',
        '| --- | --- | --- | --- | --- | --- |',
        row('POST /v1/match-requests (API)', 'apiPost'),
        row('POST (Koa + node-pg, one INSERT)', 'floorPost'),
        row('POST (bare Koa)', 'barePost'),
        row('GET /v1/match-requests/:id (API)', 'apiGet'),
        row('GET (Koa + node-pg, one SELECT)', 'floorGet'),
        row('GET (bare Koa)', 'bareGet'),
        '',
        `pgbench one-row INSERT transactions a second, per round: ${pgbenchRounds.map(formatNumber).join(', ')}.`,
        '',
        `Match requests left queued by the POST rounds: ${formatNumber(Number(queued[0]?.count ?? 0))}.`,
      ],
    };
  } finally {
    for (const { child } of processes) await stopProcess(child);
    await stack.close(options.keep);
  }
}
