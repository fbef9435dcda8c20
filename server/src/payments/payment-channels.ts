import { ruleError } from '../domain-error';
import type { OrderDoc } from '../orders/order.model';
import type { ChannelName, ChannelTransaction, PaymentChannel } from './payment-channel';

/** The shop was started without this channel's settings (Alipay is optional). */
export const ChannelNotConfigured = ruleError('UNAVAILABLE', 'CHANNEL_NOT_CONFIGURED');

/** The channel an attempt or refund record was made on: records written before they named one were WeChat Pay's. */
export const channelNameOf = (record: { channel?: ChannelName | null }): ChannelName => record.channel ?? 'wechatpay';

/**
 * The channels this process can take money through, each found by the name an attempt or refund recorded,
 * so query, close, refund and reconciliation always go to the channel that holds the transaction.
 */
export function paymentChannels(list: readonly PaymentChannel[]) {
  const byName = new Map(list.map((channel) => [channel.name, channel]));

  function get(name: ChannelName): PaymentChannel {
    const channel = byName.get(name);
    if (!channel) throw new ChannelNotConfigured(`payment channel ${name} is not configured on this server`);
    return channel;
  }

  /** The channel of the transaction that speaks for the order: the one that paid it, else its open attempt. */
  function ofOrder(order: Pick<OrderDoc, 'payment'>): PaymentChannel {
    return get(order.payment.channel ?? channelNameOf(order.payment.current ?? {}));
  }

  return {
    get,
    has: (name: ChannelName) => byName.has(name),
    /** The channel an attempt or refund record was made on. */
    of: (record: { channel?: ChannelName | null }) => get(channelNameOf(record)),
    ofOrder,
    /** For reports and the admin CLI: the order's transaction as its channel sees it. */
    queryFor: (order: Pick<OrderDoc, 'payment'>, outTradeNo: string): Promise<ChannelTransaction | null> => ofOrder(order).query(outTradeNo),
  };
}

export type PaymentChannels = ReturnType<typeof paymentChannels>;
