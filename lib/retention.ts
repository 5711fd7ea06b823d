import type { Knex } from 'knex';

import type { Config } from './config.js';
import { purgeBatch, retainedTables, type RetainedTable } from './db/retention.js';
import { retentionMetrics } from './metrics.js';

/** Rows purged per table in one purge. */
export type PurgeSummary = Partial<Record<RetainedTable, number>>;

/**
 * One purge of every table the policy covers (lib/db/retention.ts says which rows go), `batch` rows per
 * statement until a statement finds fewer: each statement commits on its own, so a large backlog holds
 * its locks for one batch at a time. Purges running side by side from several workers take different
 * rows, and a purge repeated finds nothing more to do.
 */
export async function purgeExpired(db: Knex, retention: Config['retention']): Promise<PurgeSummary> {
  const summary: PurgeSummary = {};
  for (const table of retainedTables(retention)) {
    let purged = 0;
    for (;;) {
      const deleted = await purgeBatch(db, table, retention, retention.batch);
      retentionMetrics.purged.inc({ table }, deleted);
      purged += deleted;
      if (deleted < retention.batch) break;
    }
    summary[table] = purged;
  }
  return summary;
}
