import type { Knex } from 'knex';

import { activeModelId, findActiveModel } from '../db/scoring-models.js';
import type { Logger } from '../logger.js';
import defaultModelFile from './default-model.json' with { type: 'json' };
import { FEATURES_VERSION } from './features.js';
import type { NetworkModel } from './network.js';
import { lexicalScorer, networkScorer, type Scorer } from './scorers.js';

/** The network trained by `npm run train --write-default` and committed, so a fresh install ranks with it. */
export const defaultModel = defaultModelFile;

function tryNetwork(model: NetworkModel, logger: Logger): Scorer | undefined {
  try {
    return networkScorer(model, FEATURES_VERSION);
  } catch (error) {
    logger.warn({ err: error, model: model.name }, 'model not usable with these workers; falling back');
    return undefined;
  }
}

/**
 * Hands out the scorer to rank with: the active model in Postgres, else the committed default, else the
 * lexical baseline. It looks for a newly activated model at most every `refreshMs`, so `npm run train`
 * changes what running workers use without a restart.
 */
export class ScorerRegistry {
  private scorer: Scorer | undefined;
  private loadedId: string | null = null;
  private checkedAt = 0;

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly refreshMs: number,
  ) {}

  async current(now = Date.now()): Promise<Scorer> {
    if (this.scorer && now - this.checkedAt < this.refreshMs) return this.scorer;
    this.checkedAt = now;
    const id = await activeModelId(this.db);
    if (!this.scorer || id !== this.loadedId) {
      this.scorer = await this.load(id);
      this.loadedId = id;
      this.logger.info({ scorer: this.scorer.name }, 'scorer loaded');
    }
    return this.scorer;
  }

  private async load(id: string | null): Promise<Scorer> {
    const row = id === null ? undefined : await findActiveModel(this.db);
    return (
      (row ? tryNetwork(row.model, this.logger) : undefined) ??
      tryNetwork(defaultModel, this.logger) ??
      lexicalScorer
    );
  }
}
