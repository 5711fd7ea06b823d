import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { childEnvironment } from '../../lib/config.js';
import { freePort } from './ports.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A Kafka broker of a test's own (scripts/kafka.sh on free ports, with its own data directory, sharing the
 * fetched jars), which the test may stop and start again: the shared broker must never go down. A TCP
 * proxy cannot stand in for it: clients bootstrap through the proxy but then connect to the address the
 * broker advertises, so stopping the proxy would not cut them off.
 */
export class SpareBroker {
  private directory: string | undefined;
  private ports: { broker: number; controller: number } | undefined;

  get brokers(): string[] {
    if (!this.ports) throw new Error('the spare broker was never started');
    return [`127.0.0.1:${this.ports.broker}`];
  }

  async start(): Promise<void> {
    this.directory ??= await mkdtemp(join(tmpdir(), 'lookiy-kafka-'));
    this.ports ??= { broker: await freePort(), controller: await freePort() };
    await this.script('start');
  }

  /** Stops the broker (SIGTERM, as an orchestrator would); its data stays for the next start. */
  async stop(): Promise<void> {
    await this.script('stop');
  }

  async destroy(): Promise<void> {
    if (!this.directory) return;
    await this.stop();
    await rm(this.directory, { recursive: true, force: true });
    this.directory = undefined;
  }

  private async script(command: 'start' | 'stop'): Promise<void> {
    if (!this.directory || !this.ports) throw new Error('the spare broker was never started');
    await run('bash', ['scripts/kafka.sh', command], {
      cwd: root,
      env: childEnvironment({
        KAFKA_CACHE_DIR: this.directory,
        KAFKA_LIBS_DIR: join(root, '.cache/kafka/libs'),
        KAFKA_PORT: String(this.ports.broker),
        KAFKA_CONTROLLER_PORT: String(this.ports.controller),
      }),
    });
  }
}
