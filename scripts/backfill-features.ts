/** npm run features:backfill — recompute stale features of every job and candidate (all clients). */
import { loadConfig } from '../lib/config.js';
import { createDatabase } from '../lib/db/knex.js';
import { FEATURES_VERSION } from '../lib/matching/features.js';
import { backfillFeatures } from '../lib/profiles.js';

const db = createDatabase(loadConfig());
try {
  for (const kind of ['job', 'candidate'] as const) {
    const done = await backfillFeatures(db, kind, (count) => {
      process.stdout.write(`\r${kind}s: ${count} refreshed`);
    });
    process.stdout.write(`\r${kind}s: ${done} refreshed to features v${FEATURES_VERSION}\n`);
  }
} finally {
  await db.destroy();
}
