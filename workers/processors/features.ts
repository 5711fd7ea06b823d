import type { Job } from 'bullmq';

import { extractAndStoreFeatures, type FeaturesOutcome } from '../../lib/profiles.js';
import type { QueuePayloads } from '../../lib/queues/registry.js';
import type { Services } from '../../lib/services.js';

export function featuresProcessor(services: Pick<Services, 'db' | 'embedder'>) {
  return async (job: Job<QueuePayloads['features']>): Promise<FeaturesOutcome> =>
    extractAndStoreFeatures(services.db, job.data.kind, job.data, await services.embedder());
}
