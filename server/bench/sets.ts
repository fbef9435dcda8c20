import mongoose from 'mongoose';
import { verifySet, type BoxSet, type Rarity } from '@blindbox/shared';
import { connectDatabase } from '../src/db/connect';
import { stockDatabase } from '../src/db/databases';
import { boxModel } from '../src/catalog/box.model';
import { orderModel, type OrderDoc } from '../src/orders/order.model';
import { setService } from '../src/sets/set.service';
import { positionHoldModel } from '../src/sets/position-hold.model';
import { bulkShoppers, call, ms, summarize, verdict, waitFor, type BenchContext } from './context';
import { answersOf, latenciesOf, runLoad } from './load';

const SECTION = 'Whole sets';
const SHOPPERS = 3_000;
const SETS = 50;
const POSITIONS = 12;
const ARRIVALS_PER_SECOND = 50;
/** A shopper whose pick was taken reads the grid and picks again, this many times in all. */
const ATTEMPTS = 6;
const REPICK_AFTER_MS = 500;
/** Every n-th shopper tries to buy a whole set (端盒) when the current one is all free. */
const WHOLE_SET_EVERY = 40;
/** Every n-th winner cancels at once: its positions must go back on sale and sell again. */
const CANCEL_EVERY = 10;

/**
 * 3,000 logged-in shoppers pick positions of 50 sets × 12 (a few of them whole sets), racing for the same
 * grid; winners pay at the simulator, every tenth cancels instead. Then: was any position sold twice, did
 * every payment fulfil its order, is any position stuck, and does every sold-out set verify against the
 * commitment it was sold under?
 */
export async function setsSection(ctx: BenchContext): Promise<void> {
  const stack = await ctx.stack('sets', { JOBS_POLL_INTERVAL_MS: '1000', RATE_LIMIT_ORDERS_PER_MINUTE: '0' }, 1);
  const db = await connectDatabase({ uri: stack.env.MONGODB_URI!, dbName: stack.dbName, poolSize: 5, production: false });
  try {
    const count = Math.max(300, Math.round(SHOPPERS * ctx.scale));
    const setCount = Math.max(5, Math.round(SETS * ctx.scale));
    const positions = setCount * POSITIONS;
    const products = [
      ...Array.from({ length: POSITIONS }, (_, i) => ({ productId: `zodiac-${i}`, name: `生肖 ${i + 1}`, rarity: (i < 8 ? 'COMMON' : i < 11 ? 'RARE' : 'EPIC') as Rarity, imageUrl: `/z${i}.png`, weight: 1 })),
      { productId: 'zodiac-secret', name: '隐藏款', rarity: 'SECRET' as Rarity, imageUrl: '/zs.png', weight: 1 },
    ];
    const [box] = await boxModel(db).create([
      { slug: `bench-zodiac-${Date.now()}`, name: '生肖端盒', coverUrl: '/c.png', priceFen: 3900, saleMode: 'SETS' as const, setRules: { secretEvery: POSITIONS }, purchaseLimit: POSITIONS, products },
    ]);
    const boxId = box!._id.toHexString();
    await setService(db).create(box!._id, setCount);
    const t0 = performance.now();
    const shoppers = await bulkShoppers(ctx, stack, count, 'sets');
    ctx.log(`sets: ${setCount} sets × ${POSITIONS} on sale, ${count} shoppers ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; arriving at ${ARRIVALS_PER_SECOND}/s`);

    const result = await runLoad({
      url: stack.url,
      scenario: { kind: 'sets', shoppers, boxId, simulatorUrl: stack.simulatorUrl, attempts: ATTEMPTS, repickAfterMs: REPICK_AFTER_MS, wholeSetEvery: WHOLE_SET_EVERY, cancelEvery: CANCEL_EVERY },
      pace: { kind: 'open', rate: ARRIVALS_PER_SECOND, count },
    });
    ctx.log(`sets: ${answersOf(result)}`);
    const paid = result.drop.filter((outcome) => outcome.paid).map((outcome) => outcome.orderId!);
    const won = result.drop.filter((outcome) => outcome.orderId !== null).length;
    await waitFor(async () => (await stack.db.fulfilledCount(paid)) === paid.length, 60_000, 250);
    const fulfilled = await stack.db.fulfilledCount(paid);

    // Where every position is: sold (to exactly one paid order), held by an order still payable, or free.
    const Hold = positionHoldModel(stockDatabase(db));
    const sets = await setService(db).list(box!._id);
    const setIds = sets.map((set) => new mongoose.Types.ObjectId(set.id));
    await waitFor(async () => (await Hold.countDocuments({ setId: { $in: setIds }, state: 'SOLD' })) >= paid.length, 30_000, 250);
    const holds = await Hold.find({ setId: { $in: setIds } }).lean();
    const paidOrders = await orderModel(db).find({ _id: { $in: paid.map((id) => new mongoose.Types.ObjectId(id)) } }).select({ draws: 1, status: 1 }).lean<OrderDoc[]>();
    const delivered = paidOrders.flatMap((order) => order.draws.map((draw) => ({ key: `${draw.set!.setId.toHexString()}:${draw.set!.position}`, orderId: order._id.toHexString(), productId: draw.productId })));
    const soldTwice = delivered.length - new Set(delivered.map((sale) => sale.key)).size;
    const byId = new Map(holds.map((hold) => [hold._id, hold]));
    const unrecorded = delivered.filter((sale) => byId.get(sale.key)?.state !== 'SOLD' || byId.get(sale.key)?.orderId.toHexString() !== sale.orderId).length;
    const soldHolds = holds.filter((hold) => hold.state === 'SOLD').length;
    const openOrders = new Set(
      (await orderModel(db).find({ _id: { $in: holds.filter((hold) => hold.state === 'HELD').map((hold) => hold.orderId) }, status: 'TO_BE_PAID' }).select({ _id: 1 }).lean()).map((order) => order._id.toHexString()),
    );
    const stuck = holds.filter((hold) => hold.state === 'HELD' && !openOrders.has(hold.orderId.toHexString())).length;
    const free = sets.reduce((sum, set) => sum + set.free, 0);

    const soldOut = sets.filter((set) => set.state === 'SOLD_OUT');
    let verified = 0;
    for (const set of soldOut) {
      const published = (await call<BoxSet>(stack.url, 'GET', `/api/sets/${set.id}`, undefined, undefined, 200)).body;
      if (verifySet(published).ok && published.sales?.length === POSITIONS) verified += 1;
    }

    const picks = summarize(latenciesOf(result.steps.create));
    const errors = Object.values(result.steps).reduce((sum, step) => sum + Object.entries(step).filter(([answer]) => /^(5\d\d|ERR)/.test(answer)).reduce((n, [, l]) => n + l.length, 0), 0);
    ctx.record('sets', { count, setCount, won, paid: paid.length, fulfilled, soldTwice, unrecorded, soldHolds, stuck, free, soldOut: soldOut.length, verified, picks, errors, steps: answersOf(result) });

    const row = (figure: string, value: string, target?: string, ok?: boolean) => ctx.row({ section: SECTION, figure, value, ...(target ? { target, verdict: verdict(ok ?? false) } : {}) });
    // How much sells depends on how patient the shoppers are (ATTEMPTS) and how fast the server answers; the
    // targets below are what must hold whatever sells.
    // Both steps answer the same codes: summed per step, not merged (a merge would keep only one step's count).
    const misses = [result.steps.create, result.steps['create whole set']]
      .flatMap((answers) => Object.entries(answers ?? {}))
      .filter(([answer]) => answer.startsWith('409'))
      .reduce((n, [, l]) => n + l.length, 0);
    row(
      `positions sold (${count} shoppers at ${ARRIVALS_PER_SECOND}/s, ${ATTEMPTS} picks each at most, ${setCount} sets × ${POSITIONS}; ${won} orders won, every ${CANCEL_EVERY}th cancelled)`,
      `${soldHolds} of ${positions} (${soldOut.length} sets sold out; ${(misses / Math.max(1, won)).toFixed(1)} picks answered 409 per order won)`,
    );
    row('positions sold twice (paid orders delivering the same set and position)', String(soldTwice), '0', soldTwice === 0);
    row(`lost payments (paid at the simulator, order not fulfilled; ${paid.length} paid)`, String(paid.length - fulfilled), '0', paid.length === fulfilled);
    row('lost positions (a sale not recorded on its position, or held for an order no longer payable)', String(unrecorded + stuck), '0', unrecorded + stuck === 0);
    row('sold-out sets whose published arrangement matches their commitment and all 12 sales', `${verified} of ${soldOut.length}`, 'all', verified === soldOut.length && soldOut.length > 0);
    row('answers', answersOf(result));
    row('pick (order create) p50 / p99, from scheduled arrival or re-pick', `${ms(picks.p50)} / ${ms(picks.p99)}`);
    row('5xx answers and unanswered requests', String(errors), '0', errors === 0);
    if (free > 0) row('positions still free after the run', String(free));
  } finally {
    await db.close();
    await stack.stop();
  }
}
