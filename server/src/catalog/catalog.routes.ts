import Router from '@koa/router';
import { paginationQuerySchema, type BoxPage } from '@blindbox/shared';
import type { Container } from '../container';
import { notFound } from '../http/app-error';
import { parseObjectId } from '../object-id';
import { boxModel, type BoxDoc } from './box.model';
import { toBoxDto } from './box-view';
import { saleTermsOf } from './sale-terms';
import { isSetBox } from '../sets/set.service';

/** Public: browsing the catalog needs no login. Inactive boxes are hidden from the list and from detail. */
export function catalogRoutes({ db, config, clock, stock, sets }: Pick<Container, 'db' | 'config' | 'clock' | 'stock' | 'sets'>): Router {
  const Box = boxModel(db);

  async function withSale(docs: BoxDoc[]) {
    const [forSale, free] = await Promise.all([stock.forSale(docs.map((doc) => doc._id)), sets.freeByBox(docs.filter(isSetBox).map((doc) => doc._id))]);
    const now = clock.now();
    return docs.map((doc) => {
      const id = doc._id.toHexString();
      const sale = forSale.get(id);
      // A whole-set box's stock is its free positions, not a counter.
      return toBoxDto(doc, { stock: free.get(id) ?? sale?.available ?? 0, items: sale?.items ?? null, ...saleTermsOf(doc, config), now });
    });
  }

  const router = new Router({ prefix: '/api/boxes' });

  router.get('/', async (ctx) => {
    const { page, pageSize } = paginationQuerySchema.parse(ctx.query);
    const [docs, total] = await Promise.all([
      // _id breaks sortOrder ties so pages never overlap or skip a box.
      Box.find({ active: true }).sort({ sortOrder: 1, _id: 1 }).skip((page - 1) * pageSize).limit(pageSize).lean<BoxDoc[]>(),
      Box.countDocuments({ active: true }),
    ]);
    ctx.body = { items: await withSale(docs), page, pageSize, total } satisfies BoxPage;
  });

  router.get('/:id', async (ctx) => {
    const boxId = parseObjectId(ctx.params.id, 'box');
    const doc = await Box.findOne({ _id: boxId, active: true }).lean<BoxDoc>();
    if (!doc) throw notFound('box');
    ctx.body = (await withSale([doc]))[0];
  });

  return router;
}
