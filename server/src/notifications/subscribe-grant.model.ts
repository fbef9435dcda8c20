import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';
import { GRANT_STATES, NOTIFICATION_KINDS, type GrantState, type NotificationKind } from '@blindbox/shared';


export interface SubscribeMessage {
  page: string;
  data: Record<string, { value: string }>;
}

/** One one-time subscription (一次性订阅) the shopper gave from the mini-program: one message of one template. */
export interface SubscribeGrantDoc {
  _id: Types.ObjectId;
  openid: string;
  kind: NotificationKind;
  /** The template the shopper agreed to: a grant is only good for it, whatever the configuration says later. */
  templateId: string;
  /** drop-opening: the box whose drop the shopper asked to hear of; null for the other kinds. */
  boxId: Types.ObjectId | null;
  /** drop-opening while open: when that box's drop opens (null once the drop is called off). */
  opensAt: Date | null;
  state: GrantState;
  /**
   * Unique. What this grant is for: `drop-opening:<boxId>:<openid>` (one reminder per shopper and box, however
   * often they tap), `grant:<id>` for an unspent grant of another kind, and once spent the event it was spent on
   * (`order-shipped:<orderId>`, `refund-succeeded:<outRefundNo>`, `service-update:<eventId>`), so one event can
   * never spend two grants.
   */
  ref: string;
  grantedAt: Date;
  message: SubscribeMessage | null;
  /** queued: not to be sent before this (the opening, or a retry's backoff). */
  dueAt: Date | null;
  sendingAt: Date | null;
  attempts: number;
  lastErrcode: number | null;
  lastError: string | null;
  sentAt: Date | null;
}

const subscribeGrantSchema = new Schema<SubscribeGrantDoc>(
  {
    openid: { type: String, required: true },
    kind: { type: String, enum: NOTIFICATION_KINDS, required: true },
    templateId: { type: String, required: true },
    boxId: { type: Schema.Types.ObjectId, default: null },
    opensAt: { type: Date, default: null },
    state: { type: String, enum: GRANT_STATES, required: true },
    ref: { type: String, required: true, unique: true },
    grantedAt: { type: Date, required: true },
    message: { type: Schema.Types.Mixed, default: null },
    dueAt: { type: Date, default: null },
    sendingAt: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
    lastErrcode: { type: Number, default: null },
    lastError: { type: String, default: null },
    sentAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
);

// notify(): the shopper's oldest open grant of a kind.
subscribeGrantSchema.index({ openid: 1, kind: 1, state: 1, grantedAt: 1 });
// The drop sweep: open reminders whose drop has opened.
subscribeGrantSchema.index({ state: 1, kind: 1, opensAt: 1 });
// The sender: queued messages due now, oldest due first; and claims left by a crashed sender.
subscribeGrantSchema.index({ state: 1, dueAt: 1 });
subscribeGrantSchema.index({ state: 1, sendingAt: 1 });
// A revoked template (40037): every grant of it still waiting is void.
subscribeGrantSchema.index({ templateId: 1, state: 1 });
// A drop rescheduled or called off: its open reminders follow.
subscribeGrantSchema.index({ boxId: 1, state: 1 });

export const subscribeGrantModel = defineModel<SubscribeGrantDoc>('SubscribeGrant', subscribeGrantSchema);
