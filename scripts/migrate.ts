import { loadConfig } from '../lib/config.js';
import { createDatabase, migrateToLatest } from '../lib/db/knex.js';

const config = loadConfig();
const db = createDatabase(config);
try {
  const applied = await migrateToLatest(db, config.database.schema);
  console.log(
    applied.length === 0
      ? `Schema "${config.database.schema}" is up to date.`
      : `Applied ${applied.length} migration(s) to "${config.database.schema}": ${applied.join(', ')}`,
  );
} finally {
  await db.destroy();
}
