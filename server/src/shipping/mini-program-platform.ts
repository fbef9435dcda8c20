/**
 * The mini-program platform port: what the shop asks of WeChat's 小程序发货信息管理服务 (shipping-info
 * management), and the shopper's phone number from the getPhoneNumber button (phonenumber.getPhoneNumber). shipping-upload.service.ts decides when to upload; an adapter (wechat-platform-http.ts) knows
 * how api.weixin.qq.com speaks, including its access token.
 */
export interface MiniProgramPlatform {
  /** Resolves once the platform answered errcode 0; throws PlatformError otherwise. */
  uploadShippingInfo(input: ShippingInfo): Promise<void>;
  /** The platform's view of a paid transaction; null when it has none (errcode 10060001). */
  getOrder(key: PlatformOrderKey): Promise<PlatformOrder | null>;
  /**
   * Trades the one-time code of `<button open-type="getPhoneNumber">` (valid 5 minutes, one use) for the number
   * the shopper chose. Throws PlatformError: errcode 40029 for a code that is invalid, used or expired.
   */
  getPhoneNumber(code: string): Promise<{ countryCode: string; purePhoneNumber: string }>;
  /** notify_confirm_receive: WeChat reminds the shopper to confirm receipt; it accepts one reminder per transaction. */
  notifyConfirmReceive(key: PlatformOrderKey, receivedAt: Date): Promise<void>;
  /** set_msg_jump_path: the page WeChat's shipping and receipt messages open (its query gets the transaction's numbers). */
  setMsgJumpPath(path: string): Promise<void>;
  /** is_trade_managed: whether the mini-program is under the shipping-information management service. */
  isTradeManaged(appid: string): Promise<boolean>;
}

/** getuserphonenumber's answer to a code that is invalid, used or expired. */
export const INVALID_PHONE_CODE_ERRCODE = 40029;

/** order_number_type 1 = mchid + out_trade_no, 2 = transaction_id. */
export type PlatformOrderKey = { kind: 'out_trade_no'; mchid: string; outTradeNo: string } | { kind: 'transaction_id'; transactionId: string };

/**
 * logistics_type 1: express delivery (the only kind a shipped mystery box is). Unified delivery (one parcel for
 * the transaction) unless `split` says the transaction paid several orders, each shipped as its own parcel:
 * delivery_mode 2, with is_all_delivered on the parcel that completes it.
 */
export interface ShippingInfo {
  orderKey: PlatformOrderKey;
  trackingNo: string;
  /** The platform's express company code (get_delivery_list), e.g. SF, ZTO, YTO. */
  expressCompany: string;
  /** At most 120 characters: what is in the parcel. */
  itemDesc: string;
  /** The receiver's phone with all but the last four digits masked (SF requires a contact). */
  receiverContact: string;
  /** When this request is made: the platform refuses an upload_time no newer than the last one it accepted. */
  uploadTime: Date;
  payerOpenid: string;
  split?: { allDelivered: boolean };
}

/** order_state: 1 待发货, 2 已发货, 3 确认收货, 4 交易完成, 5 已退款, 6 资金待结算. */
export interface PlatformOrder {
  transactionId: string;
  outTradeNo: string;
  orderState: number;
  paidAmountFen: number;
  openid: string;
  shipped: boolean;
  trackingNos: string[];
}

/** The platform answered a non-zero errcode, or gave no usable answer. */
export class PlatformError extends Error {
  constructor(
    /** The platform's errcode; null when there was no answer (network, time-out, not JSON). */
    readonly errcode: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PlatformError';
  }
}

/** errcodes that mean the access token must be fetched again: 40001 invalid or not latest, 42001 expired. */
export const STALE_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 42001]);
