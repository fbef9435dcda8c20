import Taro from '@tarojs/taro';

/**
 * WeChat's receipt-confirmation component (小程序确认收货组件): for a mini-program payment the shopper confirms
 * receipt there, so WeChat releases the shop's money. It returns through App.onShow with referrerInfo from
 * WeChat's own appid; the return proves nothing by itself, so the server asks get_order before the order moves.
 */
// The documented appid is wx1183b055aeec94d1; wxd8f3793ea3b935b8 is the one named for it in this shop's brief. Either
// only says "WeChat's component came back": the server's get_order check is what is trusted.
const COMPONENT_APPIDS: ReadonlySet<string> = new Set(['wx1183b055aeec94d1', 'wxd8f3793ea3b935b8']);
const PENDING_KEY = 'receipt:pending-order';
export const RECEIPT_RETURNED = 'receipt:returned';

export interface ReceiptReturn {
  orderId: string;
  status: 'success' | 'fail' | 'cancel';
  message: string | null;
}

/** Opens the component for this order's transaction; false when this WeChat is too old for it (base library < 2.6.0). */
export function openReceiptConfirm(orderId: string, transactionId: string): boolean {
  const open = (Taro as unknown as { openBusinessView?: (options: { businessType: string; extraData: Record<string, string> }) => Promise<unknown> }).openBusinessView;
  if (typeof open !== 'function') return false;
  // Kept in storage: WeChat may restart the mini-program while the component is on screen.
  Taro.setStorageSync(PENDING_KEY, orderId);
  void open({ businessType: 'weappOrderConfirm', extraData: { transaction_id: transactionId } }).catch(() => {
    Taro.removeStorageSync(PENDING_KEY);
    const result: ReceiptReturn = { orderId, status: 'fail', message: '没能打开微信的确认收货页面，请稍后再试' };
    Taro.eventCenter.trigger(RECEIPT_RETURNED, result);
  });
  return true;
}

/** Listens for the component's return (App.onShow) and hands it on: `confirm` asks the server, which asks WeChat. */
export function watchReceiptReturn(confirm: (orderId: string) => Promise<unknown>): void {
  Taro.onAppShow((options) => {
    const referrer = (options as { referrerInfo?: { appId?: string; extraData?: { status?: string; errormsg?: string } } }).referrerInfo;
    if (!referrer?.appId || !COMPONENT_APPIDS.has(referrer.appId)) return;
    const orderId = Taro.getStorageSync<string>(PENDING_KEY);
    Taro.removeStorageSync(PENDING_KEY);
    if (!orderId) return;
    const status = referrer.extraData?.status === 'success' || referrer.extraData?.status === 'fail' ? referrer.extraData.status : 'cancel';
    const settle = (result: ReceiptReturn) => Taro.eventCenter.trigger(RECEIPT_RETURNED, result);
    if (status !== 'success') return settle({ orderId, status, message: referrer.extraData?.errormsg ?? null });
    confirm(orderId)
      .then(() => settle({ orderId, status, message: null }))
      .catch((error: unknown) => settle({ orderId, status: 'fail', message: error instanceof Error ? error.message : String(error) }));
  });
}
