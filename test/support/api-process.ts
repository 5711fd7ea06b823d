import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { childEnvironment } from '../../lib/config.js';
import type { TestContext } from './context.js';
import { until } from './until.js';
import { freePort } from './ports.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ApiProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
}

/** API processes (api/server.ts) on a test context's schema and queues, stopped when the test ends. */
export class ApiProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(private readonly stack: TestContext) {}

  /** Starts one and waits until it answers /healthz; `env` sets what differs from the test context. */
  async start(env: Record<string, string> = {}): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      cwd: root,
      env: childEnvironment({
        DATABASE_SCHEMA: this.stack.config.database.schema,
        QUEUE_PREFIX: this.stack.config.redis.queuePrefix,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'silent',
        ...env,
      }),
      stdio: 'ignore',
    });
    this.children.push(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    await until('the API process answers /healthz', async () => {
      if (child.exitCode !== null) throw new Error(`the API process exited with code ${child.exitCode}`);
      try {
        return (await fetch(`${baseUrl}/healthz`)).ok;
      } catch {
        return false;
      }
    });
    return { child, port, baseUrl };
  }

  async stopAll(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  }
}
