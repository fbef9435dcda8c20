import { formatFen } from '@blindbox/shared/src/money';
import { formatDateTime } from '../lib/format';

/** Facts the server sends beside `code` (a limit, a time), read by the wording that mentions them. */
export type ErrorDetails = Record<string, unknown>;

type Wording = string | ((details: ErrorDetails) => string);

/** Shown for a failure the table does not know: never the server's own (developer, English) text. */
export const GENERIC_ERROR = '出了点问题，请稍后重试';

const time = (details: ErrorDetails, key: string): string | null => (typeof details[key] === 'string' ? formatDateTime(details[key]) : null);
const count = (details: ErrorDetails, key: string): number | null => (typeof details[key] === 'number' ? details[key] : null);

/**
 * Every code the server (and this client) can answer, in the shopper's words. One table: a code the server
 * adds without a line here fails `error-words.test.ts`. Staff-only codes (admin commands) get a plain line too,
 * since a shopper page must never show the server's message.
 */
export const ERROR_WORDS: Record<string, Wording> = {
  // The client's own.
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  SIGN_IN_REQUIRED: '请先用手机号登录',
  CONTRACT_MISMATCH: '页面版本过旧，请退出后重新打开',

  // Buying: stock, drops, limits.
  SOLD_OUT: (details) => {
    const back = time(details, 'availableAgainAt');
    return back ? `已售罄。有未支付订单占着的库存，最早 ${back} 可能放出` : '已售罄，看看其他系列吧';
  },
  OUT_OF_STOCK: '库存不足，请减少数量后再试',
  PURCHASE_LIMIT_REACHED: (details) => {
    const limit = count(details, 'limit');
    return limit ? `这一款每人本期限购 ${limit} 个，已达上限` : '已达到这一款的限购数量';
  },
  QUANTITY_TOO_LARGE: '单次购买数量过多，请减少数量',
  NOT_ON_SALE_YET: (details) => {
    const at = time(details, 'onSaleAt');
    return at ? `还未开售，${at}（北京时间）开售` : '还未开售，请稍后再来';
  },
  NOT_ON_SALE: '这一款暂停发售了，看看其他系列吧',
  BOX_RETIRED: '这一系列已下架，看看其他系列吧',
  BOX_NOT_FOUND: '没有找到这个盲盒，它可能已下架',
  DAILY_SPEND_LIMIT_REACHED: (details) => {
    const limit = count(details, 'limit');
    return limit ? `每天最多消费 ${formatFen(limit)}，今天已达上限，请明天再来` : '已达到今日消费上限，请明天再来';
  },
  DAILY_DRAW_LIMIT_REACHED: (details) => {
    const limit = count(details, 'limit');
    return limit ? `这一款每天最多抽 ${limit} 次，今天已达上限，请明天再来` : '今日该盲盒的抽取次数已达上限，请明天再来';
  },
  GUARANTEE_COUNTER_BUSY: '你的上一笔订单正在开盒，请稍等几秒再试',

  // The age gate.
  AGE_NOT_DECLARED: '购买前请先选择你的年龄段',
  AGE_RESTRICTED: '根据规定，未满 8 周岁不能购买盲盒',
  GUARDIAN_CONSENT_REQUIRED: '8–17 周岁购买需监护人本人在“监护人同意”页确认（我的 → 监护人同意）',
  GUARDIAN_CONSENT_OUTDATED: '购买限制或监护人声明已更新，需监护人重新确认（我的 → 监护人同意）',
  GUARDIAN_CONSENT_EXISTS: '监护人同意已生效；如需更换，请先撤回',
  GUARDIAN_CONSENT_NOT_APPLICABLE: '只有声明 8–17 周岁的用户需要监护人同意',
  GUARDIAN_DECLARATION_CHANGED: '声明内容或购买限制刚刚更新，请监护人重新阅读后确认',
  AGE_ALREADY_DECLARED: '年龄段已经声明过，不能再更改',

  // Coupons.
  COUPON_UNAVAILABLE: '这张优惠券已被使用或不可用，请换一张',
  COUPON_EXPIRED: '这张优惠券已过期，请换一张',
  COUPON_MIN_SPEND: '还没达到这张优惠券的使用门槛',
  COUPON_EXHAUSTED: '优惠券已经领完了',
  COUPON_ENDED: '优惠券活动已结束',
  COUPON_CODE_TAKEN: '优惠券编号已存在',
  INVALID_COUPON_TEMPLATE: '优惠券设置有误',

  // Orders and payment.
  ORDER_NOT_PAYABLE: '这笔订单已不能支付，请刷新看看最新状态',
  ORDER_EXPIRED: '订单已超过支付时间，请重新下单',
  ORDER_ALREADY_PAID: '这笔订单已经支付过了',
  ORDER_NOT_CANCELLABLE: '这笔订单现在不能取消',
  ADDRESS_NOT_CHANGEABLE: '订单已支付或已关闭，不能再修改收货地址',
  ORDER_NOT_DELIVERED: '订单还没有发货，暂时不能确认收货',
  ORDER_NOT_SHIPPABLE: '这笔订单现在不能发货',
  RECEIPT_NOT_CONFIRMED: '微信还没有收到你的确认收货，请在微信小程序里打开这笔订单确认收货',
  ORDER_NOT_REFUNDABLE: '这笔订单现在不能退款',
  ORDER_NOT_SHIPPED: '这笔订单还没有发货',
  TRACKING_NOTE_REQUIRED: '请填写物流信息',
  ORDER_IN_OPEN_PAYMENT: '有订单已在另一笔合并支付中：请完成那笔支付，或单独支付该订单',
  WECHATPAY_UNAVAILABLE: '支付暂时无法发起，请稍后重试',
  CHANNEL_NOT_CONFIGURED: '暂不支持这种支付方式，请换一种',

  // After-sales (售后).
  AFTERSALES_NOT_ALLOWED: '订单发货后才能申请售后',
  AFTERSALES_ALREADY_OPEN: '这件商品已有处理中的售后申请，请在申请里补充说明',
  AFTERSALES_CLOSED: '这个售后申请已处理完毕；如有新问题，请重新申请',
  AFTERSALES_THREAD_FULL: '留言太多了，请稍后再试或联系客服电话',
  AFTERSALES_PHOTO_UNKNOWN: '照片没有上传成功，请重新添加',
  PICTURE_REFUSED: '这张照片无法使用，请换一张手机拍摄的照片',

  // Cart.
  CART_EMPTY: '购物车是空的',
  CART_FULL: '购物车最多放 10 种盲盒',

  // Whole sets (端盒).
  POSITION_TAKEN: '手慢了，这个位置刚被别人选走，请重新选择',
  SET_NOT_ON_SALE: '这一盒已经售完或下架，请换一盒',
  GUARANTEE_UNAVAILABLE: '你的保底即将触发，但保底款已售罄：为保证承诺，本盒暂不能再购买（规则页有说明）',
  SEED_NOT_READY: '抽取种子刚刚轮换，请再试一次',
  SETS_SOLD_OUT: '这一系列的端盒已全部售完',
  INVALID_SET_PICK: '选择的位置有误，请重新选择',
  SET_BUSY: '这一盒还有未支付的订单，暂时不能操作',
  SET_SECRET_UNSOLD: '这一盒的隐藏款还没有售出，不能下架',
  NOT_A_SET_BOX: '这一款不按整盒出售',

  // Subscribe messages (开售提醒, 发货/退款通知).
  NO_DROP_TO_REMIND: '这一款已经开售或没有待开售的发售，不需要开售提醒',
  UNKNOWN_TEMPLATE: '通知设置已更新，请退出后重新打开再订阅',

  // Account and addresses.
  UNAUTHORIZED: '登录已失效，请重新进入',
  INVALID_LOGIN_CODE: '登录失败，请重新进入',
  ADDRESS_LIMIT: '收货地址已达上限，请先删除不用的地址',

  // Phone sign-in (H5/PC) and binding the number in the mini-program.
  SMS_TOO_SOON: (details) => {
    const seconds = count(details, 'retryAfterSeconds');
    return seconds ? `验证码已发送，请 ${seconds} 秒后再获取` : '验证码已发送，请稍后再获取';
  },
  SMS_SEND_LIMITED: '获取验证码次数过多，请稍后再试',
  SMS_UNAVAILABLE: '短信暂时发不出去，请稍后再试',
  PHONE_SIGN_IN_OFF: '暂不支持手机号登录',
  INVALID_SMS_CODE: '验证码错误或已失效，请重新获取',
  INVALID_PHONE_CODE: '获取手机号失败，请重试（仅支持中国大陆手机号）',
  PHONE_ALREADY_BOUND: '当前账号已绑定其他手机号',
  PHONE_BOUND_ELSEWHERE: '该手机号已绑定另一个微信账号',
  ACCOUNTS_NOT_MERGEABLE: '该手机号的账号和当前微信账号都已有订单，无法合并。请用手机号在网页登录查看那个账号的订单',
  ACCOUNT_MERGED: '账号已合并，请重新登录',

  // Requests the shop could not take.
  VALIDATION_ERROR: '填写的内容有误，请检查后重试',
  INVALID_ID: '链接有误，请返回重试',
  NOT_FOUND: '没有找到你要的内容',
  ADDRESS_REQUIRED: '请先填写收货地址',
  CONFLICT: '内容已存在，请刷新后重试',
  BAD_REQUEST: '请求有误，请返回重试',
  INVALID_JSON: '请求有误，请返回重试',
  UNSUPPORTED_CONTENT_TYPE: '请求有误，请返回重试',
  BAD_PATH: '链接有误，请返回重试',
  PAYLOAD_TOO_LARGE: '内容太多了，请精简后重试',
  METHOD_NOT_ALLOWED: '请求有误，请返回重试',
  NOT_IMPLEMENTED: '请求有误，请返回重试',
  RATE_LIMITED: '操作太频繁了，请稍等片刻再试',
  DATABASE_UNAVAILABLE: '服务繁忙，请稍后重试',
  NOT_READY: '服务繁忙，请稍后重试',
  SHOP_UNREACHABLE: '服务繁忙，请稍后重试',
  INTERNAL: GENERIC_ERROR,
  SIGN_ERROR: '支付结果校验失败，请稍后查看订单',

  // Staff commands (admin CLI); listed so no code is left without words.
  IMPORT_REFUSED: '导入被拒绝',
  NOT_COMPLIANT: '未通过盲盒合规检查（商品价值或价格），未发布',
  INVALID_BILL_DATE: '对账日期有误',
  NO_DROP_SCHEDULED: '没有待开售的发售计划',
  STOCK_BELOW_HELD: '库存不能少于未支付订单占用的数量',
  NO_ITEM_COUNTS: '这一款没有分款库存',
};

/** The Chinese sentence for a code, or null when the table has none. */
export function wordsFor(code: string, details: ErrorDetails = {}): string | null {
  const wording = ERROR_WORDS[code];
  if (wording === undefined) return null;
  return typeof wording === 'string' ? wording : wording(details);
}
