import type { Job } from 'bullmq';

import type { QueuePayloads } from '../../lib/queues/registry.js';
import { reconcile, type ReconcileSummary } from '../../lib/reconcile.js';
import type { Services } from '../../lib/services.js';

export function maintenanceProcessor(services: Pick<Services, 'db' | 'queues' | 'config' | 'logger'>) {
  return async (_job: Job<QueuePayloads['maintenance']>): Promise<ReconcileSummary> => {
    const summary = await reconcile(services, services.config.reconcile.minAgeMs);
    if (Object.values(summary).some((count) => count > 0))
      services.logger.warn(summary, 'reconciler repaired work the queues had lost');
    return summary;
  };
}
