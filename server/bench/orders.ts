import { bulkShoppers, ms, summarize, verdict, type BenchContext } from './context';
import { answersOf, failuresOf, latenciesOf, runLoad, type LoadResult } from './load';

const SECTION = 'Order create + JSAPI prepay';
const LEVELS = [10, 50] as const;
const CLOSED_SECONDS = 5;
/** Offered requests per second; each order is two requests (create, then prepay once it is answered). */
const OPEN_REQUESTS_PER_SECOND = 150;
const OPEN_SECONDS = 10;
const SHOPPERS = 500;

const allLatencies = (result: LoadResult) => Object.values(result.steps).flatMap(latenciesOf);

/** Shoppers ordering one unit of a box with plenty of stock and prepaying it: closed loop at c = 10, 50, then open loop. */
export async function orderSection(ctx: BenchContext): Promise<void> {
  const stack = await ctx.stack('orders', { RATE_LIMIT_ORDERS_PER_MINUTE: '0', PURCHASE_LIMIT_PER_BOX: '10000' });
  try {
    const shoppers = await bulkShoppers(ctx, stack, SHOPPERS, 'orders');
    const boxIds = await stack.db.boxIds();
    // Stock is not what is measured here, so it never runs out.
    for (const boxId of boxIds) await stack.db.setStock(boxId, 10_000_000);
    const scenario = { kind: 'orders' as const, shoppers, boxIds };
    const figures: Record<string, unknown> = {};

    for (const connections of LEVELS) {
      const result = await runLoad({ url: stack.url, scenario, pace: { kind: 'closed', connections, seconds: Math.max(1, CLOSED_SECONDS * ctx.scale) } });
      const latency = summarize(allLatencies(result));
      const failed = failuresOf(result);
      const rate = (allLatencies(result).length - failed) / result.seconds;
      figures[`c${connections}`] = { rate, latency, answers: answersOf(result) };
      ctx.log(`orders c=${connections}: ${rate.toFixed(0)} req/s; ${answersOf(result)}`);
      ctx.row({
        section: SECTION,
        figure: `c=${connections}, closed loop (${result.flows} orders${failed ? `, ${failed} answers not 2xx` : ''})`,
        value: `${rate.toFixed(0)} req/s (p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)})`,
        ...(connections === 50 ? { target: '≥ 300 req/s', verdict: verdict(rate >= 300 && failed === 0) } : {}),
      });
    }

    const ordersPerSecond = OPEN_REQUESTS_PER_SECOND / 2;
    const count = Math.round(ordersPerSecond * Math.max(1, OPEN_SECONDS * ctx.scale));
    const result = await runLoad({ url: stack.url, scenario, pace: { kind: 'open', rate: ordersPerSecond, count } });
    const latency = summarize(allLatencies(result));
    const failed = failuresOf(result);
    figures.open = { ordersPerSecond, count, latency, flow: summarize(result.flowLatencies), maxSendLagMs: result.maxSendLagMs, answers: answersOf(result) };
    ctx.log(`orders open ${OPEN_REQUESTS_PER_SECOND} req/s: ${answersOf(result)}; send lag ≤ ${result.maxSendLagMs.toFixed(1)} ms`);
    ctx.row({
      section: SECTION,
      figure: `${OPEN_REQUESTS_PER_SECOND} req/s offered (${ordersPerSecond} orders/s), open loop, ${count} orders${failed ? `, ${failed} answers not 2xx` : ''}`,
      value: `p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)}`,
      target: 'p99 < 150 ms',
      verdict: verdict(latency.p99 < 150 && failed === 0),
    });
    ctx.record('orders', figures);
  } finally {
    await stack.stop();
  }
}
