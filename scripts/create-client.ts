import { parseArgs } from 'node:util';

import { createClient } from '../lib/clients.js';
import { loadConfig } from '../lib/config.js';
import { createDatabase } from '../lib/db/knex.js';

const { values } = parseArgs({ options: { name: { type: 'string' } } });
const name = values.name?.trim();
if (!name) {
  console.error('Usage: npm run clients:create -- --name <client name>');
  process.exit(2);
}

const db = createDatabase(loadConfig());
try {
  const { client, key, apiKey } = await createClient(db, name);
  console.log(`Created client "${client.name}" (${client.id}) with the ${key.scope} key ${key.prefix}.`);
  console.log(`API key (shown once, store it now): ${apiKey}`);
  console.log(`More keys, read-only ones too: npm run keys -- create --client ${client.id}`);
} finally {
  await db.destroy();
}
