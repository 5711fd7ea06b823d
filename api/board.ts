import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Middleware } from 'koa';

import { queueNames } from '../lib/queues/registry.js';
import type { Services } from '../lib/services.js';
import { adminAuth } from './middleware/auth.js';

export const BOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue of the registry, at /admin/queues, behind the admin token (HTTP Basic in a
 * browser). It is mounted before the API's JSON body parser: the board posts its own actions (retry,
 * promote, clean) and parses them itself.
 */
export function bullBoard(services: Pick<Services, 'queues' | 'config'>): Middleware {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queueNames.map((name) => new BullMQAdapter(services.queues.get(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Lookiy Match' } },
  });
  const board = serverAdapter.registerPlugin();
  const guard = adminAuth(services.config.adminToken, { browser: true });
  return async (ctx, next) => {
    if (ctx.path !== BOARD_PATH && !ctx.path.startsWith(`${BOARD_PATH}/`)) {
      await next();
      return;
    }
    await guard(ctx, () => board(ctx, next) as Promise<unknown>);
  };
}
