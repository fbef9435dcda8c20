import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import { AlipayNotificationRejected } from './alipay-notification-rejected';
import { beijingTime, fenToYuan, fromBeijingTime, yuanToFen } from '@blindbox/shared';
import type { Logger } from '../../logger';
import { ChannelError, type ChannelRefund, type ChannelTransaction, type PaymentChannel, type TradeState } from '../payment-channel';

export interface AlipaySettings {
  appId: string;
  /** The merchant's PID (2088…): notifications must name it as seller_id. */
  sellerId: string;
  appPrivateKeyPem: string;
  alipayPublicKeyPem: string;
  gatewayUrl: string;
  notifyUrl: string;
  returnUrl: string;
  timeoutMs: number;
  logger: Logger;
}

const TRADE_STATES: Record<string, TradeState> = {
  WAIT_BUYER_PAY: 'NOTPAY',
  TRADE_SUCCESS: 'SUCCESS',
  // Paid and past the refund window: still money received.
  TRADE_FINISHED: 'SUCCESS',
  TRADE_CLOSED: 'CLOSED',
};

/** Business answers that mean "try again later" rather than "no". */
const RETRYABLE_CODES = new Set(['20000', 'ACQ.SYSTEM_ERROR', 'aop.ACQ.SYSTEM_ERROR']);

type Answer = Record<string, string | undefined>;

/**
 * The common parameter `timestamp` ("yyyy-MM-dd HH:mm:ss") is Beijing time at Alipay. The SDK writes the
 * process's local time, which on a server not set to Asia/Shanghai is hours off and refused (isv.invalid-timestamp).
 */
const requestTimestamp = () => beijingTime(new Date());

/**
 * Alipay (open platform, RSA2 keys) behind the payment-channel port, on the `alipay-sdk` package: page pay
 * forms, trade query / close / refund with verified response signatures, and notification / return
 * verification with Alipay's public key before any field is read.
 */
export function alipayChannel(settings: AlipaySettings): PaymentChannel {
  const sdk = new AlipaySdk({
    appId: settings.appId,
    privateKey: settings.appPrivateKeyPem,
    alipayPublicKey: settings.alipayPublicKeyPem,
    gateway: settings.gatewayUrl,
    keyType: 'PKCS8',
    signType: 'RSA2',
    timeout: settings.timeoutMs,
    camelcase: false,
  });
  const merchant = { appid: settings.appId, mchid: settings.sellerId };
  const log = settings.logger;

  /** One API call; the answer's signature is verified by the SDK. Transport and signature failures are retryable. */
  async function call(method: string, bizContent: Record<string, string>): Promise<Answer> {
    let answer: Record<string, unknown>;
    try {
      answer = await sdk.exec(method, { bizContent, timestamp: requestTimestamp() }, { validateSign: true });
    } catch (error) {
      const code = error instanceof AlipayRequestError ? 'NETWORK_ERROR' : 'UNKNOWN';
      log.warn({ method, err: error }, 'Alipay request failed');
      throw new ChannelError(code, true, `${method}: ${(error as Error).message}`, { cause: error });
    }
    return Object.fromEntries(Object.entries(answer).map(([key, value]) => [key, value === undefined || value === null ? undefined : String(value)]));
  }

  function refused(method: string, answer: Answer): ChannelError {
    const code = answer.sub_code ?? answer.code ?? 'UNKNOWN';
    return new ChannelError(code, RETRYABLE_CODES.has(code) || RETRYABLE_CODES.has(answer.code ?? ''), `${method}: ${answer.sub_msg ?? answer.msg ?? code}`);
  }

  function amountOf(yuan: string | undefined, what: string): number {
    const fen = yuan === undefined ? null : yuanToFen(yuan);
    if (fen === null) throw new AlipayNotificationRejected('MALFORMED', `${what} is not a yuan amount: ${JSON.stringify(yuan)}`);
    return fen;
  }

  function transactionOf(fields: Answer, appid: string | undefined, sellerId: string | undefined): ChannelTransaction {
    const outTradeNo = fields.out_trade_no;
    if (!outTradeNo) throw new AlipayNotificationRejected('MALFORMED', 'no out_trade_no');
    const paidAt = fields.gmt_payment ?? fields.send_pay_date;
    // Alipay closes a trade when it is fully refunded: closed after a payment is the port's REFUND.
    const tradeState = fields.trade_status === 'TRADE_CLOSED' && paidAt ? 'REFUND' : TRADE_STATES[fields.trade_status ?? ''];
    if (!tradeState) throw new AlipayNotificationRejected('MALFORMED', `unknown trade_status ${fields.trade_status}`);
    return {
      appid: appid ?? '',
      mchid: sellerId ?? '',
      outTradeNo,
      transactionId: fields.trade_no ?? null,
      tradeType: 'PAGE',
      tradeState,
      amountFen: amountOf(fields.total_amount, 'total_amount'),
      // Page pay charges in yuan only.
      currency: 'CNY',
      payerOpenid: fields.buyer_open_id ?? fields.buyer_id ?? fields.buyer_user_id ?? null,
      successTime: fromBeijingTime(paidAt),
      attach: null,
      raw: { ...fields },
    };
  }

  /** Signature first (Alipay's key, `sign` and `sign_type` left out of the signed string), then the fields. */
  function verified(params: Record<string, string>): Record<string, string> {
    if (!params.sign || !sdk.checkNotifySignV2(params)) throw new AlipayNotificationRejected('BAD_SIGNATURE', 'signature does not verify with the Alipay public key');
    if (params.sign_type !== undefined && params.sign_type !== 'RSA2') throw new AlipayNotificationRejected('BAD_SIGNATURE', `sign_type ${params.sign_type} is not RSA2`);
    return params;
  }

  async function query(outTradeNo: string): Promise<ChannelTransaction | null> {
    const answer = await call('alipay.trade.query', { out_trade_no: outTradeNo });
    if (answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return null;
    if (answer.code !== '10000') throw refused('alipay.trade.query', answer);
    // Asked with our own app_id over a verified answer: the trade is ours, so it carries our merchant.
    return transactionOf(answer, merchant.appid, merchant.mchid);
  }

  async function queryRefund(outRefundNo: string, outTradeNo: string): Promise<ChannelRefund | null> {
    const answer = await call('alipay.trade.fastpay.refund.query', { out_trade_no: outTradeNo, out_request_no: outRefundNo });
    if (answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return null;
    if (answer.code !== '10000') throw refused('alipay.trade.fastpay.refund.query', answer);
    // Alipay answers an unknown refund with success and no refund fields.
    if (!answer.out_request_no && !answer.refund_status) return null;
    return {
      outRefundNo,
      outTradeNo,
      refundId: answer.trade_no ?? outRefundNo,
      status: answer.refund_status === 'REFUND_SUCCESS' ? 'SUCCESS' : 'PROCESSING',
      refundFen: amountOf(answer.refund_amount, 'refund_amount'),
      raw: { ...answer },
    };
  }

  return {
    name: 'alipay',
    merchant,

    async prepay({ kind, outTradeNo, description, amountFen, timeExpire }) {
      if (kind !== 'PAGE') throw new Error(`Alipay page pay only, not ${kind}`);
      const formHtml = sdk.pageExecute('alipay.trade.page.pay', 'POST', {
        bizContent: {
          out_trade_no: outTradeNo,
          total_amount: fenToYuan(amountFen),
          subject: description,
          product_code: 'FAST_INSTANT_TRADE_PAY',
          // The order's expiry: Alipay stops taking money for the trade when the shop closes the order.
          time_expire: beijingTime(timeExpire),
        },
        notifyUrl: settings.notifyUrl,
        returnUrl: settings.returnUrl,
        timestamp: requestTimestamp(),
      });
      return { prepayId: null, codeUrl: null, formHtml };
    },

    clientPayParams() {
      throw new Error('Alipay page pay has no client pay parameters: the shopper is sent to the cashier form');
    },

    query,

    async close(outTradeNo) {
      const answer = await call('alipay.trade.close', { out_trade_no: outTradeNo });
      // A trade the shopper never opened at the cashier does not exist: nothing to close.
      if (answer.code === '10000' || answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return 'CLOSED';
      if (answer.sub_code === 'ACQ.TRADE_STATUS_ERROR') {
        // Closed already, or paid: the trade's own state tells which.
        const trade = await query(outTradeNo);
        return trade?.tradeState === 'SUCCESS' ? 'ALREADY_PAID' : 'CLOSED';
      }
      throw refused('alipay.trade.close', answer);
    },

    async refund({ outTradeNo, outRefundNo, refundFen, reason }) {
      const answer = await call('alipay.trade.refund', {
        out_trade_no: outTradeNo,
        refund_amount: fenToYuan(refundFen),
        out_request_no: outRefundNo,
        refund_reason: reason,
      });
      if (answer.code !== '10000') throw refused('alipay.trade.refund', answer);
      // fund_change Y: this call moved the money. N (e.g. a repeat of a refund already made): ask the query.
      const refund: ChannelRefund = {
        outRefundNo,
        outTradeNo,
        refundId: answer.trade_no ?? outRefundNo,
        status: answer.fund_change === 'Y' ? 'SUCCESS' : 'PROCESSING',
        refundFen,
        raw: { ...answer },
      };
      return refund;
    },

    queryRefund,

    async verifyNotification(_headers, rawBody) {
      const params = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
      const fields = verified(params);
      // After a refund Alipay notifies the pay call's notify_url with the refund's out_request_no as out_biz_no and
      // refund_fee (the trade's total refunded), in a TRADE_SUCCESS (money left) or TRADE_CLOSED (all back) trade.
      // That refund's own amount and state come from the refund query, asked with our app's key.
      if (fields.out_biz_no && (fields.refund_fee !== undefined || fields.gmt_refund !== undefined)) {
        if (fields.app_id !== merchant.appid) throw new AlipayNotificationRejected('MALFORMED', `refund notification for app_id ${fields.app_id}`);
        if (!fields.out_trade_no) throw new AlipayNotificationRejected('MALFORMED', 'no out_trade_no');
        const refund = await queryRefund(fields.out_biz_no, fields.out_trade_no);
        if (!refund) throw new AlipayNotificationRejected('MALFORMED', `Alipay does not know refund ${fields.out_biz_no} of ${fields.out_trade_no}`);
        return { kind: 'refund', refund };
      }
      return { kind: 'transaction', transaction: transactionOf(fields, fields.app_id, fields.seller_id) };
    },

    verifyReturn(params) {
      const fields = verified(params);
      if (fields.app_id !== merchant.appid) throw new AlipayNotificationRejected('MALFORMED', `return for app_id ${fields.app_id}`);
      if (!fields.out_trade_no) throw new AlipayNotificationRejected('MALFORMED', 'no out_trade_no');
      return { outTradeNo: fields.out_trade_no };
    },
  };
}
