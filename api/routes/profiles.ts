import Router from '@koa/router';
import { z } from 'zod';

import { NotFoundError } from '../../lib/errors.js';
import {
  decodeCursor,
  encodeCursor,
  getProfile,
  listProfiles,
  removeProfile,
  updateProfile,
  upsertMany,
  upsertOne,
  type ProfileInputs,
  type ProfilePatches,
} from '../../lib/profiles.js';
import type { ProfileModels } from '../../lib/db/profiles.js';
import type { ProfileKind } from '../../lib/queues/registry.js';
import { batchEnvelope, listQuery, parse, problemsOf } from '../../lib/schemas.js';
import type { Services } from '../../lib/services.js';
import type { AppState } from '../state.js';

export interface ProfileRouteSpec<Kind extends ProfileKind> {
  kind: Kind;
  /** Collection path, e.g. /v1/jobs. */
  path: string;
  input: z.ZodType<ProfileInputs[Kind]>;
  patch: z.ZodType<ProfilePatches[Kind]>;
  view: (profile: ProfileModels[Kind]) => object;
}

const uuid = z.uuid();

/** Ids that are not UUIDs cannot exist, so they get the same 404 as unknown ones. */
function idParam(kind: ProfileKind, id: string | undefined): string {
  if (id === undefined || !uuid.safeParse(id).success) throw new NotFoundError(`No ${kind} with id ${id}.`);
  return id;
}

/** Jobs and candidates share one contract: upsert by externalId, batch, get, list, patch, delete. */
export function profileRoutes<Kind extends ProfileKind>(
  services: Pick<Services, 'db' | 'queues'>,
  spec: ProfileRouteSpec<Kind>,
): Router<AppState> {
  const { kind, view } = spec;
  const router = new Router<AppState>({ prefix: spec.path });

  router.post('/', async (ctx) => {
    const input = parse(spec.input, ctx.request.body);
    const { profile, created } = await upsertOne(services, kind, ctx.state.client.id, input);
    ctx.status = created ? 201 : 200;
    ctx.set('Location', `${spec.path}/${profile.id}`);
    ctx.body = view(profile);
  });

  router.post('/batch', async (ctx) => {
    const { items } = parse(batchEnvelope, ctx.request.body);
    const checked = items.map((item, index) => ({ index, result: spec.input.safeParse(item) }));
    const valid = checked.flatMap(({ index, result }) =>
      result.success ? [{ index, input: result.data }] : [],
    );
    const outcomes = await upsertMany(
      services,
      kind,
      ctx.state.client.id,
      valid.map(({ input }) => input),
    );
    const outcomeByIndex = new Map(valid.map(({ index }, position) => [index, outcomes[position]]));
    const reports = checked.map(({ index, result }) => {
      const outcome = outcomeByIndex.get(index);
      if (result.success && outcome) {
        return { index, status: outcome.created ? 'created' : 'updated', id: outcome.profile.id };
      }
      return {
        index,
        status: 'invalid',
        errors: result.success ? [] : problemsOf(result.error, `/items/${index}`),
      };
    });
    ctx.body = {
      created: reports.filter((report) => report.status === 'created').length,
      updated: reports.filter((report) => report.status === 'updated').length,
      invalid: reports.filter((report) => report.status === 'invalid').length,
      items: reports,
    };
  });

  router.get('/', async (ctx) => {
    const query = parse(listQuery, ctx.query, 'query string');
    const page = await listProfiles(
      services.db,
      kind,
      ctx.state.client.id,
      query.limit,
      query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    );
    ctx.body = {
      items: page.items.map(view),
      nextCursor: page.nextPosition ? encodeCursor(page.nextPosition) : null,
    };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = view(await getProfile(services.db, kind, ctx.state.client.id, idParam(kind, ctx.params.id)));
  });

  router.patch('/:id', async (ctx) => {
    const id = idParam(kind, ctx.params.id);
    const patch = parse(spec.patch, ctx.request.body);
    ctx.body = view(await updateProfile(services, kind, ctx.state.client.id, id, patch));
  });

  router.delete('/:id', async (ctx) => {
    await removeProfile(services.db, kind, ctx.state.client.id, idParam(kind, ctx.params.id));
    ctx.status = 204;
  });

  return router;
}
