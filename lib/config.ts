import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import ipaddr from 'ipaddr.js';
import { z } from 'zod';

import type { SecretKey } from './notifications/secret-box.js';
import type { RetentionPolicy } from './db/retention.js';
import { queueNames, type QueueName } from './queues/registry.js';

const booleanFromString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A comma-separated list of CIDR blocks or single addresses, normalised to CIDR notation. */
/**
 * WEBHOOK_SECRET_KEYS: `id:base64` pairs, comma-separated, each key 32 bytes; the first seals, all open.
 * Unset outside production: one development key, derived from a public phrase, so `npm start` works.
 */
const secretKeys = z
  .string()
  .optional()
  .transform((value, context): SecretKey[] | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    const keys: SecretKey[] = [];
    for (const entry of value.split(',').map((part) => part.trim())) {
      const [id = '', encoded = '', extra] = entry.split(':');
      const key = Buffer.from(encoded, 'base64');
      if (extra !== undefined || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
        context.addIssue({
          code: 'custom',
          message: `"${id}:…" is not id:key (an id of letters, digits, _ or -, and 32 bytes in base64)`,
        });
        return z.NEVER;
      }
      if (keys.some((known) => known.id === id)) {
        context.addIssue({ code: 'custom', message: `the key id ${id} appears twice` });
        return z.NEVER;
      }
      keys.push({ id, key });
    }
    return keys;
  });

const DEVELOPMENT_SECRET_KEY: SecretKey = {
  id: 'development',
  key: createHash('sha256').update('lookiy-match development webhook secret key, not secret').digest(),
};

const networkList = z
  .string()
  .default('')
  .transform((value, context) => {
    const networks: string[] = [];
    for (const entry of value.split(',').map((item) => item.trim())) {
      if (entry === '') continue;
      const [address = '', bits] = entry.split('/');
      const family = isIP(address);
      const valid = family !== 0 && (bits === undefined || ipaddr.isValidCIDR(entry));
      if (!valid) {
        context.addIssue({ code: 'custom', message: `${entry} is not an IP address or CIDR block` });
        return z.NEVER;
      }
      networks.push(bits === undefined ? `${address}/${family === 4 ? 32 : 128}` : entry);
    }
    return networks;
  });

/** The folder holding package.json: relative paths in settings are taken from it (lib/ in dev, dist/lib/ built). */
const projectRoot = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** The ingest consumer group's name after the topic prefix when KAFKA_CONSUMER_GROUP is unset. */
const DEFAULT_CONSUMER_GROUP = 'lookiy-match-ingest';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/test'),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
    .default('public'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  // In braces, a Redis Cluster hash tag: every key of every queue lands in one slot, as BullMQ's Lua
  // scripts (which touch several keys of a queue at once) require on a cluster.
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+$/, 'letters, digits, _ - { } only')
    .default('{lookiy}'),
  KAFKA_BROKERS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((broker) => broker.trim())
        .filter((broker) => broker.length > 0),
    ),
  KAFKA_CLIENT_ID: z.string().min(1).default('lookiy-match'),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, 'letters, digits, . _ - only (at most 100)')
    .default(''),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  // Unset: follows the topic prefix, so two installations sharing a broker never join one group (a member
  // of a group is assigned partitions of topics only the others subscribe to, and nobody reads them).
  KAFKA_CONSUMER_GROUP: z.string().min(1).optional(),
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  RELAY_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).max(1_000_000).default(600),
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
  JSON_MAX_DEPTH: z.coerce.number().int().min(2).max(1000).default(32),
  DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  DOCUMENT_MAX_PAGES: z.coerce.number().int().min(1).max(100_000).default(300),
  DOCUMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  API_KEY_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value, context) => {
      const origins = value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0);
      for (const origin of origins) {
        if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
          context.addIssue({
            code: 'custom',
            message: `${origin} is not an origin like https://app.example.com`,
          });
          return z.NEVER;
        }
      }
      return origins;
    }),
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  READINESS_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1000),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  WORKER_REPLICAS: z.coerce.number().int().min(0).max(64).default(2),
  WORKER_QUEUES: z
    .string()
    .default(queueNames.join(','))
    .transform((value, context) => {
      const names = value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name.length > 0);
      const unknown = names.filter((name) => !(queueNames as readonly string[]).includes(name));
      if (unknown.length > 0) {
        context.addIssue({
          code: 'custom',
          message: `unknown queue(s) ${unknown.join(', ')}; known: ${queueNames.join(', ')}`,
        });
        return z.NEVER;
      }
      return names as QueueName[];
    }),
  // Ranking is CPU work: a second match in flight per process only slows the first, and a client's request
  // that jumps another's backlog (queue priority) still waits for every match in flight (bench: fairness).
  MATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  FEATURES_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  NOTIFY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(10),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  JOB_BACKOFF_MS: z.coerce.number().int().min(0).default(1000),
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  JOB_MAX_STALLS: z.coerce.number().int().min(1).max(1000).default(20),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  RECONCILE_MIN_AGE_MS: z.coerce.number().int().min(0).default(30_000),
  PURGE_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  PURGE_BATCH: z.coerce.number().int().min(1).max(100_000).default(1000),
  OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(1).default(24),
  // Kafka's own default retention: a consumer group reset to the earliest offset meets no older event.
  PROCESSED_EVENT_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24),
  NOTIFICATION_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24),
  // 0: match requests and their results are kept for good.
  MATCH_REQUEST_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  MATCH_CANDIDATE_LIMIT: z.coerce.number().int().min(10).max(100_000).default(2000),
  MATCH_CACHED_PROFILES: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
  // A bulk match run is split into this many lanes (queue jobs) that workers rank side by side.
  MATCH_RUN_LANES: z.coerce.number().int().min(1).max(256).default(8),
  MODEL_REFRESH_MS: z.coerce.number().int().min(100).default(10_000),
  // Where scripts/models.sh unpacks the sentence-embedding model (npm run models:fetch).
  EMBEDDING_MODEL_DIR: z
    .string()
    .min(1)
    .default('.cache/models/all-minilm-l6-v2-q')
    .transform((dir) => resolve(projectRoot, dir)),
  // The first limit whose extraction cost meets the target (BENCHMARKS.md); features.ts puts the title and
  // skills first, so the prefix read carries the trade.
  EMBEDDING_MAX_TOKENS: z.coerce.number().int().min(3).max(512).default(64),
  START_LOCAL_KAFKA: booleanFromString.default(true),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(1).default(2000),
  WEBHOOK_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(3_600_000),
  WEBHOOK_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  WEBHOOK_RATE_WINDOW_MS: z.coerce.number().int().min(10).default(1000),
  WEBHOOK_ALLOWED_NETWORKS: networkList,
  WEBHOOK_SECRET_KEYS: secretKeys,
});

type Schema = z.output<typeof schema>;

/** Every environment variable the service reads, for checking deployment files against. */
export const configVariables: readonly string[] = Object.keys(schema.shape);

export interface Config {
  env: Schema['NODE_ENV'];
  logLevel: Schema['LOG_LEVEL'];
  http: {
    host: string;
    port: number;
    publicUrl: string | undefined;
    bodyLimitBytes: number;
    /** Deepest nesting of arrays and objects a JSON body may have. */
    jsonMaxDepth: number;
    /**
     * Resume and posting files (PDF, DOCX): the largest accepted, the most pages read, and the longest one
     * may take to convert (lib/documents.ts), so no file holds the API for long.
     */
    documents: DocumentLimits;
    /** Longest a request may take to arrive and be answered before the server closes it. */
    requestTimeoutMs: number;
    /** Browser origins allowed to call the API (CORS); empty: none, the default. */
    corsOrigins: string[];
    /** Requests per window per API key, across all API replicas. */
    rateLimit: { points: number; windowSeconds: number };
    /** How long an Idempotency-Key is remembered. */
    idempotencyTtlHours: number;
    /**
     * Verified API keys each API process keeps (lib/api-key-cache.ts); revocations reach them over Redis,
     * and `ttlMs` bounds how long one that cannot arrive leaves a revoked key working. 0 (either): none.
     */
    apiKeyCache: { ttlMs: number; maxEntries: number };
  };
  database: { url: string; schema: string; poolMax: number };
  redis: { url: string; queuePrefix: string };
  kafka: {
    brokers: string[];
    clientId: string;
    startLocal: boolean;
    /** Put in front of every topic name, so environments (and parallel tests) can share a cluster. */
    topicPrefix: string;
    /** For topics the relay and the ingest consumer create when they are missing. */
    topicPartitions: number;
    replicationFactor: number;
    /** The ingest consumer group; also the consumer name its processed-event ids are kept under. */
    consumerGroup: string;
  };
  relay: {
    /** Outbox rows published per Kafka request. */
    batchSize: number;
    /** How often an idle relay looks for rows a missed notification left, and a standby for the lock. */
    pollMs: number;
  };
  adminToken: string | undefined;
  /**
   * After SIGTERM, how long active jobs and in-flight HTTP requests get to finish; then jobs still running
   * are handed back to the queue and connections still open are closed.
   */
  shutdownGraceMs: number;
  ops: {
    /** When set, /metrics wants it as a Bearer token; when not, /metrics is open (scrape it on a private network). */
    metricsToken: string | undefined;
    /** Where a worker, relay or ingest process serves /healthz, /readyz and /metrics (0: any free port). */
    port: number;
    /** Each dependency's share of a /readyz answer. */
    readinessTimeoutMs: number;
  };
  workers: {
    replicas: number;
    queues: QueueName[];
    matchConcurrency: number;
    featuresConcurrency: number;
    notifyConcurrency: number;
    attempts: number;
    backoffMs: number;
    /** How long a worker's lock on an active job lasts; a job whose worker died is retried after it. */
    lockMs: number;
    /**
     * How often a job may lose its worker (killed, or starved past its lock) and run again before it fails:
     * only a job that takes down every worker it runs on should reach it.
     */
    maxStalls: number;
  };
  reconcile: {
    /** How often the reconciler compares Postgres (the record) with the queues in Redis (the transport). */
    intervalMs: number;
    /** Rows younger than this are left alone: their own transaction or job may still be under way. */
    minAgeMs: number;
  };
  /** What the maintenance queue purges, how often and how much per statement (lib/retention.ts). */
  retention: RetentionPolicy & {
    intervalMs: number;
    /** Rows deleted per statement, so a large backlog never holds its row locks for long. */
    batch: number;
  };
  webhooks: {
    /** One delivery attempt, from the DNS lookup to the response's status line. */
    timeoutMs: number;
    attempts: number;
    /** First retry delay; each later one doubles, up to backoffMaxMs, and is jittered. */
    backoffMs: number;
    backoffMaxMs: number;
    /** Deliveries per client per window; more wait for the next window without using up an attempt. */
    rateLimit: { max: number; windowMs: number };
    /** CIDR blocks a webhook may point at although they are private, loopback etc. (tests, in-house receivers). */
    allowedNetworks: string[];
    /** Keys webhook secrets are sealed with at rest (lib/notifications/secret-box.ts); the first seals. */
    secretKeys: SecretKey[];
  };
  matching: {
    candidateLimit: number;
    /** Compiled target profiles a worker process keeps between matches (0 = none). */
    cachedProfiles: number;
    /** How often workers look for a newly activated scoring model. */
    modelRefreshMs: number;
    /** Lanes a bulk match run is split into: as many workers as lanes can rank one run side by side. */
    runLanes: number;
    /** The sentence-embedding model (lib/matching/embedding.ts). */
    embedding: {
      /** Folder holding model.onnx and tokenizer.json; a relative setting is taken from the project root. */
      modelDir: string;
      /** Word pieces of a text the model reads, [CLS] and [SEP] included; the rest is ignored. */
      maxTokens: number;
    };
  };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once, validated. `overrides` lets tests and scripts change a setting without
 * touching the process environment, so parallel tests can each point at their own schema and queue prefix.
 */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  const parsed = schema.safeParse({ ...process.env, ...overrides });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production' && env.WEBHOOK_SECRET_KEYS === undefined) {
    throw new ConfigError([
      'WEBHOOK_SECRET_KEYS: required in production (webhook secrets are sealed with it), e.g. ' +
        'k1:$(openssl rand -base64 32)',
    ]);
  }
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HOST,
      port: env.PORT,
      publicUrl: env.PUBLIC_URL,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      jsonMaxDepth: env.JSON_MAX_DEPTH,
      documents: {
        maxBytes: env.DOCUMENT_MAX_BYTES,
        maxPages: env.DOCUMENT_MAX_PAGES,
        timeoutMs: env.DOCUMENT_TIMEOUT_MS,
      },
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      corsOrigins: env.CORS_ORIGINS,
      rateLimit: { points: env.RATE_LIMIT_REQUESTS, windowSeconds: env.RATE_LIMIT_WINDOW_S },
      idempotencyTtlHours: env.IDEMPOTENCY_TTL_HOURS,
      apiKeyCache: { ttlMs: env.API_KEY_CACHE_TTL_MS, maxEntries: env.API_KEY_CACHE_SIZE },
    },
    database: { url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, poolMax: env.DATABASE_POOL_MAX },
    redis: { url: env.REDIS_URL, queuePrefix: env.QUEUE_PREFIX },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      startLocal: env.START_LOCAL_KAFKA,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      consumerGroup: env.KAFKA_CONSUMER_GROUP ?? `${env.KAFKA_TOPIC_PREFIX}${DEFAULT_CONSUMER_GROUP}`,
    },
    relay: { batchSize: env.RELAY_BATCH_SIZE, pollMs: env.RELAY_POLL_MS },
    adminToken: env.ADMIN_TOKEN,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    ops: {
      metricsToken: env.METRICS_TOKEN,
      port: env.OPS_PORT,
      readinessTimeoutMs: env.READINESS_TIMEOUT_MS,
    },
    workers: {
      replicas: env.WORKER_REPLICAS,
      queues: env.WORKER_QUEUES,
      matchConcurrency: env.MATCH_CONCURRENCY,
      featuresConcurrency: env.FEATURES_CONCURRENCY,
      notifyConcurrency: env.NOTIFY_CONCURRENCY,
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      lockMs: env.JOB_LOCK_MS,
      maxStalls: env.JOB_MAX_STALLS,
    },
    reconcile: { intervalMs: env.RECONCILE_INTERVAL_MS, minAgeMs: env.RECONCILE_MIN_AGE_MS },
    retention: {
      intervalMs: env.PURGE_INTERVAL_MS,
      batch: env.PURGE_BATCH,
      outboxHours: env.OUTBOX_RETENTION_HOURS,
      processedEventHours: env.PROCESSED_EVENT_RETENTION_HOURS,
      notificationHours: env.NOTIFICATION_RETENTION_HOURS,
      matchRequestDays: env.MATCH_REQUEST_RETENTION_DAYS === 0 ? undefined : env.MATCH_REQUEST_RETENTION_DAYS,
    },
    webhooks: {
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      attempts: env.WEBHOOK_ATTEMPTS,
      backoffMs: env.WEBHOOK_BACKOFF_MS,
      backoffMaxMs: env.WEBHOOK_BACKOFF_MAX_MS,
      rateLimit: { max: env.WEBHOOK_RATE_LIMIT, windowMs: env.WEBHOOK_RATE_WINDOW_MS },
      allowedNetworks: env.WEBHOOK_ALLOWED_NETWORKS,
      secretKeys: env.WEBHOOK_SECRET_KEYS ?? [DEVELOPMENT_SECRET_KEY],
    },
    matching: {
      candidateLimit: env.MATCH_CANDIDATE_LIMIT,
      cachedProfiles: env.MATCH_CACHED_PROFILES,
      modelRefreshMs: env.MODEL_REFRESH_MS,
      runLanes: env.MATCH_RUN_LANES,
      embedding: { modelDir: env.EMBEDDING_MODEL_DIR, maxTokens: env.EMBEDDING_MAX_TOKENS },
    },
  };
}

/** The environment for a child process: this one's, with some settings replaced. */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}

export interface DocumentLimits {
  maxBytes: number;
  maxPages: number;
  timeoutMs: number;
}
