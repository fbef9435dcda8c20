import type { MoneyState } from '@blindbox/shared';
import type { AuditEntryDoc, RefundDoc } from '../orders/order.model';
import type { JobsHealth } from '../jobs/agenda-scheduler';
import type { OrderStatus } from '@blindbox/shared';
import type { ShippingUploadDoc } from '../shipping/shipping-upload.model';
import type { PlatformOrder } from '../shipping/mini-program-platform';
import { escapeText } from '@blindbox/shared';

/**
 * A line of human output whose every interpolated value is escaped (escapeText): a stored or received string (a
 * shopper's address, an item name, a channel's error) prints on its own line, never as several, and never sends
 * a control sequence to the operator's terminal. Every formatter builds its lines with it.
 */
export function line(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, text, i) => `${out}${escapeText(String(values[i - 1]))}${text}`);
}

export interface OrderSummary {
  id: string;
  status: OrderStatus;
  totalFen: number;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | null;
  outTradeNo: string | null;
  transactionId: string | null;
  trackingNote: string | null;
}

/** Where a parcel goes, as the order stored it when it was placed. */
export interface ShippingAddress {
  name: string;
  phone: string;
  region: string;
  detail: string;
}

/** A paid order waiting for its parcel: what a packer puts in it and where it goes. */
export interface ToShip {
  id: string;
  paidAt: Date | null;
  address: ShippingAddress;
  items: Array<{ name: string; quantity: number }>;
  draws: Array<{ name: string; rarity: string }>;
}

export interface OrderDetail extends OrderSummary {
  address: ShippingAddress;
  items: Array<{ name: string; quantity: number; priceFen: number }>;
  draws: Array<{ name: string; rarity: string }>;
  attemptCount: number;
  releasedAt: Date | null;
  refunds: RefundDoc[];
  audit: AuditEntryDoc[];
  wechat: {
    outTradeNo: string;
    tradeState: string | null;
    transactionId: string | null;
    amountFen: number | null;
    successTime: Date | null;
    error: string | null;
  } | null;
  /** The shipping information owed to WeChat's platform once shipped, and the platform's view of it. */
  shipping: { upload: ShippingUploadDoc; platform: PlatformOrder | null; platformError: string | null } | null;
  /** Where the money stands (shipping/receipt-state.ts) and what WeChat said of its settlement. */
  money: { state: MoneyState; settlementEstimatedAt: Date | null; receiptConfirmedAt: Date | null; receiptConfirmMethod: number | null; settledAt: Date | null };
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const time = (date: Date | null | undefined) => (date ? new Date(date).toISOString().replace('T', ' ').slice(0, 19) : '-');

function table(cells: string[][]): string {
  const rows = cells.map((row) => row.map(escapeText));
  const widths = rows.reduce<number[]>((acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatOrderList(orders: OrderSummary[]): string {
  if (orders.length === 0) return 'no orders';
  return table([
    ['ORDER', 'STATUS', 'TOTAL', 'CREATED (UTC)', 'EXPIRES (UTC)', 'OUT_TRADE_NO'],
    ...orders.map((o) => [o.id, o.status, yuan(o.totalFen), time(o.createdAt), time(o.expiresAt), o.outTradeNo ?? '-']),
  ]);
}

const addressLine = (a: ShippingAddress) => line`${a.name} ${a.phone}  ${a.region} ${a.detail}`;

export function formatToShip(orders: ToShip[]): string {
  if (orders.length === 0) return 'nothing to ship';
  return orders
    .map((o) =>
      [
        line`order ${o.id}  paid ${time(o.paidAt)}`,
        `  ship to ${addressLine(o.address)}`,
        ...o.items.map((item) => line`  ${item.quantity} × ${item.name}`),
        ...o.draws.map((draw) => line`    - ${draw.name} (${draw.rarity})`),
      ].join('\n'),
    )
    .join('\n');
}

export function formatOrderDetail(order: OrderDetail): string {
  const lines = [
    line`order ${order.id}  ${order.status}  ${yuan(order.totalFen)}`,
    line`  created ${time(order.createdAt)}  expires ${time(order.expiresAt)}  paid ${time(order.paidAt)}  released ${time(order.releasedAt)}`,
    line`  payment attempts ${order.attemptCount}  out_trade_no ${order.outTradeNo ?? '-'}  transaction ${order.transactionId ?? '-'}`,
  ];
  if (order.trackingNote) lines.push(line`  tracking ${order.trackingNote}`);
  const m = order.money;
  const how = m.receiptConfirmMethod === 1 ? ' (auto)' : m.receiptConfirmMethod === 2 ? ' (by the shopper)' : '';
  lines.push(
    line`money: ${m.state}` +
      (m.settlementEstimatedAt ? line`  settlement expected ${time(m.settlementEstimatedAt)}` : '') +
      (m.receiptConfirmedAt ? line`  receipt confirmed ${time(m.receiptConfirmedAt)}${how}` : '') +
      (m.settledAt ? line`  settled ${time(m.settledAt)}` : ''),
  );
  lines.push(`ship to: ${addressLine(order.address)}`);
  lines.push('items:', ...order.items.map((item) => line`  ${item.quantity} × ${item.name} @ ${yuan(item.priceFen)}`));
  if (order.draws.length) lines.push('draws:', ...order.draws.map((draw) => line`  ${draw.name} (${draw.rarity})`));
  if (order.refunds.length) {
    lines.push('refunds:', ...order.refunds.map((r) => line`  ${r.outRefundNo}  ${r.status}  ${yuan(r.amountFen)}  ${r.reason}  requested ${time(r.requestedAt)}`));
  }
  lines.push('audit:', ...order.audit.map((a) => line`  ${time(a.at)}  ${a.from ?? '(new)'} → ${a.to}  by ${a.actor}: ${a.reason}`));
  const w = order.wechat;
  if (!w) lines.push('wechat: no payment attempt');
  else if (w.error) lines.push(line`wechat: ${w.outTradeNo} query failed: ${w.error}`);
  else lines.push(line`wechat: ${w.outTradeNo} ${w.tradeState}` + (w.transactionId ? line`  transaction ${w.transactionId}` : '') + (w.amountFen !== null ? `  ${yuan(w.amountFen)}` : ''));
  if (order.shipping) {
    const { upload: s, platform, platformError } = order.shipping;
    const error = s.lastError ? line`  last error ${s.lastError.errcode ?? 'no answer'}: ${s.lastError.message}` : '';
    lines.push(line`shipping info to WeChat: ${s.status}  ${s.expressCompany} ${s.trackingNo}  attempts ${s.attempts}  uploaded ${time(s.uploadedAt)}` + (s.status === 'PENDING' ? error : ''));
    if (platformError) lines.push(line`  platform: get_order failed: ${platformError}`);
    else if (!platform) lines.push('  platform: no such order');
    else lines.push(line`  platform: order_state ${platform.orderState}` + (platform.shipped ? line`  shipped ${platform.trackingNos.join(', ')}` : '  not shipped'));
    if (s.receivedAt) lines.push(line`  parcel received ${time(s.receivedAt)}  receipt reminder ${s.reminderStatus ?? 'none'} ${time(s.remindedAt)}` + (s.reminderError ? line`  ${s.reminderError}` : ''));
  }
  return lines.join('\n');
}

export function formatHealth(health: JobsHealth): string {
  return [
    `this process processes jobs: ${health.processing ? 'yes' : 'no (CLI)'}`,
    table([
      ['JOB', 'SCHEDULED', 'DUE', 'RUNNING', 'FAILED', 'NEXT RUN (UTC)'],
      ...health.queues.map((q) => [q.name, String(q.scheduled), String(q.due), String(q.running), String(q.failed), time(q.nextRunAt)]),
    ]),
  ].join('\n');
}
