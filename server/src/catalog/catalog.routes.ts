import Router from '@koa/router';
import { Types } from 'mongoose';
import { paginationQuerySchema, type BoxPage } from '@blindbox/shared';
import type { Container } from '../container';
import { notFound } from '../http/app-error';
import { parseObjectId } from '../object-id';
import { readMemory } from '../db/read-memory';
import { boxModel, type BoxDoc } from './box.model';
import { toBoxDto } from './box-view';
import { saleTermsOf } from './sale-terms';
import type { ItemCounts } from './item-stock';
import { isSetBox } from '../sets/set.service';

interface BoxSale {
  stock: number;
  items: ItemCounts | null;
}

/** Public: browsing the catalog needs no login. Inactive boxes are hidden from the list and from detail. */
export function catalogRoutes({ db, config, clock, stock, sets, boxes, orders }: Pick<Container, 'db' | 'config' | 'clock' | 'stock' | 'sets' | 'boxes' | 'orders'>): Router {
  const Box = boxModel(db);

  /** Each box's units for sale (a whole-set box's: its free positions, not a counter) and item counts. */
  async function salesOf(docs: BoxDoc[]): Promise<Map<string, BoxSale>> {
    const [forSale, free] = await Promise.all([stock.forSale(docs.map((doc) => doc._id)), sets.freeByBox(docs.filter(isSetBox).map((doc) => doc._id))]);
    return new Map(
      docs.map((doc) => {
        const id = doc._id.toHexString();
        const sale = forSale.get(id);
        return [id, { stock: free.get(id) ?? sale?.available ?? 0, items: sale?.items ?? null }];
      }),
    );
  }

  // The drop's state comes from the clock at every answer, so a remembered box still opens at its exact second.
  const dtoOf = (doc: BoxDoc, sale: BoxSale | undefined) => toBoxDto(doc, { stock: sale?.stock ?? 0, items: sale?.items ?? null, ...saleTermsOf(doc, config), now: clock.now() });

  /**
   * The box page reads the box from the shop's box memory (box-memory.ts) and its sale from one of its own, each at
   * most BOX_MEMORY_MS old and shared by every page load meanwhile: a drop's crowd waits on the box page and the
   * confirm page loads it again at the opening second, two or three reads each otherwise.
   */
  const boxSales = readMemory(config.BOX_MEMORY_MS, async (ids) => salesOf([...(await boxes.boxes(ids.map((id) => new Types.ObjectId(id)))).values()]));

  const router = new Router({ prefix: '/api/boxes' });

  router.get('/', async (ctx) => {
    const { page, pageSize } = paginationQuerySchema.parse(ctx.query);
    const [docs, total] = await Promise.all([
      // _id breaks sortOrder ties so pages never overlap or skip a box.
      Box.find({ active: true }).sort({ sortOrder: 1, _id: 1 }).skip((page - 1) * pageSize).limit(pageSize).lean<BoxDoc[]>(),
      Box.countDocuments({ active: true }),
    ]);
    const sales = await salesOf(docs);
    ctx.body = { items: docs.map((doc) => dtoOf(doc, sales.get(doc._id.toHexString()))), page, pageSize, total } satisfies BoxPage;
  });

  router.get('/:id', async (ctx) => {
    const boxId = parseObjectId(ctx.params.id, 'box');
    const id = boxId.toHexString();
    // At once: the sale's read asks the box memory too, and so shares the box's read.
    const [found, sales] = await Promise.all([boxes.boxes([boxId]), boxSales.get([id])]);
    const doc = found.get(id);
    if (!doc?.active) throw notFound('box');
    const sale = sales.get(id);
    // Sold out the moment orders say so (the last unit claimed), not when the remembered sale is read again: a
    // drop's losers opening the confirm page then learn it from the box alone (order/confirm in the mini-program).
    ctx.body = dtoOf(doc, sale && orders.remembersSoldOut(boxId) ? { ...sale, stock: 0 } : sale);
  });

  return router;
}
