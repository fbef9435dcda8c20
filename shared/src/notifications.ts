import { z } from 'zod';

/**
 * Subscribe messages (订阅消息). The mini-program asks WeChat for the shopper's one-time grants with
 * `requestSubscribeMessage` (the ids from GET /api/notifications), then reports WeChat's answer per template
 * id to POST /api/notifications/grants; each `accept` lets the shop send that shopper one message.
 */
export const SUBSCRIBE_ANSWERS = ['accept', 'reject', 'ban', 'filter'] as const;

/** What the shop tells a shopper (server/src/notifications/notifier.ts says when each is sent). */
export const NOTIFICATION_KINDS = ['drop-opening', 'order-shipped', 'refund-succeeded', 'service-update'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** The kinds told of an event (a shipment, a refund, a service step: `notify()`); the drop reminder goes at an opening. */
export const EVENT_NOTIFICATION_KINDS = ['order-shipped', 'refund-succeeded', 'service-update'] as const satisfies readonly NotificationKind[];
export type EventNotificationKind = (typeof EVENT_NOTIFICATION_KINDS)[number];

/**
 * A grant's life (server/src/notifications/subscribe-grant.model.ts): open: granted, unspent. declined: the shopper
 * said no (kept for the figures). queued: a message is waiting on it for the sender. sending: the sender has
 * claimed it. Then one of: sent; refused (WeChat said the shopper refuses or the template is revoked, so it cannot
 * be spent); failed (sent with a bad request, or retried to the limit). No state leads back to open.
 */
export const GRANT_STATES = ['open', 'declined', 'queued', 'sending', 'sent', 'refused', 'failed'] as const;
export type GrantState = (typeof GRANT_STATES)[number];

const templateId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** GET /api/notifications[?boxId=]: the template ids per use (null: the shop does not send it), and whether this box's reminder is set. */
export const notificationSettingsSchema = z.object({
  templates: z.object({
    dropOpening: templateId.nullable(),
    orderShipped: templateId.nullable(),
    refundSucceeded: templateId.nullable(),
    serviceUpdate: templateId.nullable(),
  }),
  dropReminder: z.boolean(),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/** POST /api/notifications/grants: requestSubscribeMessage's answer (template id → accept/reject/ban/filter); a drop reminder names its box. */
export const subscribeGrantsRequestSchema = z.object({
  answers: z.record(templateId, z.enum(SUBSCRIBE_ANSWERS)).refine((answers) => Object.keys(answers).length > 0 && Object.keys(answers).length <= 3, 'one to three templates (WeChat asks for at most three at once)'),
  boxId: z.string().regex(/^[a-f0-9]{24}$/).optional(),
});
export type SubscribeGrantsRequest = z.infer<typeof subscribeGrantsRequestSchema>;

export const subscribeGrantsResponseSchema = z.object({
  /** The uses granted by this answer: 'drop-opening', 'order-shipped', 'refund-succeeded', 'service-update'. */
  granted: z.array(z.string()),
  dropReminder: z.boolean(),
});
export type SubscribeGrantsResponse = z.infer<typeof subscribeGrantsResponseSchema>;
