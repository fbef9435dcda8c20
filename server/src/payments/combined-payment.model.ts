import { Schema, Types } from 'mongoose';
import { defineModel } from '../db/define-model';
import { CHANNEL_NAMES, type ChannelName, type PaymentKind } from '../orders/order.model';

/** What one order contributes to a combined payment: its totalFen as stored when the payment was opened. */
export interface CombinedShareDoc {
  orderId: Types.ObjectId;
  amountFen: number;
}

/**
 * OPEN: its members are linked to it (order.payment.combinedId) and its transaction may be paid;
 * CLOSED: closed at the channel and its members released; PAID: the channel reported the money, and every
 * member is fulfilled, or refunded its share, through the one apply path.
 */
export type CombinedPaymentState = 'OPEN' | 'CLOSED' | 'PAID';

/** One channel transaction (one out_trade_no) for several orders of one shopper: mall4cloud's pay-by-list. */
export interface CombinedPaymentDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  /** The paying shopper (JSAPI payer.openid). */
  openid: string;
  outTradeNo: string;
  channel: ChannelName;
  kind: PaymentKind;
  shares: CombinedShareDoc[];
  totalFen: number;
  state: CombinedPaymentState;
  /** The earliest expiry among the members: none of them may be paid later. */
  timeExpire: Date;
  prepayId: string | null;
  codeUrl: string | null;
  transactionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const shareSchema = new Schema<CombinedShareDoc>({ orderId: { type: Schema.Types.ObjectId, required: true }, amountFen: { type: Number, required: true } }, { _id: false });

const combinedPaymentSchema = new Schema<CombinedPaymentDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    openid: { type: String, required: true },
    outTradeNo: { type: String, required: true },
    channel: { type: String, enum: CHANNEL_NAMES, required: true },
    kind: { type: String, enum: ['JSAPI', 'NATIVE', 'PAGE'], required: true },
    shares: { type: [shareSchema], required: true },
    totalFen: { type: Number, required: true },
    state: { type: String, enum: ['OPEN', 'CLOSED', 'PAID'], required: true },
    timeExpire: { type: Date, required: true },
    prepayId: { type: String, default: null },
    codeUrl: { type: String, default: null },
    transactionId: { type: String, default: null },
  },
  { timestamps: true, minimize: false, collection: 'combined_payments' },
);
// Every lookup is by _id: the out_trade_no carries it (combinedOutTradeNo), so no other index is needed.

export const combinedPaymentModel = defineModel<CombinedPaymentDoc>('CombinedPayment', combinedPaymentSchema);

/**
 * out_trade_no = C<combined payment id>: 25 characters, within WeChat's 6–32, and never of the
 * `<order id>_<attempt>` form of a single order's attempt, so a report is routed without a lookup.
 */
export const combinedOutTradeNo = (id: Types.ObjectId): string => `C${id.toHexString()}`;

export function parseCombinedOutTradeNo(outTradeNo: string): Types.ObjectId | null {
  const match = /^C([a-f0-9]{24})$/.exec(outTradeNo);
  return match?.[1] ? new Types.ObjectId(match[1]) : null;
}
