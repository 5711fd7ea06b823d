import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { childEnvironment } from '../../lib/config.js';
import type { TestContext } from './context.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Worker processes (workers/main.ts) on a test context's schema and queues, stopped when the test ends. */
export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(private readonly stack: TestContext) {}

  /** One more worker process; `env` sets what differs from the test context's configuration. */
  start(env: Record<string, string> = {}): ChildProcess {
    const environment = childEnvironment({
      DATABASE_SCHEMA: this.stack.config.database.schema,
      QUEUE_PREFIX: this.stack.config.redis.queuePrefix,
      JOB_LOCK_MS: String(this.stack.config.workers.lockMs),
      JOB_BACKOFF_MS: '50',
      LOG_LEVEL: 'silent',
      // Several workers at once: each takes a free port for its health and metrics endpoints.
      OPS_PORT: '0',
      ...env,
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: root,
      env: environment,
      stdio: 'ignore',
    });
    this.children.push(child);
    return child;
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
