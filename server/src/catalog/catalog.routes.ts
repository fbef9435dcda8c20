import Router from '@koa/router';
import { LRUCache } from 'lru-cache';
import { paginationQuerySchema, type BoxPage } from '@blindbox/shared';
import type { Container } from '../container';
import { notFound } from '../http/app-error';
import { parseObjectId } from '../object-id';
import { boxModel, type BoxDoc } from './box.model';
import { toBoxDto } from './box-view';
import { saleTermsOf } from './sale-terms';
import type { ItemCounts } from './item-stock';
import { isSetBox } from '../sets/set.service';

interface BoxSale {
  stock: number;
  items: ItemCounts | null;
}

interface BoxPageEntry {
  doc: BoxDoc;
  sale: BoxSale | undefined;
}

/** Boxes remembered for the box page: more than a shop has on sale at once. */
const BOX_PAGES_KEPT = 1_000;

/** Public: browsing the catalog needs no login. Inactive boxes are hidden from the list and from detail. */
export function catalogRoutes({ db, config, clock, stock, sets }: Pick<Container, 'db' | 'config' | 'clock' | 'stock' | 'sets'>): Router {
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
   * The box page's box and sale, read at most once per BOX_MEMORY_MS per box, that read shared by every page load
   * meanwhile: a drop's crowd waits on the box page and the confirm page loads it again at the opening second, two
   * reads each otherwise. Staff changes and sales show within BOX_MEMORY_MS, as they reach orders (box-memory.ts).
   * Unknown and hidden boxes are not remembered (the cache holds boxes on sale only, so ids made up cannot fill it).
   */
  async function readBoxPage(id: string): Promise<BoxPageEntry | undefined> {
    const doc = await Box.findOne({ _id: id, active: true }).lean<BoxDoc>();
    return doc ? { doc, sale: (await salesOf([doc])).get(id) } : undefined;
  }
  // BOX_MEMORY_MS=0 (the tests') reads at every page load; lru-cache would take a ttl of 0 for "forever".
  const boxPages = config.BOX_MEMORY_MS > 0 ? new LRUCache<string, BoxPageEntry>({ max: BOX_PAGES_KEPT, ttl: config.BOX_MEMORY_MS, fetchMethod: readBoxPage }) : null;

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
    const boxId = parseObjectId(ctx.params.id, 'box').toHexString();
    const entry = boxPages ? await boxPages.fetch(boxId) : await readBoxPage(boxId);
    if (!entry) throw notFound('box');
    ctx.body = dtoOf(entry.doc, entry.sale);
  });

  return router;
}
