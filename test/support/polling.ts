import { setTimeout as sleep } from 'node:timers/promises';

import type { TestContext } from './context.js';

export interface MatchResultBody {
  rank: number;
  targetId: string;
  targetExternalId: string;
  score: number;
  categoryScores?: Record<string, number | null>;
  summary?: string;
  explanation: {
    matchedSkills: string[];
    missingSkills: string[];
    occupation: { job: string; candidate: string; relation: string } | null;
    semanticSimilarity: number | null;
    factors: { feature: string; value: number; effect: number }[];
  };
}

export interface MatchRequestBody {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  subject: { type: string; id: string };
  error?: string;
  /** The scorer (model version) that ranked a completed request. */
  scorer?: string;
  results?: MatchResultBody[];
}

/** Polls a match request the way a client would, until it is finished (bounded by count, not asserted). */
export async function waitForMatch(stack: TestContext, key: string, id: string): Promise<MatchRequestBody> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const response = await stack.request<MatchRequestBody>('GET', `/v1/match-requests/${id}`, { key });
    if (response.body.status === 'completed' || response.body.status === 'failed') return response.body;
    await sleep(100);
  }
  throw new Error(`match request ${id} did not finish`);
}
