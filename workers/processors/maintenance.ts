import type { Job } from 'bullmq';

import type { QueuePayloads } from '../../lib/queues/registry.js';
import { reconcile, type ReconcileSummary } from '../../lib/reconcile.js';
import { purgeExpired, type PurgeSummary } from '../../lib/retention.js';
import type { Services } from '../../lib/services.js';

export function maintenanceProcessor(services: Pick<Services, 'db' | 'queues' | 'config' | 'logger'>) {
  return async (job: Job<QueuePayloads['maintenance']>): Promise<ReconcileSummary | PurgeSummary> => {
    if (job.data.task === 'purge') {
      const purged = await purgeExpired(services.db, services.config.retention);
      if (Object.values(purged).some((count) => count > 0))
        services.logger.info(purged, 'purged rows past their retention');
      return purged;
    }
    const summary = await reconcile(services, services.config.reconcile.minAgeMs);
    if (Object.values(summary).some((count) => count > 0))
      services.logger.warn(summary, 'reconciler repaired work the queues had lost');
    return summary;
  };
}
