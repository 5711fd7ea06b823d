import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { EX_USAGE, parseChaosArgs } from '../../scripts/chaos/options.js';
import { stream } from '../../scripts/chaos/random.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run chaos: the command line', () => {
  it('takes each option, with the full profile when none is named', () => {
    expect(parseChaosArgs([])).toEqual({
      help: false,
      options: { mode: 'full', seed: undefined, out: 'CHAOS.md', keepLogs: false },
    });
    expect(parseChaosArgs(['--short', '--seed', '4294967295', '--out', 'x.md', '--keep-logs'])).toEqual({
      help: false,
      options: { mode: 'short', seed: 4294967295, out: 'x.md', keepLogs: true },
    });
    expect(parseChaosArgs(['--full', '--help'])).toEqual({ help: true });
  });

  it.each([
    [['--fulll']],
    [['--short', '--full']],
    [['--seed']],
    [['--seed', '-1']],
    [['--seed', '4294967296']],
    [['--seed', '1.5']],
    [['short']],
  ])('refuses %j', (argv) => {
    expect(parseChaosArgs(argv)).toHaveProperty('error');
  });

  it('exits 64 with the usage on a misspelt option, before starting anything', async () => {
    const failed = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/chaos.ts', '--shrot'],
      { cwd: root, timeout: 30_000 },
    ).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failed?.code).toBe(EX_USAGE);
    expect(failed?.stderr).toContain("Unknown option '--shrot'");
    expect(failed?.stderr).toContain('usage: npm run chaos');
    expect(failed?.stdout).toBe('');
  });
});

describe('npm run chaos: its randomness', () => {
  it('makes the same choices from the same seed, stream by stream', () => {
    const draw = (seed: number, name: string): string[] => {
      const random = stream(seed, name);
      return Array.from({ length: 5 }, () => random.uuid());
    };
    expect(draw(42, 'requests')).toEqual(draw(42, 'requests'));
    expect(draw(42, 'requests')).not.toEqual(draw(43, 'requests'));
    expect(draw(42, 'requests')).not.toEqual(draw(42, 'kills'));
    for (const id of draw(7, 'ingest'))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
