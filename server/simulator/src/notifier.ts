/**
 * Delivers callbacks the way WeChat does: signed, AES-GCM encrypted, retried on the official schedule until the
 * merchant answers 200/204, with every attempt logged. Pending retries live in the store, so they survive a restart.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type pino from 'pino';
import { encryptWithApiV3Key } from './aead';
import type { Faults } from './faults';
import type { KeyRing } from './keys';
import type { AttemptRecord, DeliveryKind, DeliveryRecord } from './model';
import { wechatpayHeaders } from './signing';
import type { Store } from './store';
import { beijingTime } from './time';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Waits after the 1st, 2nd, ... failed attempt; after the last one WeChat gives up. */
const RETRY_SCHEDULE_MS = [
  15_000, 15_000, 30_000, 3 * MINUTE, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE, 30 * MINUTE, 60 * MINUTE,
  3 * HOUR, 3 * HOUR, 3 * HOUR, 6 * HOUR, 6 * HOUR,
];
/**
 * How long WeChat waits for the merchant's answer. Not scaled with the retry schedule: it is the merchant's
 * time to answer, and a loaded test machine needs it as much as a real server does (a draw waiting on another
 * order of the same shopper may take seconds, see GUARANTEE_WAIT_MS).
 */
const RESPONSE_TIMEOUT_MS = 5_000;
/**
 * With the reorder fault, callbacks wait this long and everything due within the window goes out newest first,
 * spaced a little apart so the reversed order is also the order of arrival.
 */
const REORDER_HOLD_MS = 300;
const REORDER_SPACING_MS = 25;

export interface NotificationEvent {
  kind: DeliveryKind;
  eventType: string;
  summary: string;
  outTradeNo: string;
  outRefundNo: string | null;
  notifyUrl: string;
  resource: Record<string, unknown>;
}

interface SendResult {
  httpStatus: number | null;
  error: string | null;
  /** From sending to the merchant's whole answer (or giving up): what WeChat holds against its 5 s. */
  ms: number;
}

interface NotifierDeps {
  store: Store;
  keys: KeyRing;
  faults: Faults;
  timeScale: () => number;
  logger: pino.Logger;
}

export class Notifier {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly stopController = new AbortController();
  private stopped = false;

  constructor(private readonly deps: NotifierDeps) {}

  start(): void {
    this.schedule();
  }

  enqueue(event: NotificationEvent): DeliveryRecord {
    const { store, keys, faults } = this.deps;
    const now = Date.now();
    const eventId = eventIdOf();
    const box = encryptWithApiV3Key(keys.credentials.apiV3Key, JSON.stringify(event.resource), event.kind);
    const body = JSON.stringify({
      id: eventId,
      create_time: beijingTime(now),
      resource_type: 'encrypt-resource',
      event_type: event.eventType,
      summary: event.summary,
      resource: { original_type: event.kind, ...box },
    });
    const delivery: DeliveryRecord = {
      id: randomUUID(),
      eventId,
      eventType: event.eventType,
      kind: event.kind,
      outTradeNo: event.outTradeNo,
      outRefundNo: event.outRefundNo,
      notifyUrl: event.notifyUrl,
      body,
      createdAt: now,
      attempts: 0,
      lastAttemptAt: null,
      nextAttemptAt: now + (faults.reorder ? REORDER_HOLD_MS : 0),
      status: 'pending',
    };
    store.state.deliveries.push(delivery);
    store.save();
    this.schedule();
    return delivery;
  }

  /** Makes every pending delivery due now and waits until those attempts finish. */
  async flush(): Promise<void> {
    const now = Date.now();
    for (const delivery of this.pending()) delivery.nextAttemptAt = now;
    this.deps.store.save();
    await this.runDue();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Re-times pending retries after the time scale changed. */
  rescale(): void {
    const scale = this.deps.timeScale();
    for (const delivery of this.pending()) {
      if (delivery.lastAttemptAt === null || this.inFlight.has(delivery.id)) continue;
      delivery.nextAttemptAt = delivery.lastAttemptAt + (RETRY_SCHEDULE_MS[delivery.attempts - 1] ?? 0) * scale;
    }
    this.deps.store.save();
    this.schedule();
  }

  /** Forgets timers after the store was reset; attempts already on the wire finish unrecorded. */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reset();
    this.stopController.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Sends one callback whose signature is a WECHATPAY/SIGNTEST/ probe; a merchant that verifies signatures
   * must refuse it. Returns the merchant's answer.
   */
  async probe(notifyUrl: string): Promise<AttemptRecord & { accepted: boolean }> {
    const { keys } = this.deps;
    const now = Date.now();
    const eventId = eventIdOf();
    const resource = {
      appid: keys.credentials.appid,
      mchid: keys.credentials.mchid,
      out_trade_no: `SIGNTEST${now}`,
      transaction_id: `4200${now}`,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      success_time: beijingTime(now),
      amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' },
    };
    const body = JSON.stringify({
      id: eventId,
      create_time: beijingTime(now),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        ...encryptWithApiV3Key(keys.credentials.apiV3Key, JSON.stringify(resource), 'transaction'),
      },
    });
    const result = await this.send(notifyUrl, body, `WECHATPAY/SIGNTEST/${randomBytes(256).toString('base64')}`);
    const record: AttemptRecord = {
      deliveryId: null,
      eventId,
      outTradeNo: null,
      kind: 'signtest',
      attempt: 1,
      at: beijingTime(now),
      url: notifyUrl,
      ...result,
    };
    this.deps.store.state.attempts.push(record);
    this.deps.store.save();
    return { ...record, accepted: isSuccess(result.httpStatus) };
  }

  private pending(): DeliveryRecord[] {
    return this.deps.store.state.deliveries.filter((delivery) => delivery.status === 'pending');
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let next = Infinity;
    for (const delivery of this.pending()) {
      if (delivery.nextAttemptAt !== null && !this.inFlight.has(delivery.id)) next = Math.min(next, delivery.nextAttemptAt);
    }
    if (next === Infinity) return;
    this.timer = setTimeout(() => void this.runDue(), Math.max(0, next - Date.now()));
  }

  private async runDue(): Promise<void> {
    if (this.stopped) return;
    const reorder = this.deps.faults.reorder;
    const horizon = Date.now() + (reorder ? REORDER_HOLD_MS : 0);
    const due = this.pending()
      .filter((d) => d.nextAttemptAt !== null && d.nextAttemptAt <= horizon && !this.inFlight.has(d.id))
      .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || a.createdAt - b.createdAt);
    if (reorder) due.reverse();
    const runs = due.map((delivery, index) => this.track(delivery, reorder ? index * REORDER_SPACING_MS : 0));
    this.schedule();
    await Promise.all(runs);
  }

  private track(delivery: DeliveryRecord, startDelayMs: number): Promise<void> {
    const run = sleep(startDelayMs, this.stopController.signal)
      .then(() => this.attempt(delivery))
      .catch((error: unknown) => this.deps.logger.error({ err: error, deliveryId: delivery.id }, 'notification attempt failed'))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        this.schedule();
      });
    this.inFlight.set(delivery.id, run);
    return run;
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    const { store, faults, logger } = this.deps;
    const state = store.state;
    const attempt = delivery.attempts + 1;
    if (faults.delayMs > 0) await sleep(faults.delayMs, this.stopController.signal);
    if (this.stopped) return;

    let results: SendResult[];
    if (faults.takeDrop()) {
      results = [{ httpStatus: null, error: 'dropped by fault injection', ms: 0 }];
    } else {
      const copies = faults.duplicate ? 2 : 1;
      results = await Promise.all(Array.from({ length: copies }, () => this.send(delivery.notifyUrl, delivery.body)));
    }
    // A stop or reset while on the wire: the attempt is neither success nor failure, it simply happens again later.
    if (this.stopped || store.state !== state) return;

    const now = Date.now();
    results.forEach((result, index) => {
      state.attempts.push({
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        outTradeNo: delivery.outTradeNo,
        kind: delivery.kind,
        attempt,
        at: beijingTime(now),
        url: delivery.notifyUrl,
        ...result,
        ...(results.length > 1 ? { copy: index + 1 } : {}),
      });
    });
    delivery.attempts = attempt;
    delivery.lastAttemptAt = now;
    const retryIn = RETRY_SCHEDULE_MS[attempt - 1];
    if (results.some((result) => isSuccess(result.httpStatus))) {
      delivery.status = 'delivered';
      delivery.nextAttemptAt = null;
    } else if (retryIn === undefined) {
      delivery.status = 'failed';
      delivery.nextAttemptAt = null;
      logger.warn({ eventId: delivery.eventId, outTradeNo: delivery.outTradeNo }, 'notification abandoned after the last retry');
    } else {
      delivery.nextAttemptAt = now + retryIn * this.deps.timeScale();
    }
    store.save();
  }

  private async send(url: string, body: string, signatureOverride?: string): Promise<SendResult> {
    const headers: Record<string, string> = {
      ...wechatpayHeaders(body, this.deps.keys.signer()),
      'Content-Type': 'application/json',
      'User-Agent': 'Mozilla/4.0',
    };
    if (signatureOverride) headers['Wechatpay-Signature'] = signatureOverride;
    const timeout = AbortSignal.timeout(RESPONSE_TIMEOUT_MS);
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([timeout, this.stopController.signal]),
      });
      await response.arrayBuffer();
      return { httpStatus: response.status, error: null, ms: ms() };
    } catch (error) {
      if (timeout.aborted) return { httpStatus: null, error: `no answer within ${RESPONSE_TIMEOUT_MS} ms`, ms: ms() };
      return { httpStatus: null, error: describe(error), ms: ms() };
    }
  }
}

function isSuccess(status: number | null): boolean {
  return status === 200 || status === 204;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** 通知ID: string[1,36] (支付通知 / 退款结果通知): "EV-" and the 32 hex digits of a UUID. */
function eventIdOf(): string {
  return `EV-${randomUUID().replaceAll('-', '')}`;
}
