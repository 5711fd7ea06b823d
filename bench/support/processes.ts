/**
 * Child processes for the service benches (API, end to end, memory): the product's own entry points
 * (api/server.ts, workers/main.ts) and the benches' helpers (bare Koa, autocannon, a no-op BullMQ worker),
 * each in a process of its own, configured only through environment variables, stopped by pid.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import { childEnvironment } from '../../lib/config.js';
import { PROJECT_ROOT } from './corpus.js';
import { freePort } from '../../test/support/ports.js';

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(everyMs);
  }
}

/** Node refuses --cpu-prof in NODE_OPTIONS, so the flag has to reach the children's own command lines. */
let profileFlags: string[] = [];

/** From now on, scripts started by spawnScript write a V8 CPU profile into `directory` when they exit. */
export function profileChildrenInto(directory: string): void {
  profileFlags = ['--cpu-prof', `--cpu-prof-dir=${directory}`];
}

/** Runs a TypeScript entry point of the project (through tsx) with `env` over this process's environment. */
export function spawnScript(script: string, env: Record<string, string>, ipc = false): ChildProcess {
  const options = { cwd: PROJECT_ROOT, env: childEnvironment(env) };
  const execArgv = [...profileFlags, '--import', 'tsx'];
  if (ipc) {
    return fork(script, [], {
      ...options,
      execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
  }
  return spawn(process.execPath, [...execArgv, script], {
    ...options,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Starts an HTTP server script on a free port and waits until `path` answers 200. */
export async function startHttpProcess(
  script: string,
  env: Record<string, string>,
  path = '/healthz',
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawnScript(script, { HOST: '127.0.0.1', PORT: String(port), ...env });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(`${script} answers ${path}`, async () => {
    if (child.exitCode !== null) throw new Error(`${script} exited with code ${child.exitCode}`);
    try {
      return (await fetch(`${baseUrl}${path}`)).ok;
    } catch {
      return false;
    }
  });
  return { child, baseUrl };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Peak resident set size of a process (VmHWM in /proc/<pid>/status), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const line = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!line?.[1]) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(line[1]) / 1024;
}

/** Current resident set size (VmRSS), in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const line = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!line?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(line[1]) / 1024;
}
