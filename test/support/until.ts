import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it returns something other than undefined or false, and returns that. Bounded by a
 * count of attempts so a broken system fails the test instead of hanging it; never a timing assertion.
 */
export async function until<Value>(
  what: string,
  check: () => Promise<Value | undefined | false> | Value | undefined | false,
  { attempts = 1200, intervalMs = 50 }: { attempts?: number; intervalMs?: number } = {},
): Promise<Value> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await sleep(intervalMs);
  }
  throw new Error(`gave up waiting until ${what}`);
}
