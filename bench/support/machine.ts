/** What a set of figures was measured on: machine, runtime and code version. */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';

import { PROJECT_ROOT } from './corpus.js';

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
  commit: string;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function describeMachine(): Machine {
  const processors = cpus();
  const head = git(['rev-parse', '--short=12', 'HEAD']);
  const changed = git(['status', '--porcelain'])
    ?.split('\n')
    .filter((line) => line.trim() !== '').length;
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    ramGiB: totalmem() / 1024 ** 3,
    os: `${osType()} ${release()}`,
    node: process.version,
    commit:
      head === undefined
        ? 'unknown (not a git checkout)'
        : changed
          ? `${head} + ${changed} uncommitted change(s)`
          : head,
  };
}
