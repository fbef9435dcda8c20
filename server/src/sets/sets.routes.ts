import Router from '@koa/router';
import type { BoxSet, BoxSetList } from '@blindbox/shared';
import type { Container } from '../container';
import { NotFound } from '../domain-error';
import { parseObjectId } from '../object-id';
import { boxModel } from '../catalog/box.model';

/**
 * How long the open sets of a box are answered from memory (the reads of concurrent looks shared too): a
 * drop's thousands of shoppers reading the grid cost the database a few reads a second. The holds stay the
 * real guard: a grid a moment old only means a pick may meet 409 POSITION_TAKEN, and the next look is fresh.
 */
const CURRENT_MEMORY_MS = 200;

/** Public, like the catalog: a set's grid and commitment while on sale, its arrangement and sales after. */
export function setRoutes({ db, sets }: Pick<Container, 'db' | 'sets'>): Router {
  const Box = boxModel(db);
  const router = new Router();
  const openSeen = new Map<string, { until: number; sets: Promise<BoxSet[]> }>();

  async function activeBoxId(id: string | undefined) {
    const box = await Box.findOne({ _id: parseObjectId(id, 'box'), active: true }).select({ _id: 1 }).lean();
    if (!box) throw new NotFound('box');
    return box._id;
  }

  router.get('/api/boxes/:id/sets/current', async (ctx) => {
    const key = ctx.params.id ?? '';
    let seen = openSeen.get(key);
    if (!seen || seen.until <= Date.now()) {
      const loading = activeBoxId(ctx.params.id).then((boxId) => sets.openNow(boxId));
      const entry = { until: Date.now() + CURRENT_MEMORY_MS, sets: loading };
      openSeen.set(key, entry);
      // A failed look is not remembered (and an unknown box id never stays in the map).
      loading.catch(() => openSeen.get(key) === entry && openSeen.delete(key));
      seen = entry;
    }
    const open = await seen.sets;
    // Each look gets one of the open sets: shoppers arriving together spread over them.
    ctx.body = open[Math.floor(Math.random() * open.length)];
  });

  router.get('/api/boxes/:id/sets', async (ctx) => {
    ctx.body = { items: await sets.list(await activeBoxId(ctx.params.id)) } satisfies BoxSetList;
  });

  router.get('/api/sets/:setId', async (ctx) => {
    ctx.body = await sets.get(parseObjectId(ctx.params.setId, 'set'));
  });

  return router;
}
