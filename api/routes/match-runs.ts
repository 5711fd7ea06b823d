import Router from '@koa/router';
import { z } from 'zod';

import { NotFoundError } from '../../lib/errors.js';
import { cancelMatchRun, getMatchRun, matchRunResults, submitMatchRun } from '../../lib/match-runs.js';
import { matchRunInput, matchRunResultsQuery, parse } from '../../lib/schemas.js';
import type { Services } from '../../lib/services.js';
import type { AppState } from '../state.js';
import { matchRunView } from '../views.js';

const PATH = '/v1/match-runs';
/** Seconds a client should wait before polling a run's progress again. */
const POLL_AFTER_SECONDS = 5;

export function matchRunRoutes(services: Pick<Services, 'db' | 'queues' | 'config'>): Router<AppState> {
  const router = new Router<AppState>({ prefix: PATH });

  router.post('/', async (ctx) => {
    const input = parse(matchRunInput, ctx.request.body);
    const run = await submitMatchRun(services, ctx.state.client.id, input, services.config.matching.runLanes);
    ctx.status = 202;
    ctx.set('Location', `${PATH}/${run.id}`);
    ctx.set('Retry-After', String(POLL_AFTER_SECONDS));
    ctx.body = matchRunView(run, new Date());
  });

  router.get('/:id', async (ctx) => {
    const run = await getMatchRun(services.db, ctx.state.client.id, runIdParam(ctx.params.id));
    if (run.status === 'queued' || run.status === 'running')
      ctx.set('Retry-After', String(POLL_AFTER_SECONDS));
    ctx.body = matchRunView(run, new Date());
  });

  router.get('/:id/results', async (ctx) => {
    const query = parse(matchRunResultsQuery, ctx.query);
    ctx.body = await matchRunResults(services.db, ctx.state.client.id, runIdParam(ctx.params.id), query);
  });

  router.delete('/:id', async (ctx) => {
    await cancelMatchRun(services.db, ctx.state.client.id, runIdParam(ctx.params.id));
    ctx.status = 204;
  });

  return router;
}

function runIdParam(id: string | undefined): string {
  if (id === undefined || !z.uuid().safeParse(id).success)
    throw new NotFoundError(`No match run with id ${String(id)}.`);
  return id;
}
