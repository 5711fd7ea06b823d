import Router from '@koa/router';
import { z } from 'zod';

import { NotFoundError, ValidationError, type FieldProblem } from '../../lib/errors.js';
import {
  decodeCursor,
  encodeCursor,
  getProfile,
  listProfiles,
  removeProfile,
  updateProfile,
  readDocument,
  upsertMany,
  type ReadInput,
  upsertOne,
  type ProfileInputs,
  type ProfilePatches,
} from '../../lib/profiles.js';
import { findDocument, type ProfileModels } from '../../lib/db/profiles.js';
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
  services: Pick<Services, 'db' | 'queues' | 'config'>,
  spec: ProfileRouteSpec<Kind>,
): Router<AppState> {
  const { kind, view } = spec;
  const documentLimits = services.config.http.documents;
  const router = new Router<AppState>({ prefix: spec.path });

  router.post('/', async (ctx) => {
    const input = await readDocument(kind, parse(spec.input, ctx.request.body), documentLimits, '/document');
    const { profile, created } = await upsertOne(services, kind, ctx.state.client.id, input);
    ctx.status = created ? 201 : 200;
    ctx.set('Location', `${spec.path}/${profile.id}`);
    ctx.body = view(profile);
  });

  router.post('/batch', async (ctx) => {
    const { items } = parse(batchEnvelope, ctx.request.body);
    // Each item is checked, and its file read, on its own: one bad item is reported, the rest written.
    const checked: { index: number; input?: ReadInput<Kind>; errors: FieldProblem[] }[] = [];
    for (const [index, item] of items.entries()) {
      const result = spec.input.safeParse(item);
      if (!result.success) {
        checked.push({ index, errors: problemsOf(result.error, `/items/${index}`) });
        continue;
      }
      try {
        const input = await readDocument(kind, result.data, documentLimits, `/items/${index}/document`);
        checked.push({ index, input, errors: [] });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        checked.push({ index, errors: error.errors ?? [] });
      }
    }
    const valid = checked.flatMap(({ index, input }) => (input ? [{ index, input }] : []));
    const outcomes = await upsertMany(
      services,
      kind,
      ctx.state.client.id,
      valid.map(({ input }) => input),
    );
    const outcomeByIndex = new Map(valid.map(({ index }, position) => [index, outcomes[position]]));
    const reports = checked.map(({ index, errors }) => {
      const outcome = outcomeByIndex.get(index);
      if (outcome) return { index, status: outcome.created ? 'created' : 'updated', id: outcome.profile.id };
      return { index, status: 'invalid', errors };
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

  router.get('/:id/document', async (ctx) => {
    const id = idParam(kind, ctx.params.id);
    const document = await findDocument(services.db, kind, ctx.state.client.id, id);
    if (!document) throw new NotFoundError(`The ${kind} ${id} has no document (or does not exist).`);
    ctx.type = document.contentType;
    ctx.attachment(document.filename);
    ctx.body = document.bytes;
  });

  router.patch('/:id', async (ctx) => {
    const id = idParam(kind, ctx.params.id);
    const patch = await readDocument(kind, parse(spec.patch, ctx.request.body), documentLimits, '/document');
    ctx.body = view(await updateProfile(services, kind, ctx.state.client.id, id, patch));
  });

  router.delete('/:id', async (ctx) => {
    await removeProfile(services.db, kind, ctx.state.client.id, idParam(kind, ctx.params.id));
    ctx.status = 204;
  });

  return router;
}
