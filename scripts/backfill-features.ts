/** npm run features:backfill — recompute stale features of every job and candidate (all clients). */
import { loadConfig } from '../lib/config.js';
import { createDatabase } from '../lib/db/knex.js';
import { sharedEmbedder } from '../lib/matching/embedding.js';
import { FEATURES_VERSION } from '../lib/matching/features.js';
import { backfillFeatures } from '../lib/profiles.js';

const config = loadConfig();
const db = createDatabase(config);
try {
  const embedder = await sharedEmbedder(config);
  for (const kind of ['job', 'candidate'] as const) {
    const done = await backfillFeatures(db, kind, embedder, (count) => {
      process.stdout.write(`\r${kind}s: ${count} refreshed`);
    });
    process.stdout.write(`\r${kind}s: ${done} refreshed to features v${FEATURES_VERSION}\n`);
  }
} finally {
  await db.destroy();
}
