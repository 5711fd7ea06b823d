/**
 * The command line of `npm run chaos`, parsed strictly: an unknown or misspelt option, a missing value or
 * two profiles at once is a usage error (exit 64, EX_USAGE), never a silent default.
 */
import { parseArgs } from 'node:util';

export type Mode = 'short' | 'full';

export interface ChaosOptions {
  mode: Mode;
  /** Every random choice of the run follows from it; undefined: pick one (printed, so it can be replayed). */
  seed: number | undefined;
  out: string;
  keepLogs: boolean;
}

export type Parsed = { help: true } | { help: false; options: ChaosOptions } | { error: string };

export const EX_USAGE = 64;

export const USAGE = `usage: npm run chaos -- [--short | --full] [--seed N] [--out FILE] [--keep-logs] [--help]

  --short      the CI profile: about 3 minutes of load and faults
  --full       the long profile (the default): about 10 minutes, the Kafka ingest consumer under load too
  --seed N     replay a run: every random choice follows from N (an integer 0..4294967295); a run
               without it picks a seed and prints it
  --out FILE   where the report goes (default CHAOS.md)
  --keep-logs  keep every process's log (kept anyway when the run fails)
  --help       this text`;

const MAX_SEED = 2 ** 32 - 1;

export function parseChaosArgs(argv: string[]): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        short: { type: 'boolean' },
        full: { type: 'boolean' },
        seed: { type: 'string' },
        out: { type: 'string' },
        'keep-logs': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return { help: true };
  if (values.short && values.full) return { error: '--short and --full exclude each other' };
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = /^\d{1,10}$/.test(values.seed) ? Number(values.seed) : Number.NaN;
    if (!(seed <= MAX_SEED)) return { error: `--seed wants an integer 0..${MAX_SEED}, not '${values.seed}'` };
  }
  return {
    help: false,
    options: {
      mode: values.short ? 'short' : 'full',
      seed,
      out: values.out ?? 'CHAOS.md',
      keepLogs: values['keep-logs'] ?? false,
    },
  };
}
