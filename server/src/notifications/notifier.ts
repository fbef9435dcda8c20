import type { EventNotificationKind } from '@blindbox/shared';

/**
 * What the shop tells a shopper through WeChat subscribe messages (订阅消息). A one-time subscription lets the
 * shop send the shopper exactly one message of that template: the shopper grants it in the mini-program
 * (`requestSubscribeMessage`), the server records it (subscribe-grants.ts) and spends it here, at most once.
 *
 * Callers (shipping, refunds, after-sales, complaints) only say what happened; the notifier picks an open grant,
 * queues the message on it in one guarded update and returns. Sending (paced, retried) is the
 * `send-subscribe-messages` job's: nothing here calls WeChat, so no caller waits on it.
 */
/** What each kind of message says, in the shop's own terms; the template's fields are filled from it (template-fields.ts). */
export interface NotificationData {
  /** 开售提醒: sent by the drop-reminder sweep at the opening, never through notify(). */
  'drop-opening': { boxId: string; boxName: string; opensAt: Date };
  /** 发货通知: when an order is marked shipped. */
  'order-shipped': { orderId: string; itemName: string; carrier: string; trackingNo: string; shippedAt: Date };
  /** 退款成功通知: when one refund of an order succeeded at the channel. */
  'refund-succeeded': { orderId: string; outRefundNo: string; amountFen: number; reason: string; refundedAt: Date };
  /**
   * 售后/投诉进度通知: a step of an after-sales request or a complaint the shopper should hear of. `eventId` names
   * this step (e.g. `aftersales:<requestId>:resolved`): a second notify() with the same one sends nothing.
   */
  'service-update': { eventId: string; orderId: string | null; service: string; status: string; note: string; at: Date };
}

/**
 * queued: a grant was spent on this message (the job sends it). no-grant: the shopper has no open grant of
 * this kind. duplicate: this event was queued before. disabled: no template is configured for this kind.
 */
export type NotifyOutcome = 'queued' | 'no-grant' | 'duplicate' | 'disabled';

export interface Notifier {
  /**
   * Queues one message of `kind` to the shopper on one of their open grants (the oldest), once per event
   * (the order for a shipping notice, the out_refund_no for a refund, `eventId` for a service update).
   * Never throws for want of a grant; a database failure does throw (the caller's own step has already won,
   * so callers log it rather than undo their step).
   */
  notify<K extends EventNotificationKind>(openid: string, kind: K, data: NotificationData[K]): Promise<NotifyOutcome>;
}
