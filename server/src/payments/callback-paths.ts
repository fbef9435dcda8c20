/**
 * Where the channels call us back, once: the routes serve these paths, the body parser keeps Alipay's form raw,
 * and production refuses a notify URL configured anywhere else (it would never be heard).
 */
export const WECHATPAY_NOTIFY_PATH = '/api/payments/wechat/notify';
export const ALIPAY_NOTIFY_PATH = '/api/payments/alipay/notify';
export const ALIPAY_RETURN_PATH = '/api/payments/alipay/return';
/** The mini-program's message push URL (shipping/message-push.routes.ts): its body is JSON or XML, read raw. */
export const MINIPROGRAM_PUSH_PATH = '/api/wechat/mini-program/push';
