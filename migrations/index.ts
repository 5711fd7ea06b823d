import type { Knex } from 'knex';

import * as initial from './20261125000001_initial.js';
import * as modelsAndFeedback from './20261125000002_models_and_feedback.js';
import * as matchIndexes from './20261125000003_match_indexes.js';
import * as events from './20261125000004_events.js';
import * as notifications from './20261125000005_notifications.js';
import * as requestIds from './20261125000006_request_ids.js';
import * as apiKeys from './20261125000007_api_keys.js';
import * as idempotencyKeys from './20261125000008_idempotency_keys.js';
import * as retentionIndexes from './20261207000001_retention_indexes.js';
import * as outboxParking from './20261207000002_outbox_parking.js';
import * as sealedWebhookSecrets from './20261207000003_sealed_webhook_secrets.js';
import * as matchQueuePriority from './20261207000004_match_queue_priority.js';
import * as matchRuns from './20261207000005_match_runs.js';
import * as matchQueueTickets from './20261207000006_match_queue_tickets.js';
import * as matchRequestWeights from './20261207000007_match_request_weights.js';
import * as featureFacts from './20261207000008_feature_facts.js';
import * as profileCoordinates from './20261207000009_profile_coordinates.js';
import * as profileDocuments from './20261207000010_profile_documents.js';

export interface Migration {
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
}

/** Every migration, by name, in the order they apply. Listed in code so .ts and compiled .js run alike. */
export const migrations: Record<string, Migration> = {
  '20261125000001_initial': initial,
  '20261125000002_models_and_feedback': modelsAndFeedback,
  '20261125000003_match_indexes': matchIndexes,
  '20261125000004_events': events,
  '20261125000005_notifications': notifications,
  '20261125000006_request_ids': requestIds,
  '20261125000007_api_keys': apiKeys,
  '20261125000008_idempotency_keys': idempotencyKeys,
  '20261207000001_retention_indexes': retentionIndexes,
  '20261207000002_outbox_parking': outboxParking,
  '20261207000003_sealed_webhook_secrets': sealedWebhookSecrets,
  '20261207000004_match_queue_priority': matchQueuePriority,
  '20261207000005_match_runs': matchRuns,
  '20261207000006_match_queue_tickets': matchQueueTickets,
  '20261207000007_match_request_weights': matchRequestWeights,
  '20261207000008_feature_facts': featureFacts,
  '20261207000009_profile_coordinates': profileCoordinates,
  '20261207000010_profile_documents': profileDocuments,
};
