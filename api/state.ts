import type { ApiKeyModel, ClientModel } from '../lib/db/models.js';

export interface AppState {
  client: ClientModel;
  /** The key the request came with; never its hash. */
  apiKey: Pick<ApiKeyModel, 'id' | 'prefix' | 'scope'>;
}
