/**
 * `npm run keys -- <command>`: API keys from a terminal, through the same functions as the admin API.
 *
 *   create --client <id or name> [--name <label>] [--scope read-write|read-only]
 *   list   [--client <id or name>]      (without --client: the clients)
 *   revoke --client <id or name> --key <key id>
 */
import { parseArgs } from 'node:util';

import { announceKeyChange } from '../lib/api-key-cache.js';
import { findClient, issueKey, listKeys, revokeKey } from '../lib/clients.js';
import { loadConfig, type Config } from '../lib/config.js';
import { listClients } from '../lib/db/clients.js';
import { createDatabase, type Database } from '../lib/db/knex.js';
import type { ApiKeyModel } from '../lib/db/models.js';
import type { ListPosition } from '../lib/db/profiles.js';
import { AppError } from '../lib/errors.js';
import { createRedis, waitForRedis } from '../lib/queues/connection.js';
import { apiKeyInput, problemsOf } from '../lib/schemas.js';

const USAGE = `Usage:
  npm run keys -- create --client <id or name> [--name <label>] [--scope read-write|read-only]
  npm run keys -- list [--client <id or name>]
  npm run keys -- revoke --client <id or name> --key <key id>`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    client: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string' },
    key: { type: 'string' },
  },
});

class UsageError extends Error {}

/** How long a revocation waits for Redis to announce it before it reports that it could not. */
const REDIS_WAIT_MS = 5000;

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${option} is required`);
  return value.trim();
}

const when = (date: Date | null): string => date?.toISOString() ?? '-';

function printKeys(keys: ApiKeyModel[]): void {
  console.table(
    keys.map((key) => ({
      id: key.id,
      prefix: key.prefix,
      scope: key.scope,
      name: key.name ?? '',
      created: when(key.createdAt),
      'last used': when(key.lastUsedAt),
      revoked: when(key.revokedAt),
    })),
  );
}

async function printClients(db: Database): Promise<void> {
  const rows: object[] = [];
  let after: ListPosition | undefined;
  do {
    const page = await listClients(db, 100, after);
    rows.push(
      ...page.items.map((client) => ({
        id: client.id,
        name: client.name,
        'active keys': client.activeKeys,
        created: when(client.createdAt),
      })),
    );
    after = page.nextPosition;
  } while (after);
  console.table(rows);
}

async function run(db: Database, config: Config, command: string | undefined): Promise<void> {
  switch (command) {
    case 'create': {
      const client = await findClient(db, required(values.client, 'client'));
      const options = apiKeyInput.safeParse({ name: values.name, scope: values.scope });
      if (!options.success) {
        const problems = problemsOf(options.error).map(
          ({ pointer, detail }) => `--${pointer.slice(1)} ${detail}`,
        );
        throw new UsageError(problems.join('\n'));
      }
      const { key, apiKey } = await issueKey(db, client.id, options.data);
      console.log(`Issued a ${key.scope} key ${key.prefix} (${key.id}) for client "${client.name}".`);
      console.log(`API key (shown once, store it now): ${apiKey}`);
      return;
    }
    case 'list': {
      if (values.client === undefined) return printClients(db);
      const client = await findClient(db, required(values.client, 'client'));
      console.log(`Keys of client "${client.name}" (${client.id}):`);
      printKeys(await listKeys(db, client.id));
      return;
    }
    case 'revoke': {
      const client = await findClient(db, required(values.client, 'client'));
      // The API replicas keep verified keys; they hear of the revocation through Redis.
      const redis = createRedis(config.redis.url, 'producer');
      redis.on('error', () => undefined);
      try {
        const key = await revokeKey(db, client.id, required(values.key, 'key'), async (clientId) => {
          await waitForRedis(redis, REDIS_WAIT_MS);
          await announceKeyChange(redis, config.redis.queuePrefix, clientId);
        });
        console.log(`Key ${key.prefix} (${key.id}) of client "${client.name}" is revoked.`);
      } finally {
        redis.disconnect();
      }
      return;
    }
    default:
      throw new UsageError(command === undefined ? 'name a command' : `unknown command ${command}`);
  }
}

const config = loadConfig();
const db = createDatabase(config);
try {
  await run(db, config, positionals[0]);
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof AppError) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
} finally {
  await db.destroy();
}
