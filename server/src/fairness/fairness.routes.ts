import Router from '@koa/router';
import type { BoxFairness, MyGuarantee } from '@blindbox/shared';
import type { Container } from '../container';
import { NotFound } from '../domain-error';
import { parseObjectId } from '../object-id';
import { boxModel, type BoxDoc } from '../catalog/box.model';
import { saleTermsOf } from '../catalog/sale-terms';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { currentUserId, requireUser } from '../users/require-user';
import { shopperDayOf } from '../limits/daily-limits';
import { toPublicSeed } from './server-seeds';
import { drawProofOf } from './draw-proof';
import { seedDto } from './seed-dto';

const SEED_HISTORY = 10;

/** What a shopper needs to check the draws: the box's rules and seeds (public), their own count, a draw's proof. */
export function fairnessRoutes({ db, config, sessions, fairness, limits }: Pick<Container, 'db' | 'config' | 'sessions' | 'fairness' | 'limits'>): Router {
  const Box = boxModel(db);
  const Order = orderModel(db);
  const router = new Router();

  async function activeBox(id: string | undefined): Promise<BoxDoc> {
    const box = await Box.findOne({ _id: parseObjectId(id, 'box'), active: true }).lean<BoxDoc>();
    if (!box) throw new NotFound('box');
    return box;
  }

  // Public: the current seed's hash is shown before any order can take it (asking commits one if needed).
  router.get('/api/boxes/:id/fairness', async (ctx) => {
    const box = await activeBox(ctx.params.id);
    const current = await fairness.seeds.current(box._id);
    const now = new Date();
    // Paged, so the whole history can be read: `?before=<generation>` lists the generations older than it.
    const before = Number(ctx.query.before);
    const seeds = await fairness.seeds.history(box._id, SEED_HISTORY, Number.isInteger(before) && before > 0 ? before : undefined);
    ctx.body = {
      boxId: box._id.toHexString(),
      guarantee: box.guarantee ? { minRarity: box.guarantee.minRarity, within: box.guarantee.within } : null,
      limits: { dailySpendCapFen: config.DAILY_SPEND_CAP_FEN, dailyDrawCapPerBox: config.DAILY_DRAW_CAP_PER_BOX, purchaseLimitPerDrop: saleTermsOf(box, config).purchaseLimit },
      seeds: seeds.map((seed) => seedDto(toPublicSeed(seed, now))),
      currentSeedId: current._id,
    } satisfies BoxFairness;
  });

  router.get('/api/me/guarantee/:boxId', requireUser(sessions), async (ctx) => {
    const box = await activeBox(ctx.params.boxId);
    const userId = currentUserId(ctx);
    const count = box.guarantee ? await fairness.draws.drawsUntilGuarantee(userId, box._id, box.guarantee.within) : null;
    ctx.body = {
      boxId: box._id.toHexString(),
      guarantee: box.guarantee ? { minRarity: box.guarantee.minRarity, within: box.guarantee.within } : null,
      misses: count?.misses ?? 0,
      remaining: count?.remaining ?? null,
      today: await limits.used(userId, box._id, shopperDayOf(new Date())),
    } satisfies MyGuarantee;
  });

  router.get('/api/proofs/:orderId/:unitIndex', requireUser(sessions), async (ctx) => {
    const order = await Order.findOne({ _id: parseObjectId(ctx.params.orderId, 'order'), userId: currentUserId(ctx) }).lean<OrderDoc>();
    const unitIndex = Number(ctx.params.unitIndex);
    const proof = order?.draws[unitIndex]?.proof;
    const seed = proof && (await fairness.seeds.byId(proof.seedId));
    const body = order && seed && Number.isInteger(unitIndex) ? drawProofOf(order, unitIndex, seed) : null;
    if (!body) throw new NotFound('draw');
    ctx.body = body;
  });

  return router;
}
