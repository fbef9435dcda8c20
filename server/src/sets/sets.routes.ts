import Router from '@koa/router';
import type { BoxSetList } from '@blindbox/shared';
import type { Container } from '../container';
import { NotFound } from '../domain-error';
import { parseObjectId } from '../object-id';
import { boxModel } from '../catalog/box.model';
import { setService } from './set.service';

/** Public, like the catalog: a set's grid and commitment while on sale, its arrangement and sales after. */
export function setRoutes({ db }: Pick<Container, 'db'>): Router {
  const Box = boxModel(db);
  const sets = setService(db);
  const router = new Router();

  async function activeBoxId(id: string | undefined) {
    const box = await Box.findOne({ _id: parseObjectId(id, 'box'), active: true }).select({ _id: 1 }).lean();
    if (!box) throw new NotFound('box');
    return box._id;
  }

  router.get('/api/boxes/:id/sets/current', async (ctx) => {
    ctx.body = await sets.current(await activeBoxId(ctx.params.id));
  });

  router.get('/api/boxes/:id/sets', async (ctx) => {
    ctx.body = { items: await sets.list(await activeBoxId(ctx.params.id)) } satisfies BoxSetList;
  });

  router.get('/api/sets/:setId', async (ctx) => {
    ctx.body = await sets.get(parseObjectId(ctx.params.setId, 'set'));
  });

  return router;
}
