import { DEV_SUBSCRIBE_TEMPLATES } from '../simulator/src/routes/subscribe-messages';

/** The demo's (and tests') subscribe-message templates: the ones a fresh simulator has, with the default fields. */
export function devNotifyEnv(): Record<string, string> {
  return {
    NOTIFY_TEMPLATE_DROP_OPENING: DEV_SUBSCRIBE_TEMPLATES.dropOpening.id,
    NOTIFY_TEMPLATE_ORDER_SHIPPED: DEV_SUBSCRIBE_TEMPLATES.orderShipped.id,
    NOTIFY_TEMPLATE_REFUND_SUCCEEDED: DEV_SUBSCRIBE_TEMPLATES.refundSucceeded.id,
    NOTIFY_TEMPLATE_SERVICE_UPDATE: DEV_SUBSCRIBE_TEMPLATES.serviceUpdate.id,
    // The developer tools open the development version; production rules require formal.
    NOTIFY_MINIPROGRAM_STATE: 'developer',
  };
}
