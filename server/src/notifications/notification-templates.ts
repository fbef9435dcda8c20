import type { Config } from '../config';
import type { NotificationKind } from '@blindbox/shared';
import type { SubscribeMessage } from './subscribe-grant.model';
import { fillTemplate, type FieldMap, type SlotValue } from './template-fields';

/** The 订单 tab: where a message about no one order (a complaint, say) opens. */
const ORDERS_TAB = 'pages/orders/index';

export interface KindTemplate {
  templateId: string;
  fields: FieldMap;
}

/** The configured template of each kind (undefined: that kind is off), and the pages messages open. */
export interface NotificationTemplates {
  of(kind: NotificationKind): KindTemplate | undefined;
  /** Which kind a template id the mini-program reports belongs to; undefined for one the shop does not use. */
  kindOf(templateId: string): NotificationKind | undefined;
  /** The template ids the mini-program asks for, per kind (null: off). */
  ids(): Record<NotificationKind, string | null>;
  boxMessage(boxId: string, values: Record<string, SlotValue>): SubscribeMessage;
  orderMessage(kind: NotificationKind, orderId: string | null, values: Record<string, SlotValue>): SubscribeMessage;
}

type TemplateConfig = Pick<
  Config,
  | 'NOTIFY_TEMPLATE_DROP_OPENING'
  | 'NOTIFY_TEMPLATE_ORDER_SHIPPED'
  | 'NOTIFY_TEMPLATE_REFUND_SUCCEEDED'
  | 'NOTIFY_TEMPLATE_SERVICE_UPDATE'
  | 'NOTIFY_FIELDS_DROP_OPENING'
  | 'NOTIFY_FIELDS_ORDER_SHIPPED'
  | 'NOTIFY_FIELDS_REFUND_SUCCEEDED'
  | 'NOTIFY_FIELDS_SERVICE_UPDATE'
  | 'NOTIFY_BOX_PAGE'
  | 'NOTIFY_ORDER_PAGE'
>;

export function notificationTemplates(config: TemplateConfig): NotificationTemplates {
  const byKind: Record<NotificationKind, KindTemplate | undefined> = {
    'drop-opening': template(config.NOTIFY_TEMPLATE_DROP_OPENING, config.NOTIFY_FIELDS_DROP_OPENING),
    'order-shipped': template(config.NOTIFY_TEMPLATE_ORDER_SHIPPED, config.NOTIFY_FIELDS_ORDER_SHIPPED),
    'refund-succeeded': template(config.NOTIFY_TEMPLATE_REFUND_SUCCEEDED, config.NOTIFY_FIELDS_REFUND_SUCCEEDED),
    'service-update': template(config.NOTIFY_TEMPLATE_SERVICE_UPDATE, config.NOTIFY_FIELDS_SERVICE_UPDATE),
  };
  const entries = Object.entries(byKind) as [NotificationKind, KindTemplate | undefined][];

  function message(kind: NotificationKind, page: string, values: Record<string, SlotValue>): SubscribeMessage {
    const kindTemplate = byKind[kind];
    if (!kindTemplate) throw new Error(`no template configured for ${kind}`);
    return { page, data: fillTemplate(kindTemplate.fields, values) };
  }

  return {
    of: (kind) => byKind[kind],
    kindOf: (templateId) => entries.find(([, value]) => value?.templateId === templateId)?.[0],
    ids: () => Object.fromEntries(entries.map(([kind, value]) => [kind, value?.templateId ?? null])) as Record<NotificationKind, string | null>,
    boxMessage: (boxId, values) => message('drop-opening', `${config.NOTIFY_BOX_PAGE}?id=${boxId}`, values),
    orderMessage: (kind, orderId, values) => message(kind, orderId ? `${config.NOTIFY_ORDER_PAGE}?orderId=${orderId}` : ORDERS_TAB, values),
  };
}

function template(templateId: string | undefined, fields: FieldMap): KindTemplate | undefined {
  return templateId ? { templateId, fields } : undefined;
}
