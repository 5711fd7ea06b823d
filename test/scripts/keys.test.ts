import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { createClient } from '../../lib/clients.js';
import { childEnvironment } from '../../lib/config.js';
import { useTestContext } from '../support/context.js';

const stack = useTestContext();
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run keys -- ...args` on this test's schema. */
async function keys(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/keys.ts', ...args],
      {
        cwd: root,
        // The API's settings: a revocation is announced to its key cache under its queue prefix.
        env: childEnvironment({
          DATABASE_SCHEMA: stack.schema,
          QUEUE_PREFIX: stack.config.redis.queuePrefix,
          LOG_LEVEL: 'silent',
        }),
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run keys', () => {
  it('creates, lists and revokes keys through the same rules as the admin API', async () => {
    const { client } = await createClient(stack.services.db, 'cli-tenant');

    const created = await keys('create', '--client', 'cli-tenant', '--scope', 'read-only', '--name', 'bi');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const apiKey = /API key \(shown once, store it now\): (\S+)/.exec(created.stdout)?.[1] ?? '';
    const keyId = /\(([0-9a-f-]{36})\)/.exec(created.stdout)?.[1] ?? '';
    expect((await stack.request('GET', '/v1/jobs', { key: apiKey })).status).toBe(200);
    expect((await stack.request('DELETE', '/v1/webhook', { key: apiKey })).status).toBe(403);

    const listed = await keys('list', '--client', client.id);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(apiKey.slice(0, 11));
    expect(listed.stdout).toContain('read-only');
    expect(listed.stdout).not.toContain(apiKey);
    expect((await keys('list')).stdout).toContain('cli-tenant');

    const revoked = await keys('revoke', '--client', 'cli-tenant', '--key', keyId);
    expect(revoked.code).toBe(0);
    expect((await stack.request('GET', '/v1/jobs', { key: apiKey })).status).toBe(401);
  });

  it('says what is wrong, with a non-zero exit code', async () => {
    await createClient(stack.services.db, 'cli-other');
    const badScope = await keys('create', '--client', 'cli-other', '--scope', 'admin');
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('--scope');
    const unknown = await keys('revoke', '--client', 'nobody-by-that-name', '--key', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No client with id or name nobody-by-that-name');
    expect((await keys('rotate')).code).toBe(2);
  });
});
