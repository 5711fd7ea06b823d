/**
 * Child processes for the service benches (API, end to end, memory): the product's own entry points
 * (api/server.ts, workers/main.ts) and the benches' helpers (bare Koa, autocannon, a no-op BullMQ worker),
 * each in a process of its own, configured only through environment variables, stopped by pid.
 */
import { execFile, fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

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

const run = promisify(execFile);

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

/** Compiles the project (`npm run build`) for spawnBuilt. */
export async function buildProduct(): Promise<void> {
  await run(
    process.execPath,
    [resolve(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: PROJECT_ROOT,
    },
  );
}

/**
 * Runs the compiled form of `script` (buildProduct first) with `nodeFlags`, as the container images do:
 * without tsx, whose loader holds every module's source and transform in memory.
 */
export function spawnBuilt(
  script: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const compiled = resolve(PROJECT_ROOT, 'dist', script.replace(/\.ts$/, '.js'));
  return spawn(process.execPath, [...profileFlags, ...nodeFlags, compiled], {
    cwd: PROJECT_ROOT,
    env: childEnvironment(env),
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

/** Kernel clock ticks per second, the unit of utime and stime in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; 0 for a process that has gone. */
async function cpuSecondsOf(pid: number): Promise<number> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Pids of this machine's processes whose command name (/proc/<pid>/comm) starts with `name`. */
async function pidsNamed(name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readFile(`/proc/${entry}/comm`, 'utf8')).startsWith(name)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Pids counted per group, fixed when the meter starts. */
export type CpuGroups = Record<string, readonly number[]>;

/**
 * CPU seconds used by groups of processes between start and stop: what a piece of work cost each part of
 * the system (workers, Postgres, Redis), however the machine shared its cores meanwhile. Processes that
 * start later (a new Postgres backend) are found again at stop for the `byName` groups.
 */
export class CpuMeter {
  private before = new Map<number, number>();

  private constructor(
    private readonly fixed: CpuGroups,
    private readonly byName: Record<string, string>,
  ) {}

  static async start(fixed: CpuGroups, byName: Record<string, string>): Promise<CpuMeter> {
    const meter = new CpuMeter(fixed, byName);
    for (const pid of await meter.pids()) meter.before.set(pid, await cpuSecondsOf(pid));
    return meter;
  }

  private async pids(): Promise<number[]> {
    const named = await Promise.all(Object.values(this.byName).map((name) => pidsNamed(name)));
    return [...Object.values(this.fixed).flat(), ...named.flat()];
  }

  /** CPU seconds per group since start. */
  async stop(): Promise<Record<string, number>> {
    const used = async (pids: readonly number[]): Promise<number> => {
      let total = 0;
      for (const pid of pids) total += (await cpuSecondsOf(pid)) - (this.before.get(pid) ?? 0);
      return total;
    };
    const result: Record<string, number> = {};
    for (const [group, pids] of Object.entries(this.fixed)) result[group] = await used(pids);
    for (const [group, name] of Object.entries(this.byName))
      result[group] = await used(await pidsNamed(name));
    return result;
  }
}
