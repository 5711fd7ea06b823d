/** Timing and summary helpers shared by the benches. All clocks are process.hrtime.bigint (monotonic, ns). */

export function now(): bigint {
  return process.hrtime.bigint();
}

/** Milliseconds elapsed since `start` (a value of now()). */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The q-quantile by the nearest-rank method (the value at or below which a share q of the samples lies),
 * so p99 of 200 samples is the 198th smallest and p99 of 50 samples is the largest but none.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

export function max(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    count: values.length,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: max(values),
  };
}

/**
 * Runs `pass` `warmup` times untimed, then `repetitions` times timed; returns each timed pass's duration in
 * seconds. A pass should be long enough (tens of milliseconds or more) for the clock to be irrelevant.
 */
export function timePasses(pass: () => void, warmup: number, repetitions: number): number[] {
  for (let index = 0; index < warmup; index += 1) pass();
  const seconds: number[] = [];
  for (let index = 0; index < repetitions; index += 1) {
    const start = now();
    pass();
    seconds.push(Number(now() - start) / 1e9);
  }
  return seconds;
}

/** Throughput of each pass (units per second), for `units` units of work per pass. */
export function rates(units: number, seconds: readonly number[]): number[] {
  return seconds.map((value) => units / value);
}

/**
 * Like timePasses for several contenders, interleaved (A B A B ...) so that drift in the machine's speed
 * (frequency, other processes) hits them alike. Each contender should be its own function, not closures
 * from one factory, so V8 keeps separate type feedback for each. Returns the seconds of each timed pass.
 */
export function timeInterleaved<Name extends string>(
  passes: Record<Name, () => void>,
  warmup: number,
  repetitions: number,
): Record<Name, number[]> {
  const names = Object.keys(passes) as Name[];
  const seconds = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < warmup + repetitions; round += 1) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const start = now();
      passes[name]();
      if (round >= warmup) seconds[name].push(Number(now() - start) / 1e9);
    }
  }
  return seconds;
}
