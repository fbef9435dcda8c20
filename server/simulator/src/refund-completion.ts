/** Refunds start PROCESSING and settle a little later, like the bank leg of a real refund, then notify. */
import type pino from 'pino';
import { refundNotificationResource, type RefundRecord } from './model';
import type { Notifier } from './notifier';
import type { Store } from './store';

/** Real refunds to WeChat change take seconds to minutes; 2 s (scaled) keeps dev loops snappy. */
export const REFUND_SETTLE_MS = 2_000;

export class RefundCompletion {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: { store: Store; notifier: Notifier; mchid: string; logger: pino.Logger },
  ) {}

  start(): void {
    for (const refund of Object.values(this.deps.store.state.refunds)) {
      if (refund.status === 'PROCESSING') this.schedule(refund);
    }
  }

  schedule(refund: RefundRecord): void {
    const timer = setTimeout(() => this.complete(refund.outRefundNo), Math.max(0, refund.completesAt - Date.now()));
    this.timers.set(refund.outRefundNo, timer);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private complete(outRefundNo: string): void {
    this.timers.delete(outRefundNo);
    const { store, notifier, mchid, logger } = this.deps;
    const refund = store.state.refunds[outRefundNo];
    if (!refund || refund.status !== 'PROCESSING') return;
    refund.status = 'SUCCESS';
    refund.successTime = Date.now();
    store.save();
    logger.info({ outRefundNo, outTradeNo: refund.outTradeNo }, 'refund succeeded');
    if (!refund.notifyUrl) return;
    notifier.enqueue({
      kind: 'refund',
      eventType: 'REFUND.SUCCESS',
      summary: '退款成功',
      outTradeNo: refund.outTradeNo,
      outRefundNo,
      notifyUrl: refund.notifyUrl,
      resource: refundNotificationResource(refund, mchid),
    });
  }
}
