/**
 * Where the channels call us back, once: the routes serve these paths, the body parser keeps Alipay's form raw,
 * and production refuses a notify URL configured anywhere else (it would never be heard).
 */
export const WECHATPAY_NOTIFY_PATH = '/api/payments/wechat/notify';
export const ALIPAY_NOTIFY_PATH = '/api/payments/alipay/notify';
export const ALIPAY_RETURN_PATH = '/api/payments/alipay/return';
/** Where WeChat Pay posts complaint notifications (registered through the complaint-notifications API). */
export const WECHATPAY_COMPLAINT_NOTIFY_PATH = '/api/complaints/wechat/notify';

/** The complaint notification URL: the payment notify URL's origin (the same public server) with its own path. */
export function complaintNotifyUrlOf(paymentNotifyUrl: string): string {
  return new URL(WECHATPAY_COMPLAINT_NOTIFY_PATH, paymentNotifyUrl).toString();
}
/** The mini-program's message push URL (shipping/message-push.routes.ts): its body is JSON or XML, read raw. */
export const MINIPROGRAM_PUSH_PATH = '/api/wechat/mini-program/push';
