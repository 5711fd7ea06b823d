import type { ClientModel } from '../lib/db/models.js';

export interface AppState {
  client: ClientModel;
}
