import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';

export type CheckStatus = 'up' | 'down';

export interface CheckResult {
  status: CheckStatus;
  /** Whether this process cannot do its work without the dependency: only those decide readiness. */
  required: boolean;
  latencyMs: number;
  error?: string;
}

export interface Readiness {
  status: 'ready' | 'not-ready';
  checks: Record<string, CheckResult>;
}

export interface ReadinessOptions {
  db: Knex;
  /** Absent for processes that do not use Redis (the relay). */
  redis?: Redis | undefined;
  /** The broker, when one is configured: `required` for the relay and ingest, reported elsewhere. */
  kafka?: { brokers: string[]; clientId: string; required: boolean } | undefined;
  timeoutMs: number;
}

class CheckTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'CheckTimeoutError';
  }
}

async function timed(
  check: () => Promise<unknown>,
  timeoutMs: number,
  required: boolean,
): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new CheckTimeoutError(timeoutMs));
        }, timeoutMs);
      }),
    ]);
    return { status: 'up', required, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      required,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Answers /readyz: whether this process can serve. Each dependency is probed at once with its own short
 * timeout, so one hanging dependency neither delays the answer nor hides the others' state. The API and
 * the workers keep working while the broker is away (events wait in the outbox), so for them the broker
 * is reported, not required.
 */
export class ReadinessProbe {
  private readonly admin: Admin | undefined;

  constructor(private readonly options: ReadinessOptions) {
    // Its own client, failing fast: the relay's client retries for minutes, longer than a probe may take.
    this.admin = options.kafka
      ? new Kafka({
          clientId: `${options.kafka.clientId}-readiness`,
          brokers: options.kafka.brokers,
          connectionTimeout: options.timeoutMs,
          requestTimeout: options.timeoutMs,
          retry: { retries: 0 },
          logLevel: logLevel.NOTHING,
        }).admin()
      : undefined;
  }

  async check(): Promise<Readiness> {
    const { db, redis, kafka, timeoutMs } = this.options;
    const probes: [string, Promise<CheckResult>][] = [
      ['postgres', timed(() => db.raw('select 1'), timeoutMs, true)],
    ];
    if (redis) probes.push(['redis', timed(() => redis.ping(), timeoutMs, true)]);
    const admin = this.admin;
    if (kafka && admin) {
      probes.push([
        'kafka',
        timed(
          async () => {
            await admin.connect();
            await admin.describeCluster();
          },
          timeoutMs,
          kafka.required,
        ),
      ]);
    }
    const checks = Object.fromEntries(
      await Promise.all(probes.map(async ([name, result]) => [name, await result] as const)),
    );
    const ready = Object.values(checks).every((check) => check.status === 'up' || !check.required);
    return { status: ready ? 'ready' : 'not-ready', checks };
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}
