import { randomBytes } from 'node:crypto';
import { bulkShoppers, call, ms, summarize, verdict, waitFor, type BenchContext } from './context';
import { answersOf, latenciesOf, runLoad, type DropOutcome, type LoadJob, type LoadResult, type StepResult } from './load';
import type { Stack } from './stack';
import { sampleCpu, type CpuWindow } from './cpu-sampler';

const SECTION = 'Drop';
const SHOPPERS = 5_000;
const UNITS = 100;
/** Arrivals of the first wave (open loop): the announced minute. */
const ARRIVALS_PER_SECOND = 1_000;
/** Every n-th winner never pays, so a fifth of the units come back when their payment window ends. */
const UNPAID_EVERY = 5;
/** Shoppers held back for a second wave that arrives once the unpaid holds have expired. */
const SECOND_WAVE_SHARE = 0.1;
const SECOND_WAVE_PER_SECOND = 100;
/**
 * Before the announced minute the shop has been open: shoppers bought other boxes (paid, drawn) at this pace.
 * A server is not started the minute before a drop, and a process that never placed an order runs the winners'
 * code unoptimised: in scratch runs wave 1 cost 1.8–2.0 ms of server CPU per request from a cold process against
 * 0.93–0.98 ms after this warm-up.
 */
const OPEN_BEFORE = { orders: 300, perSecond: 50 };
/** The sold-out answer alone, after the drop: a closed loop this long. */
const SOLD_OUT_ALONE_SECONDS = 3;
/** A bucket of the server's request histogram (metrics.ts): how many order requests it answered this fast itself. */
const IN_SERVER_SECONDS = 0.005;

/** The latencies of a step's sold-out (409) answers. */
const soldOutLatencies = (step: StepResult | undefined) =>
  Object.entries(step ?? {})
    .filter(([answer]) => answer.startsWith('409'))
    .flatMap(([, latencies]) => latencies);
const wonOrders = (outcomes: DropOutcome[]) => outcomes.filter((outcome) => outcome.orderId !== null);
const paidOrders = (outcomes: DropOutcome[]) => outcomes.filter((outcome) => outcome.paid).map((outcome) => outcome.orderId!);
/** When the UNITS-th unit was taken (that winner's answer), from the run's first arrival; null when fewer were. */
const soldOutAtOf = (outcomes: DropOutcome[]) => wonOrders(outcomes).map((outcome) => outcome.wonAtMs!).sort((a, b) => a - b)[UNITS - 1] ?? null;

/** The winners' processes in milliseconds per unit sold, the crowd's (the door, the phones' stand-in) in cores. */
function cpuShares({ msByPart, seconds }: CpuWindow): string {
  const perUnit = (['shop', 'engine', 'callbacks', 'simulator'] as const).filter((part) => msByPart[part] !== undefined);
  const winners = perUnit.map((part) => `${part} ${((msByPart[part] ?? 0) / UNITS).toFixed(1)} ms`);
  const total = perUnit.reduce((sum, part) => sum + (msByPart[part] ?? 0), 0) / UNITS;
  const crowd = (['order door', 'load generator'] as const).filter((part) => msByPart[part] !== undefined).map((part) => `${part} ${((msByPart[part] ?? 0) / 1000 / seconds).toFixed(2)} core`);
  return `${total.toFixed(0)} ms per unit (${winners.join(', ')}); ${crowd.join(', ')}`;
}

/** Answers ≥ 500 and requests that got no answer at all, across every step. */
const serverErrors = (results: LoadResult[]) =>
  results.reduce((sum, result) => sum + Object.values(result.steps).reduce((n, step) => n + Object.entries(step).filter(([answer]) => /^(5\d\d|ERR)/.test(answer)).reduce((k, [, l]) => k + l.length, 0), 0), 0);

/** WeChat's own wait for a callback's answer: a later one counts as failed and is retried. */
const WECHAT_ANSWER_DEADLINE_MS = 5_000;

interface CallbackAttempt {
  kind: string;
  httpStatus: number | null;
  ms?: number;
}

/** Every payment callback the simulator delivered in the run, with how long our server took to answer each. */
async function callbackAttempts(stack: Stack): Promise<CallbackAttempt[]> {
  const { attempts } = (await call<{ attempts: CallbackAttempt[] }>(stack.simulatorUrl, 'GET', '/sim/notifications', undefined, undefined, 200)).body;
  return attempts.filter((attempt) => attempt.kind === 'transaction');
}

/** The order route's requests the server itself timed (its /metrics histogram): in all, and within `withinSeconds`. */
async function timedInServer(stack: Stack, metricsToken: string, withinSeconds: number): Promise<{ all: number; within: number }> {
  const text = await (await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  const count = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  return {
    all: count(/^http_request_duration_seconds_count\{method="POST",route="\/api\/orders"\} (\d+)$/m),
    within: count(new RegExp(`^http_request_duration_seconds_bucket\\{le="${withinSeconds}",method="POST",route="\\/api\\/orders"\\} (\\d+)$`, 'm')),
  };
}

async function available(stack: Stack, boxId: string): Promise<number> {
  return (await call<{ stock: number }>(stack.url, 'GET', `/api/boxes/${boxId}`, undefined, undefined, 200)).body.stock;
}

/**
 * 5,000 logged-in shoppers race for 100 units of one box; winners prepay and pay at the simulator, except
 * every fifth, whose holds must expire (the box has a short payment window) and sell again to a second wave.
 * Then: is every unit in exactly one place, and did every payment the simulator took fulfil its order?
 */
export async function dropSection(ctx: BenchContext): Promise<void> {
  // The shortest window that still lets a winner prepay (prepay refuses orders with under a minute left).
  const windowMinutes = 2;
  // Deployed as docs/deploy.md says: the callbacks on a process of their own, out of the crowd's way, and the
  // orders through the order door, which repeats the shop's sold-out answers from a process of its own.
  const metricsToken = randomBytes(24).toString('hex');
  const stack = await ctx.stack('drop', { EXPIRY_SWEEP_INTERVAL_SECONDS: '2', ORDER_EXPIRY_MINUTES: String(windowMinutes), JOBS_POLL_INTERVAL_MS: '1000', METRICS_TOKEN: metricsToken }, 1, { callbackServer: true, orderDoor: true });
  /** A load on this stack, orders through the door unless the job says otherwise. */
  const load = (job: Omit<LoadJob, 'url'>) => runLoad({ url: stack.url, orderUrl: stack.orderUrl, ...job });
  try {
    const count = Math.max(500, Math.round(SHOPPERS * ctx.scale));
    const t0 = performance.now();
    const shoppers = await bulkShoppers(ctx, stack, count, 'drop');
    const shoppersMs = performance.now() - t0;
    const [boxId] = await stack.db.boxIds();
    await stack.db.setStock(boxId!, UNITS, windowMinutes);
    const secondWave = Math.round(count * SECOND_WAVE_SHARE);
    ctx.log(`drop: ${count} shoppers ready in ${(shoppersMs / 1000).toFixed(1)} s; ${count - secondWave} arrive at ${ARRIVALS_PER_SECOND}/s`);

    const scenario = { kind: 'drop' as const, boxId: boxId!, simulatorUrl: stack.simulatorUrl };
    const regulars = await bulkShoppers(ctx, stack, OPEN_BEFORE.orders, 'regular');
    const [, everydayBox] = await stack.db.boxIds();
    await stack.db.setStock(everydayBox!, OPEN_BEFORE.orders, windowMinutes);
    const before = await load({ scenario: { ...scenario, boxId: everydayBox!, shoppers: regulars, unpaidEvery: 0 }, pace: { kind: 'open', rate: OPEN_BEFORE.perSecond, count: OPEN_BEFORE.orders } });
    await waitFor(async () => (await stack.db.fulfilledCount(paidOrders(before.drop))) === OPEN_BEFORE.orders && (await stack.db.unsettledCount()) === 0, 60_000, 250);
    ctx.log(`drop: the shop was open before the drop (${answersOf(before)}, all drawn)`);

    const cpuBefore = stack.serverCpuMs();
    const timedBefore = await timedInServer(stack, metricsToken, IN_SERVER_SECONDS);
    const cpu = sampleCpu(stack);
    const first = await load({ scenario: { ...scenario, shoppers: shoppers.slice(0, count - secondWave), unpaidEvery: UNPAID_EVERY }, pace: { kind: 'open', rate: ARRIVALS_PER_SECOND, count: count - secondWave } });
    cpu.stop();
    const wave1Requests = Object.values(first.steps).reduce((sum, step) => sum + latenciesOf(step).length, 0);
    const cpuPerRequestMs = (stack.serverCpuMs() - cpuBefore) / Math.max(1, wave1Requests);
    ctx.log(`drop wave 1: ${answersOf(first)}`);
    const timedAfter = await timedInServer(stack, metricsToken, IN_SERVER_SECONDS);
    const inServer = { all: timedAfter.all - timedBefore.all, within: timedAfter.within - timedBefore.within };
    const paidFirst = paidOrders(first.drop);
    const unpaidWins = wonOrders(first.drop).filter((outcome) => !outcome.paid);
    const unpaid = unpaidWins.length;
    // Their orders' expiresAt: the sweep after the last of them should give all the units back.
    const lastExpiry = Math.max(0, ...unpaidWins.map((outcome) => outcome.expiresAtMs!));
    const settled = (ids: string[]) => waitFor(async () => (await stack.db.fulfilledCount(ids)) === ids.length, 60_000, 250);
    await settled(paidFirst);

    // The unpaid winners' holds expire a window after their orders; the sweep gives the units back.
    const returned = await waitFor(async () => (await available(stack, boxId!)) >= unpaid, windowMinutes * 60_000 + 90_000, 500);
    const returnedAfterWindowMs = Date.now() - lastExpiry;
    ctx.log(`drop: ${unpaid} unpaid holds ${returned ? `back on sale ${(returnedAfterWindowMs / 1000).toFixed(1)} s after the last one expired` : 'NOT back on sale'}`);

    const second = await load({ scenario: { ...scenario, shoppers: shoppers.slice(count - secondWave), unpaidEvery: 0 }, pace: { kind: 'open', rate: SECOND_WAVE_PER_SECOND, count: secondWave } });
    ctx.log(`drop wave 2: ${answersOf(second)}`);
    const paid = [...paidFirst, ...paidOrders(second.drop)];
    await settled(paid);
    const fulfilled = await stack.db.fulfilledCount(paid);
    // Requests the load generator gave up on may still be running in the server: count once they are done.
    await waitFor(async () => (await stack.db.stockCheck(boxId!, UNITS)).inFlight === 0, 60_000, 500);
    const check = await stack.db.stockCheck(boxId!, UNITS);
    const sold = check.soldByHolds;

    // The sold-out answer on its own (the box is sold out now): what one costs, from the order door and from the
    // server's own door (orders/sold-out-door.ts: parsing, the gate and the log line), as a shop without the
    // order door answers it.
    const soldOutAlone = async (orderUrl: string) => {
      const cpuBefore = stack.serverCpuMs();
      const alone = await load({ orderUrl, scenario: { kind: 'orders', shoppers, boxIds: [boxId!] }, pace: { kind: 'closed', connections: 50, seconds: SOLD_OUT_ALONE_SECONDS } });
      const answers = latenciesOf(alone.steps.create).length;
      return { answers, perSecond: answers / alone.seconds, cpuMs: (stack.serverCpuMs() - cpuBefore) / Math.max(1, answers), steps: answersOf(alone) };
    };
    const aloneAtDoor = await soldOutAlone(stack.orderUrl);
    const aloneAtServer = await soldOutAlone(stack.url);
    const oversold = Math.max(0, sold - UNITS, check.soldByOrders - UNITS, -check.available);

    // The same drop again as the mini-program asks it, for other boxes and new shoppers: through the confirm page
    // (load.ts 'confirm-page', a purchase outside a drop), and through the box page's 立即抢购 (load.ts 'box-page', a
    // drop's flow since one-tap claims). Each box sold out by the time its run ends.
    const [, , confirmPageBox, boxPageBox] = await stack.db.boxIds();
    if (!confirmPageBox || !boxPageBox) throw new Error('the demo catalog needs four weighted-draw boxes for the page drops');
    const pageDrop = async (kind: 'confirm-page' | 'box-page', boxId: string) => {
      await stack.db.setStock(boxId, UNITS, windowMinutes);
      const pageShoppers = await bulkShoppers(ctx, stack, count - secondWave, kind);
      const run = await load({ scenario: { kind, shoppers: pageShoppers, boxId, simulatorUrl: stack.simulatorUrl }, pace: { kind: 'open', rate: ARRIVALS_PER_SECOND, count: pageShoppers.length } });
      ctx.log(`drop through the ${kind}: ${answersOf(run)}`);
      const pagePaid = paidOrders(run.drop);
      await settled(pagePaid);
      await waitFor(async () => (await stack.db.stockCheck(boxId, UNITS)).inFlight === 0, 60_000, 500);
      const pageCheck = await stack.db.stockCheck(boxId, UNITS);
      const losers = run.drop.filter((outcome) => outcome.orderId === null);
      const toldByBox = run.steps.box?.['200 sold out'] ?? [];
      const toldByOrder = soldOutLatencies(run.steps.create);
      return {
        shoppers: pageShoppers.length,
        steps: answersOf(run),
        check: pageCheck,
        paid: pagePaid.length,
        fulfilled: await stack.db.fulfilledCount(pagePaid),
        losers: losers.length,
        losersLoadingOwnData: losers.filter((outcome) => outcome.loadedOwnData).length,
        toldByBox: toldByBox.length,
        toldByOrder: toldByOrder.length,
        soldOut: summarize([...toldByBox, ...toldByOrder]),
        soldOutAt: soldOutAtOf(run.drop),
        errors: serverErrors([run]),
      };
    };
    const viaConfirmPage = await pageDrop('confirm-page', confirmPageBox);
    const viaBoxPage = await pageDrop('box-page', boxPageBox);

    const creates = first.steps.create ?? {};
    // The winners' answers alone: over every create answer, the 4,400 quick sold-outs would put p99 among the winners' median.
    const orderLatency = summarize(creates['201'] ?? []);
    const soldOut = summarize(soldOutLatencies(creates));
    const prepayLatency = summarize(first.steps.prepay?.['200'] ?? []);
    const soldOutAt = soldOutAtOf(first.drop);
    // While the units sold (or the whole wave, if they did not): who used the machine, which bounds the winners.
    const sellOutCpu = cpu.between(first.originEpochMs, first.originEpochMs + (soldOutAt ?? first.seconds * 1000));
    const errors = serverErrors([first, second]);
    const callbacks = await callbackAttempts(stack);
    const callbackMs = summarize(callbacks.map((attempt) => attempt.ms ?? WECHAT_ANSWER_DEADLINE_MS));
    const lateCallbacks = callbacks.filter((attempt) => attempt.httpStatus === null || (attempt.ms ?? 0) > WECHAT_ANSWER_DEADLINE_MS).length;
    ctx.record('drop through the pages', { confirmPage: viaConfirmPage, boxPage: viaBoxPage });
    ctx.record('drop', { inServer, count, shoppersMs, windowMinutes, unpaid, returned, returnedAfterWindowMs, paid: paid.length, fulfilled, check, soldOutAt, orderLatency, prepayLatency, soldOut, errors, cpuPerRequestMs, sellOutCpu, soldOutAlone: { door: aloneAtDoor, server: aloneAtServer }, callbacks: { count: callbacks.length, late: lateCallbacks, ms: callbackMs }, first: { steps: answersOf(first), maxSendLagMs: first.maxSendLagMs }, second: { steps: answersOf(second) } });

    const row = (figure: string, value: string, target?: string, ok?: boolean) => ctx.row({ section: SECTION, figure, value, ...(target ? { target, verdict: verdict(ok ?? false) } : {}) });
    row(`${count} shoppers: users + addresses bulk-inserted, session tokens signed as session-tokens.ts does`, `${(shoppersMs / 1000).toFixed(1)} s`);
    row(
      `units sold (wave 1: ${count - secondWave} at ${ARRIVALS_PER_SECOND}/s; wave 2: ${secondWave} at ${SECOND_WAVE_PER_SECOND}/s after ${unpaid} unpaid holds expired)`,
      `${sold} of ${UNITS}`,
      `exactly ${UNITS}`,
      sold === UNITS,
    );
    row('oversold units', String(oversold), '0', oversold === 0);
    row(`lost payments (paid at the simulator, order not fulfilled; ${paid.length} paid)`, String(paid.length - fulfilled), '0', paid.length === fulfilled);
    row('answers, wave 1', answersOf(first));
    row('answers, wave 2', answersOf(second));
    row(`order (201) p50 / p99 (wave 1, from scheduled arrival; the ${orderLatency.count} winners' answers)`, `${ms(orderLatency.p50)} / ${ms(orderLatency.p99)}`, 'p99 < 2 s', orderLatency.p99 < 2000);
    row(`prepay (200) p50 / p99 (wave 1, from the winner's request; it lets the shoppers in line to place an order go first, at most 1.5 s: order.service.ts)`, `${ms(prepayLatency.p50)} / ${ms(prepayLatency.p99)}`);
    row(`sold-out (409) answer p50 / p99 (${soldOut.count} answers)`, `${ms(soldOut.p50)} / ${ms(soldOut.p99)}`, '< 50 ms / < 500 ms', soldOut.p50 < 50 && soldOut.p99 < 500);
    row(
      `wave 1's order requests that reached the shop's server (its /metrics histogram; the order door answered the rest with the shop's own sold-out answer), and of those, answered within ${IN_SERVER_SECONDS * 1000} ms by the server's clock (the ${UNITS} winners take longer)`,
      `${inServer.all} of ${count - secondWave}; ${inServer.within} within ${IN_SERVER_SECONDS * 1000} ms`,
    );
    row('load generator: largest lag of a wave 1 request behind its schedule (the latencies above count from the schedule)', ms(first.maxSendLagMs));
    row('5xx answers and unanswered requests', String(errors), '0', errors === 0);
    for (const [where, alone] of [['from the order door', aloneAtDoor], ["from the server's own door, without the order door", aloneAtServer]] as const) {
      row(
        `sold-out answer alone, ${where}, after the drop (50 shoppers asking again at once for ${SOLD_OUT_ALONE_SECONDS} s: ${alone.steps})`,
        `${alone.perSecond.toFixed(0)}/s; CPU ${alone.cpuMs.toFixed(3)} ms each`,
      );
    }
    row(`server CPU per request, wave 1 (both server processes and the order door; ${wave1Requests} requests of every kind)`, `${cpuPerRequestMs.toFixed(2)} ms`);
    row(
      `CPU from the first arrival to the ${UNITS}th unit taken (${sellOutCpu.seconds.toFixed(1)} s, from /proc every 100 ms): the machine's ${sellOutCpu.cores} cores busy; what bounds the orders p99 here (docs/capacity.md)`,
      `${Math.round(sellOutCpu.machineBusy * 100)} %`,
    );
    row(`CPU over that window: per unit sold, the processes each winner's order, prepay and payment run through; the crowd's, in cores`, cpuShares(sellOutCpu));
    row('time to sell out (first arrival → 100th unit taken)', soldOutAt === null ? `not sold out (${wonOrders(first.drop).length} taken)` : ms(soldOutAt), '< 3 s', soldOutAt !== null && soldOutAt < 3000);
    row(
      `payment callbacks answered after WeChat's 5 s (served by their own process, docs/deploy.md; ${callbacks.length} delivered during the run; answer p50 / p99 ${ms(callbackMs.p50)} / ${ms(callbackMs.p99)})`,
      String(lateCallbacks),
      '0',
      callbacks.length > 0 && lateCallbacks === 0,
    );
    for (const [flow, page, kind] of [
      ['through the confirm page (a purchase outside a drop)', viaConfirmPage, 'confirm-page'],
      ["through the box page's 立即抢购 (a drop's flow: one tap claims)", viaBoxPage, 'box-page'],
    ] as const) {
      row(`${flow}, ${page.shoppers} more shoppers at ${ARRIVALS_PER_SECOND}/s for ${UNITS} units of another box (load.ts '${kind}'): answers`, page.steps);
      row(
        `${flow}: units sold, oversold, lost payments, 5xx`,
        `${page.check.soldByHolds}, ${Math.max(0, page.check.soldByHolds - UNITS, -page.check.available)}, ${page.paid - page.fulfilled}, ${page.errors}`,
        `${UNITS}, 0, 0, 0`,
        page.check.soldByHolds === UNITS && page.check.balanced && page.paid === page.fulfilled && page.errors === 0,
      );
      row(`${flow}: losers who loaded their own addresses, coupons and profile (3 reads each) before hearing sold out`, `${page.losersLoadingOwnData} of ${page.losers}`);
      row(
        `${flow}: sold out told p50 / p99, from the tap that asked (by the box: ${page.toldByBox}; by the order: ${page.toldByOrder}); the 100th unit taken`,
        `${ms(page.soldOut.p50)} / ${ms(page.soldOut.p99)}; ${page.soldOutAt === null ? 'not sold out' : ms(page.soldOutAt)}`,
      );
    }
    row(`unpaid holds back on sale (${windowMinutes}-minute window)`, returned ? `${(returnedAfterWindowMs / 1000).toFixed(1)} s after the last expired` : 'not within 90 s of expiry');
    row(
      'after the run: available + open holds + sold = starting stock',
      `${check.available} + ${check.openHolds} + ${sold} = ${check.available + check.openHolds + sold} (paid orders hold ${check.soldByOrders} units${check.inFlight ? `; ${check.inFlight} steps still in flight` : ''})`,
      `= ${UNITS}`,
      check.balanced,
    );
  } finally {
    await stack.stop();
  }
}
