import type { Knex } from 'knex';

import { isForeignKeyViolation } from './errors.js';
import { MatchFeedbackModel, type FeedbackOutcome } from './models.js';

/**
 * One outcome per (request, target): a later report replaces an earlier one (applied → interview → hired).
 * Undefined when the request is gone: retention may delete it between the caller's read and this write.
 */
export async function upsertFeedback(
  db: Knex,
  feedback: { requestId: string; targetId: string; clientId: string; outcome: FeedbackOutcome },
): Promise<MatchFeedbackModel | undefined> {
  try {
    const [row] = (await db('matchFeedback')
      .insert(feedback)
      .onConflict(['requestId', 'targetId'])
      .merge({ outcome: feedback.outcome, updatedAt: db.fn.now() })
      .returning('*')) as Record<string, unknown>[];
    return MatchFeedbackModel.fromDatabaseJson(row ?? {});
  } catch (error) {
    if (isForeignKeyViolation(error)) return undefined;
    throw error;
  }
}

export interface FeedbackPair {
  requestId: string;
  outcome: FeedbackOutcome;
  subjectType: 'candidate' | 'job';
  subjectId: string;
  targetId: string;
}

/** Every outcome with the pair it is about, for the next training run. */
export async function listFeedbackPairs(db: Knex): Promise<FeedbackPair[]> {
  return db<FeedbackPair>('matchFeedback as f')
    .join('matchRequests as r', 'r.id', 'f.requestId')
    .select<FeedbackPair[]>('f.requestId', 'f.outcome', 'r.subjectType', 'r.subjectId', 'f.targetId');
}
