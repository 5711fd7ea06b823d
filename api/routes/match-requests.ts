import Router from '@koa/router';
import { z } from 'zod';

import { NotFoundError } from '../../lib/errors.js';
import { getMatchRequest, recordFeedback, submitMatchRequest } from '../../lib/match-requests.js';
import { feedbackInput, idempotencyKey, matchRequestInput, parse } from '../../lib/schemas.js';
import type { Services } from '../../lib/services.js';
import type { AppState } from '../state.js';
import { matchRequestView } from '../views.js';

const PATH = '/v1/match-requests';
/** Seconds a client should wait before polling a pending request again. */
const POLL_AFTER_SECONDS = 1;

export function matchRequestRoutes(services: Pick<Services, 'db' | 'queues'>): Router<AppState> {
  const router = new Router<AppState>({ prefix: PATH });

  router.post('/', async (ctx) => {
    const input = parse(matchRequestInput, ctx.request.body);
    const key = parse(idempotencyKey, ctx.get('idempotency-key') || undefined, 'Idempotency-Key header');
    const { request, created } = await submitMatchRequest(services, ctx.state.client.id, input, key);
    ctx.status = created ? 202 : 200;
    ctx.set('Location', `${PATH}/${request.id}`);
    if (request.status === 'queued' || request.status === 'running')
      ctx.set('Retry-After', String(POLL_AFTER_SECONDS));
    ctx.body = matchRequestView(request, undefined);
  });

  router.get('/:id', async (ctx) => {
    const id = requestIdParam(ctx.params.id);
    const { request, results } = await getMatchRequest(services.db, ctx.state.client.id, id);
    if (request.status === 'queued' || request.status === 'running')
      ctx.set('Retry-After', String(POLL_AFTER_SECONDS));
    ctx.body = matchRequestView(request, results);
  });

  router.post('/:id/feedback', async (ctx) => {
    const id = requestIdParam(ctx.params.id);
    const input = parse(feedbackInput, ctx.request.body);
    const feedback = await recordFeedback(services.db, ctx.state.client.id, id, input);
    ctx.body = {
      requestId: feedback.requestId,
      targetId: feedback.targetId,
      outcome: feedback.outcome,
      updatedAt: feedback.updatedAt,
    };
  });

  return router;
}

function requestIdParam(id: string | undefined): string {
  if (id === undefined || !z.uuid().safeParse(id).success)
    throw new NotFoundError(`No match request with id ${String(id)}.`);
  return id;
}
