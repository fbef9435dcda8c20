import { randomBytes } from 'node:crypto';
import type { JsapiPayParams } from '@blindbox/shared';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config, WechatPayVerifyMode } from '../../config';
import type { WechatPayCredentials } from './credentials';
import {
  type JsapiPrepayInput,
  type PaymentTransaction,
  type PrepayInput,
  type RefundInput,
  type RefundResult,
  type TradeBillLocation,
  WechatPayApiError,
  type WechatPayGateway,
} from './gateway';
import { NotificationHandler } from './notification-handler';
import { PlatformCertificateStore } from './platform-certificates';
import { MerchantSigner } from './signer';
import { errorFromResponse, VerifyingTransport } from './transport';
import { SignatureVerifier, type VerificationKeySource, publicKeySource } from './verifier';
import { wechatPayComplaints } from './wechatpay-complaints';
import { formatBeijingTime, toPaymentTransaction, toRefundResult } from './wire';

export interface WechatPayGatewayOptions {
  /** https://api.mch.weixin.qq.com in production, the simulator's origin otherwise. */
  baseUrl: string;
  credentials: WechatPayCredentials;
  verifyMode: WechatPayVerifyMode;
  notifyUrl: string;
  timeoutMs: number;
  logger: Logger;
  now?: () => Date;
}

const JSAPI_PREPAY_PATH = '/v3/pay/transactions/jsapi';
// Sent as a request of our own rather than through wechatpay-node-v3's transactions_jsapi: the library replaces
// the answer with requestPayment parameters it signs with the wall clock (jsapiPayParams signs them with `now`),
// an RSA signature per prepay made only to be thrown away.
const jsapiPrepayResultSchema = z.object({ prepay_id: z.string().min(1) });
const nativeResultSchema = z.object({ code_url: z.string().min(1) });
const tradeBillSchema = z.object({ hash_type: z.string().min(1), hash_value: z.string().min(1), download_url: z.string().min(1) });

/** The gateway the configuration describes (the server's, the worker's, the CLI's and doctor's are the same). */
export function wechatPayGatewayFor(
  config: Pick<Config, 'WECHATPAY_BASE_URL' | 'WECHATPAY_VERIFY_MODE' | 'WECHATPAY_TIMEOUT_MS'> & { WECHATPAY_NOTIFY_URL: string },
  credentials: WechatPayCredentials,
  logger: Logger,
): WechatPayGateway {
  return createWechatPayGateway({
    baseUrl: config.WECHATPAY_BASE_URL,
    credentials,
    verifyMode: config.WECHATPAY_VERIFY_MODE,
    notifyUrl: config.WECHATPAY_NOTIFY_URL,
    timeoutMs: config.WECHATPAY_TIMEOUT_MS,
    logger,
  });
}

export function createWechatPayGateway(options: WechatPayGatewayOptions): WechatPayGateway {
  const { credentials, notifyUrl, logger } = options;
  const now = options.now ?? (() => new Date());
  const signer = new MerchantSigner(credentials);

  // The transport needs the verifier and the certificate store needs the transport, hence the late binding.
  let keys: VerificationKeys;
  const verifier = new SignatureVerifier({ keyFor: (serial) => keys.responses.keyFor(serial) }, now);
  const transport = new VerifyingTransport({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, logger, verifier });
  signer.createHttp(transport);
  keys = verificationKeys(options, { transport, signer, now });
  const notifications = new NotificationHandler(new SignatureVerifier(keys.callbacks, now), credentials.apiV3Key, logger);
  const complaints = wechatPayComplaints({ credentials, signer, transport, verifier, notifications, logger });

  /** A signed 2xx answer that does not have the documented shape is a contract breach, not a payment state. */
  function mapped<T>(what: string, status: number, map: () => T): T {
    try {
      return map();
    } catch (error) {
      throw new WechatPayApiError('BAD_RESPONSE', status, `${what}: unexpected answer: ${(error as Error).message}`);
    }
  }

  function prepayBody(input: PrepayInput) {
    return {
      description: input.description,
      out_trade_no: input.outTradeNo,
      time_expire: formatBeijingTime(input.timeExpire),
      ...(input.attach === undefined ? {} : { attach: input.attach }),
      notify_url: notifyUrl,
      amount: { total: input.amountFen, currency: 'CNY' },
    };
  }

  async function logged<T>(event: string, fields: Record<string, unknown>, call: () => Promise<T>, summary: (value: T) => Record<string, unknown>): Promise<T> {
    try {
      const value = await call();
      logger.info({ event, ...fields, ...summary(value) }, event);
      return value;
    } catch (error) {
      const details = error instanceof WechatPayApiError ? { code: error.code, httpStatus: error.httpStatus, retryable: error.retryable } : {};
      logger.warn({ event: `${event}_failed`, ...fields, ...details, err: error }, `${event} failed`);
      throw error;
    }
  }

  return {
    complaints,

    prepayJsapi(input: JsapiPrepayInput) {
      return logged('wechatpay.prepay_jsapi', { outTradeNo: input.outTradeNo, amountFen: input.amountFen }, async () => {
        const body = JSON.stringify({ appid: credentials.appid, mchid: credentials.mchid, ...prepayBody(input), payer: { openid: input.payerOpenid } });
        const result = await transport.request('POST', JSAPI_PREPAY_PATH, signer.signedHeaders('POST', JSAPI_PREPAY_PATH, body), body);
        const answer = mapped('prepay jsapi', result.status, () => jsapiPrepayResultSchema.parse(result.data));
        return { prepayId: answer.prepay_id };
      }, (value) => ({ prepayId: value.prepayId }));
    },

    prepayNative(input: PrepayInput) {
      return logged('wechatpay.prepay_native', { outTradeNo: input.outTradeNo, amountFen: input.amountFen }, async () => {
        const result = await signer.transactions_native(prepayBody(input));
        const answer = mapped('prepay native', result.status, () => nativeResultSchema.parse(result.data));
        return { codeUrl: answer.code_url };
      }, () => ({}));
    },

    jsapiPayParams(prepayId: string): JsapiPayParams {
      const timeStamp = String(Math.floor(now().getTime() / 1000));
      const nonceStr = randomBytes(16).toString('hex');
      const pkg = `prepay_id=${prepayId}`;
      const paySign = signer.signMessage(`${credentials.appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`);
      return { appId: credentials.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
    },

    queryTransaction(outTradeNo: string) {
      return logged('wechatpay.query_transaction', { outTradeNo }, async (): Promise<PaymentTransaction | null> => {
        try {
          const result = await signer.query({ out_trade_no: outTradeNo });
          return mapped('query transaction', result.status, () => toPaymentTransaction(result.data));
        } catch (error) {
          if (isApiError(error, 404, ['ORDER_NOT_EXIST'])) return null;
          throw error;
        }
      }, (value) => ({ tradeState: value?.tradeState ?? 'ORDER_NOT_EXIST', transactionId: value?.transactionId }));
    },

    closeTransaction(outTradeNo: string) {
      return logged('wechatpay.close_transaction', { outTradeNo }, async (): Promise<'CLOSED' | 'ALREADY_PAID'> => {
        try {
          await signer.close(outTradeNo);
          return 'CLOSED';
        } catch (error) {
          if (isApiError(error, null, ['ORDERPAID'])) return 'ALREADY_PAID';
          if (isApiError(error, null, ['ORDER_NOT_EXIST', 'ORDER_CLOSED'])) return 'CLOSED';
          throw error;
        }
      }, (value) => ({ result: value }));
    },

    refund(input: RefundInput) {
      return logged('wechatpay.refund', { outTradeNo: input.outTradeNo, outRefundNo: input.outRefundNo, refundFen: input.refundFen }, async (): Promise<RefundResult> => {
        const result = await signer.refunds({
          out_trade_no: input.outTradeNo,
          out_refund_no: input.outRefundNo,
          reason: input.reason,
          notify_url: notifyUrl,
          amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
        });
        return mapped('refund', result.status, () => toRefundResult(result.data));
      }, (value) => ({ refundId: value.refundId, status: value.status }));
    },

    queryRefund(outRefundNo: string) {
      return logged('wechatpay.query_refund', { outRefundNo }, async (): Promise<RefundResult | null> => {
        try {
          const result = await signer.find_refunds(outRefundNo);
          return mapped('query refund', result.status, () => toRefundResult(result.data));
        } catch (error) {
          if (isApiError(error, 404, ['RESOURCE_NOT_EXISTS', 'ORDER_NOT_EXIST'])) return null;
          throw error;
        }
      }, (value) => ({ outTradeNo: value?.outTradeNo, status: value?.status ?? 'NOT_FOUND' }));
    },

    verifyNotification(headers, rawBody) {
      return notifications.verify(headers, rawBody);
    },

    applyTradeBill(billDate: string) {
      return logged('wechatpay.trade_bill', { billDate }, async (): Promise<TradeBillLocation | null> => {
        try {
          const result = await signer.tradebill({ bill_date: billDate, bill_type: 'ALL', tar_type: 'GZIP' });
          const answer = mapped('trade bill', result.status, () => tradeBillSchema.parse(result.data));
          return { hashType: answer.hash_type, hashValue: answer.hash_value, downloadUrl: answer.download_url };
        } catch (error) {
          if (isApiError(error, 400, ['NO_STATEMENT_EXIST'])) return null;
          throw error;
        }
      }, (value) => ({ found: value !== null }));
    },

    downloadBillFile(downloadUrl: string) {
      return logged('wechatpay.download_bill', {}, async (): Promise<Buffer> => {
        // The signature covers path and query only; the transport sends it to our own WeChat Pay origin whatever host the URL names.
        const target = new URL(downloadUrl);
        const path = `${target.pathname}${target.search}`;
        const response = await transport.exchange('GET', path, signer.signedHeaders('GET', path));
        if (response.status === 200) return response.body;
        const check = await verifier.verify((name) => response.headers.get(name) ?? undefined, response.body);
        throw errorFromResponse(response, check, 'GET bill file');
      }, (value) => ({ bytes: value.length }));
    },
  };
}

/** Keys for WeChat's answers to our requests, and for callbacks (which anyone can send). */
interface VerificationKeys {
  responses: VerificationKeySource;
  callbacks: VerificationKeySource;
}

function verificationKeys(
  options: WechatPayGatewayOptions,
  deps: Pick<ConstructorParameters<typeof PlatformCertificateStore>[0], 'transport' | 'signer' | 'now'>,
): VerificationKeys {
  const publicKey = options.credentials.wechatPayPublicKey;
  if (options.verifyMode !== 'platform-certificate' && !publicKey) {
    throw new Error(`verify mode ${options.verifyMode} needs publicKeyId and publicKeyFile in the credentials`);
  }
  const keyOf = publicKey ? publicKeySource(publicKey.id, publicKey.pem) : null;
  if (options.verifyMode === 'public-key') return { responses: keyOf!, callbacks: keyOf! };
  const store = new PlatformCertificateStore({ ...deps, apiV3Key: options.credentials.apiV3Key, logger: options.logger });
  if (options.verifyMode === 'platform-certificate') return { responses: store, callbacks: store.forCallbacks };
  // Both, during WeChat's move from platform certificates to the public key: answers and callbacks come signed
  // either way, and Wechatpay-Serial names which key signed (PUB_KEY_ID_… or a certificate serial).
  return { responses: bySerial(keyOf!, publicKey!.id, store), callbacks: bySerial(keyOf!, publicKey!.id, store.forCallbacks) };
}

/** The public key for its own id, the certificates for every other serial. */
function bySerial(publicKey: VerificationKeySource, publicKeyId: string, certificates: VerificationKeySource): VerificationKeySource {
  return { keyFor: (serial) => (serial === publicKeyId ? publicKey.keyFor(serial) : certificates.keyFor(serial)) };
}

/** Only signed answers reach here with a business code (see the transport), so acting on them is safe. */
function isApiError(error: unknown, status: number | null, codes: string[]): boolean {
  return (
    error instanceof WechatPayApiError &&
    codes.includes(error.code) &&
    (status === null || error.httpStatus === status)
  );
}
