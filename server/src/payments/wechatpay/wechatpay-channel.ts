import { ChannelError, TradeNumberTaken, type PaymentChannel } from '../payment-channel';
import { WechatPayApiError, type WechatPayGateway } from './gateway';

/** WeChat's error answers become the port's ChannelError, so the payment domain never sees WeChat's types. */
async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WechatPayApiError && error.code === 'OUT_TRADE_NO_USED') throw new TradeNumberTaken(error.message, { cause: error });
    if (error instanceof WechatPayApiError) throw new ChannelError(error.code, error.retryable, error.message, { cause: error });
    throw error;
  }
}

/** WeChat Pay v3 behind the payment-channel port (payments/payment-channel.ts). */
export function wechatPayChannel(gateway: WechatPayGateway, merchant: { appid: string; mchid: string }): PaymentChannel {
  return {
    name: 'wechatpay',
    merchant,
    prepay: ({ kind, payerOpenid, ...input }) =>
      translated(async () => {
        if (kind === 'JSAPI') return { prepayId: (await gateway.prepayJsapi({ ...input, payerOpenid })).prepayId, codeUrl: null, formHtml: null };
        if (kind === 'NATIVE') return { prepayId: null, codeUrl: (await gateway.prepayNative(input)).codeUrl, formHtml: null };
        throw new Error(`WeChat Pay has no ${kind} payment`);
      }),
    clientPayParams: (prepayId) => gateway.jsapiPayParams(prepayId),
    query: (outTradeNo) => translated(() => gateway.queryTransaction(outTradeNo)),
    close: (outTradeNo) => translated(() => gateway.closeTransaction(outTradeNo)),
    refund: (input) => translated(() => gateway.refund(input)),
    queryRefund: (outRefundNo) => translated(() => gateway.queryRefund(outRefundNo)),
    verifyNotification: async (headers, rawBody) => {
      const notification = await gateway.verifyNotification(headers, rawBody);
      return notification.kind === 'transaction'
        ? { kind: 'transaction', transaction: notification.transaction }
        : { kind: 'refund', refund: notification.refund };
    },
  };
}
