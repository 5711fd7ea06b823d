/**
 * The isolated services `npm run chaos` starts for itself and may stop, restart and kill at will: a Redis,
 * a Postgres cluster and (through test/support/spare-broker.ts, i.e. scripts/kafka.sh) a Kafka broker, each
 * on free ports with data in a temporary directory, plus a supervisor for the product's processes. None of
 * them is the shared 5432 / 6379 / 9092 one, which other runs use meanwhile.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../test/support/ports.js';

const exec = promisify(execFile);
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Cleanup steps that may find nothing to clean. */
function ignore(): void {
  // nothing to do
}

/** Not exited yet (a function, so a check after an await is not narrowed away). */
export function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`gave up waiting until ${what} (${timeoutMs / 1000} s)`);
}

/** redis-server as a child process: no persistence (a restart loses everything), never evicting. */
export class IsolatedRedis {
  port = 0;
  private directory = '';
  private child: ChildProcess | undefined;

  constructor(private readonly logs: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.directory ||= await mkdtemp(join(tmpdir(), 'lookiy-chaos-redis-'));
    this.port ||= await freePort();
    const log = createWriteStream(join(this.logs, 'redis.log'), { flags: 'a' });
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--dir',
        this.directory,
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    await waitFor(`redis on ${this.port} answers`, () => portOpen(this.port), 20_000);
  }

  /** SIGTERM (with --save "" nothing is written), then wait for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || !alive(child)) return;
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), sleep(5000)]);
    if (alive(child)) child.kill('SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}

/**
 * A Postgres cluster of its own: initdb into a temporary directory, pg_ctl on a free port, trust auth. As
 * root initdb refuses to run, so then every pg_ctl/initdb call goes through `runuser -u postgres` and the
 * directory belongs to postgres.
 */
export class IsolatedPostgres {
  port = 0;
  private directory = '';
  private bin = '';
  private readonly asRoot = userInfo().uid === 0;

  constructor(private readonly logs: string) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.directory, 'data');
  }

  private async run(tool: string, args: string[]): Promise<void> {
    const command = join(this.bin, tool);
    const [file, argv] = this.asRoot
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
    await exec(file, argv, { cwd: tmpdir(), timeout: 120_000 });
  }

  async init(): Promise<void> {
    const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
    if (versions.length === 0) throw new Error('no Postgres binaries under /usr/lib/postgresql/*/bin');
    this.bin = join('/usr/lib/postgresql', versions[0] ?? '', 'bin');
    this.directory = await mkdtemp(join(tmpdir(), 'lookiy-chaos-pg-'));
    if (this.asRoot) {
      const { stdout } = await exec('id', ['-u', 'postgres']);
      const { stdout: gid } = await exec('id', ['-g', 'postgres']);
      await chown(this.directory, Number(stdout.trim()), Number(gid.trim()));
      await chmod(this.directory, 0o700);
    }
    this.port = await freePort();
    await this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${this.directory}`,
      '-c fsync=off',
      '-c max_connections=300',
    ].join(' ');
    await this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.directory, 'postgres.log'),
      '-w',
      '-t',
      '60',
      '-o',
      options,
      'start',
    ]);
  }

  /** pg_ctl restart -m fast: every connection is cut, in-flight transactions roll back. */
  async restart(): Promise<void> {
    // -l again: without it the restarted server logs to pg_ctl's stdout, which then never closes.
    await this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.directory, 'postgres.log'),
      '-m',
      'fast',
      '-w',
      '-t',
      '60',
      'restart',
    ]);
  }

  async destroy(): Promise<void> {
    if (!this.directory) return;
    await this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(ignore);
    // The server log is postgres's; keep a copy next to the other logs before removing the cluster.
    await exec('cp', [join(this.directory, 'postgres.log'), join(this.logs, 'postgres.log')]).catch(ignore);
    await rm(this.directory, { recursive: true, force: true });
    this.directory = '';
  }
}

export interface ExitRecord {
  name: string;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed on purpose by the fault injector (kill -9), not a crash. */
  expected: boolean;
}

/**
 * One product process (node --import tsx <entry>) kept running as a supervisor would: restarted 1 s after
 * any exit until stopped. Its output goes to a log file of its own.
 */
export class Supervised {
  child: ChildProcess | undefined;
  private stopped = false;
  private expectKill = false;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    logs: string,
    private readonly exits: ExitRecord[],
    private readonly started: number,
  ) {
    this.log = createWriteStream(join(logs, `${name}.log`), { flags: 'a' });
  }

  start(): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.log.write(`--- ${new Date().toISOString()} started pid ${child.pid}\n`);
    this.child = child;
    child.once('exit', (code, signal) => {
      const expected = this.expectKill && signal === 'SIGKILL';
      this.expectKill = false;
      this.exits.push({ name: this.name, at: (Date.now() - this.started) / 1000, code, signal, expected });
      this.log.write(
        `--- ${new Date().toISOString()} pid ${child.pid} exited (${signal ?? `code ${code}`})\n`,
      );
      if (this.child === child) this.child = undefined;
      if (!this.stopped) setTimeout(() => !this.stopped && this.start(), 1000).unref();
    });
    return child;
  }

  /** kill -9, as the fault injector does; the supervisor restarts it. */
  kill9(): number | undefined {
    const child = this.child;
    if (!child || !alive(child)) return undefined;
    this.expectKill = true;
    child.kill('SIGKILL');
    return child.pid;
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (child && alive(child)) {
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), sleep(graceMs)]);
      if (alive(child)) child.kill('SIGKILL');
    }
    this.log.end();
  }
}
