import Router from '@koa/router';
import { paginationQuerySchema, type BoxPage } from '@blindbox/shared';
import type { Container } from '../container';
import { notFound } from '../http/app-error';
import { parseObjectId } from '../http/object-id';
import { boxModel } from './box.model';
import { toBoxDto } from './box-view';

/** Public: browsing the catalog needs no login. Inactive boxes are hidden from the list and from detail. */
export function catalogRoutes({ db }: Pick<Container, 'db'>): Router {
  const Box = boxModel(db);
  const router = new Router({ prefix: '/api/boxes' });

  router.get('/', async (ctx) => {
    const { page, pageSize } = paginationQuerySchema.parse(ctx.query);
    const [docs, total] = await Promise.all([
      // _id breaks sortOrder ties so pages never overlap or skip a box.
      Box.find({ active: true }).sort({ sortOrder: 1, _id: 1 }).skip((page - 1) * pageSize).limit(pageSize).lean(),
      Box.countDocuments({ active: true }),
    ]);
    ctx.body = { items: docs.map(toBoxDto), page, pageSize, total } satisfies BoxPage;
  });

  router.get('/:id', async (ctx) => {
    const boxId = parseObjectId(ctx.params.id, 'box');
    const doc = await Box.findOne({ _id: boxId, active: true }).lean();
    if (!doc) throw notFound('box');
    ctx.body = toBoxDto(doc);
  });

  return router;
}
