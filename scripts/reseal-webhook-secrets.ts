/**
 * npm run webhooks:reseal — seal every webhook secret under the first key of WEBHOOK_SECRET_KEYS: the
 * middle step of a key rotation (README, Webhook secrets), and how secrets stored before sealing get sealed.
 */
import { loadConfig } from '../lib/config.js';
import { createDatabase } from '../lib/db/knex.js';
import { resealWebhookSecrets } from '../lib/notifications/webhooks.js';

const config = loadConfig();
const db = createDatabase(config);
try {
  const resealed = await resealWebhookSecrets({ db, config });
  const current = config.webhooks.secretKeys[0]?.id ?? '';
  console.log(`${resealed} webhook secret(s) resealed; every secret is now sealed with key "${current}"`);
} finally {
  await db.destroy();
}
