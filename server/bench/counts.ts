import type { CommandSample } from '../src/db/command-counts';
import { bulkShoppers, call, placeAndPrepay, verdict, waitFor, type BenchContext } from './context';
import type { Stack } from './stack';

const SECTION = 'Round trips';
/** Shoppers racing for the few units left, so some pass the early sold-out check and lose at the reservation. */
const RACERS = 30;
const UNITS = 3;
const SAMPLES = 5;
const PROFILE_PATH = '/api/me';

async function samples(stack: Stack): Promise<CommandSample[]> {
  return (await call<{ samples: CommandSample[] }>(stack.url, 'GET', '/api/dev/db-commands', undefined, undefined, 200)).body.samples;
}

const ops = (sample: CommandSample) => sample.reads + sample.writes;
const describe = (picked: CommandSample[]) => {
  const worst = picked.reduce((most, sample) => (ops(sample) > ops(most) ? sample : most), picked[0]!);
  return `${ops(worst)} (${worst.reads} reads, ${worst.writes} writes; worst of ${picked.length}): ${worst.commands.join(' ')}`;
};

/**
 * Database operations per request kind, counted in the server from the driver's command events
 * (DB_COMMAND_COUNTS): each request's commands are the ones the driver started in its async context.
 */
export async function countsSection(ctx: BenchContext): Promise<void> {
  const stack = await ctx.stack('counts', { DB_COMMAND_COUNTS: 'true', RATE_LIMIT_ORDERS_PER_MINUTE: '0', RATE_LIMIT_PAYMENT_STATUS_PER_MINUTE: '0', PURCHASE_LIMIT_PER_BOX: '1000' }, 0.01);
  try {
    const shoppers = await bulkShoppers(ctx, stack, RACERS + 2 * SAMPLES, 'counts');
    const [boxId] = await stack.db.boxIds();
    await stack.db.setStock(boxId!, SAMPLES);
    // Returning shoppers: their profile was opened before, so it has its client seed (a shopper's very first
    // order also writes that seed: one write and one read more, counted by users/, not by the order's holds).
    for (const shopper of shoppers) await call(stack.url, 'GET', PROFILE_PATH, undefined, shopper.token, 200);
    const start = (await samples(stack)).length;
    const since = async () => (await samples(stack)).slice(start);

    // Winners, prepaid one after the other, then paid at the simulator: their callbacks fulfil them.
    const won: Array<{ orderId: string; prepayId: string }> = [];
    for (const shopper of shoppers.slice(0, SAMPLES)) won.push(await placeAndPrepay(stack.url, shopper, boxId!));
    for (const order of won) await call(stack.simulatorUrl, 'POST', '/sim/pay', { prepayId: order.prepayId, result: 'SUCCESS' }, undefined, 200);
    await waitFor(async () => (await stack.db.fulfilledCount(won.map((order) => order.orderId))) === won.length, 30_000, 100);
    for (const [index, order] of won.entries()) {
      await call(stack.url, 'GET', `/api/orders/${order.orderId}/payment-status`, undefined, shoppers[index]!.token, 200);
    }

    // The drop's end: a few units, many shoppers at once; then late arrivals one by one.
    await stack.db.setStock(boxId!, UNITS);
    // Restocked behind the shop's back: its stock gate, which remembers the box sold out, reads the counter again
    // only once a refusal has asked for it (stock-gate.ts). A quote is refused from that memory; ask until the
    // units are seen, as a drop's shoppers would before it opens, so the race below races for them.
    const racersPrice = () => call(stack.url, 'POST', '/api/orders/quote', { items: [{ boxId, quantity: 1 }] }, shoppers[SAMPLES]!.token);
    if (!(await waitFor(async () => (await racersPrice()).status === 200, 10_000, 100))) throw new Error('the shop never saw the restocked units');
    const racers = shoppers.slice(SAMPLES, SAMPLES + RACERS);
    const raceStart = (await samples(stack)).length;
    await Promise.all(racers.map((shopper) => call(stack.url, 'POST', '/api/orders', { items: [{ boxId, quantity: 1 }], addressId: shopper.addressId }, shopper.token)));
    const raceEnd = (await samples(stack)).length;
    for (const shopper of shoppers.slice(SAMPLES + RACERS)) {
      await call(stack.url, 'POST', '/api/orders', { items: [{ boxId, quantity: 1 }], addressId: shopper.addressId }, shopper.token);
    }
    // What the mini-program's confirm page asks of a box sold out: the box, which says so (and nothing of the
    // shopper's is loaded then), and the quote, had it been sent.
    for (const shopper of shoppers.slice(SAMPLES + RACERS)) {
      await call(stack.url, 'GET', `/api/boxes/${boxId}`, undefined, shopper.token, 200);
      await call(stack.url, 'POST', '/api/orders/quote', { items: [{ boxId, quantity: 1 }] }, shopper.token, 409);
    }

    const all = await since();
    ctx.record('counts', all);
    const of = (pattern: RegExp, keep: (sample: CommandSample) => boolean = () => true) => all.filter((sample) => pattern.test(sample.kind) && keep(sample));
    const soldOut = of(/^POST \/api\/orders 409 SOLD_OUT$/).slice(-SAMPLES);
    // The racers who lost: in line behind the last units (stock-gate.ts) or, had they got a place, at the reservation.
    const raced = all.slice(raceStart - start, raceEnd - start);
    const losing = raced.filter((sample) => /^POST \/api\/orders 409 (SOLD_OUT|OUT_OF_STOCK)$/.test(sample.kind));
    const winning = of(/^POST \/api\/orders 201$/);
    const prepay = of(/^POST \/api\/orders\/:id\/pay\/jsapi 200$/);
    const callback = of(/^POST \/api\/payments\/wechat\/notify 2\d\d$/);
    const poll = of(/^GET \/api\/orders\/:id\/payment-status 200$/);
    const confirmPage = of(/^GET \/api\/boxes\/:id 200$/).slice(-SAMPLES);
    const quote = of(/^POST \/api\/orders\/quote 409 SOLD_OUT$/);
    const row = (figure: string, picked: CommandSample[], target?: string, ok?: (sample: CommandSample) => boolean) =>
      ctx.row({
        section: SECTION,
        figure: `${figure} (${picked.length} seen)`,
        value: picked.length ? describe(picked) : 'none seen',
        ...(target && ok ? { target, verdict: verdict(picked.length > 0 && picked.every(ok)) } : {}),
      });
    /** Graded on the median sample, for kinds whose first after a quiet moment also reads what memory keeps; the worst is shown beside it. */
    const medianRow = (figure: string, picked: CommandSample[], target: string, ok: (operations: number) => boolean) => {
      const typical = [...picked].sort((a, b) => ops(a) - ops(b))[Math.floor(picked.length / 2)];
      ctx.row({
        section: SECTION,
        figure,
        value: typical ? `${ops(typical)} (${typical.reads} reads, ${typical.writes} writes): ${typical.commands.join(' ')}; worst ${describe(picked)}` : 'none seen',
        target,
        verdict: verdict(typical !== undefined && ok(ops(typical))),
      });
    };
    row('sold-out answer (late arrival, box remembered sold out)', soldOut, '0', (sample) => ops(sample) === 0);
    // A crowd loading it within BOX_MEMORY_MS shares one read of the box and one of its stock.
    medianRow(
      `a loser's confirm page: the box, sold out (median of ${confirmPage.length} in a row; the first after BOX_MEMORY_MS reads the box and its stock, for every load meanwhile)`,
      confirmPage,
      '0',
      (operations) => operations === 0,
    );
    row('quote of a box remembered sold out', quote, '0', (sample) => ops(sample) === 0);
    row(`losing attempt (${RACERS} racing for ${UNITS} units)`, losing, '≤ 1 write', (sample) => sample.writes <= 1);
    // A process's first order, or the first after the box memory's 250 ms, also reads the box (and, once per seed,
    // the seed).
    medianRow(
      `winning order, the median of ${winning.length} (a process's first, or the first after 250 ms without one, also reads the box; the worst is shown)`,
      winning,
      '≤ 8',
      (operations) => operations <= 8,
    );
    row('prepay (JSAPI)', prepay);
    row('fulfilling callback (WeChat Pay notify)', callback, '≤ 5', (sample) => ops(sample) <= 5);
    row('payment-status poll (paid order)', poll);
  } finally {
    await stack.stop();
  }
}
