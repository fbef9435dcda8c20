import { createSetsRequestSchema } from '@blindbox/shared';
import { z } from 'zod';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { boxModel } from '../catalog/box.model';
import { NotFound } from '../domain-error';
import { parseObjectId } from '../object-id';
import { setActions } from './set-actions';

const boxQuerySchema = z.object({ boxId: z.string() });

/** Whole sets (端盒) in the console: a box's sets, making more, one set, retiring one (the set service's rules). */
export function setsConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const { sets } = container;
  const actions = setActions(sets);
  const boxOf = async (id: string) => {
    const box = await boxModel(container.db).findById(parseObjectId(id, 'box')).select({ _id: 1, slug: 1 }).lean();
    if (!box) throw new NotFound('box');
    return box;
  };

  routes.get('/sets', 'catalog.view', async (ctx) => {
    const box = await boxOf(boxQuerySchema.parse(ctx.query).boxId);
    ctx.body = { items: await sets.list(box._id) };
  });

  routes.post('/sets', 'catalog.manage', async (ctx, { change }) => {
    const { count } = createSetsRequestSchema.parse(ctx.request.body);
    const box = await boxOf(boxQuerySchema.parse(ctx.request.body).boxId);
    await actions.create(box, count, change);
    ctx.status = 201;
    ctx.body = { items: await sets.list(box._id) };
  });

  routes.get('/sets/:id', 'catalog.view', async (ctx) => {
    ctx.body = await sets.get(parseObjectId(ctx.params.id, 'set'));
  });

  routes.post('/sets/:id/retire', 'catalog.manage', async (ctx, { change }) => {
    const setId = parseObjectId(ctx.params.id, 'set');
    await actions.retire(setId, change);
    ctx.body = await sets.get(setId);
  });
}
