import Taro from '@tarojs/taro';

// Paths must match app.config.ts; the four tab pages live in the main package, order pages in the `order`
// subpackage, the privacy policy in `me`, fairness pages in `fair`, whole-set pages in `sets`.
export const routes = {
  boxes: () => '/pages/boxes/index',
  box: (id: string) => `/pages/box/index?id=${encodeURIComponent(id)}`,
  /** With a pick: positions of one set of a whole-set box (`whole` for the whole set). */
  confirm: (boxId: string, pick?: { setId: string; positions: readonly number[]; whole: boolean }) =>
    `/order/confirm/index?boxId=${encodeURIComponent(boxId)}${pick ? `&setId=${encodeURIComponent(pick.setId)}&positions=${pick.positions.join(',')}${pick.whole ? '&whole=1' : ''}` : ''}`,
  /** The confirm page for the whole cart: its lines, priced by the server, become one order. */
  confirmCart: () => '/order/confirm/index?from=cart',
  cart: () => '/order/cart/index',
  /** One payment for several unpaid orders. */
  payTogether: (orderIds: readonly string[]) => `/order/pay-together/index?orderIds=${orderIds.map(encodeURIComponent).join(',')}`,
  result: (orderId: string) => `/order/result/index?orderId=${encodeURIComponent(orderId)}`,
  /** The same page for a combined payment: waits for the one payment, then shows every order it paid. */
  combinedResult: (combinedId: string) => `/order/result/index?combinedId=${encodeURIComponent(combinedId)}`,
  /** A tab: open with `openTab` (a tab page takes no query in WeChat). */
  orders: () => '/pages/orders/index',
  /** `paid`: what became of a pay sheet opened just before (cancelled or failed), told on arrival. */
  order: (orderId: string, paid?: 'cancelled' | 'failed') => `/order/detail/index?orderId=${encodeURIComponent(orderId)}${paid ? `&paid=${paid}` : ''}`,
  /** The order a drop's 立即抢购 just placed: its page says so while it waits to be paid. */
  claimedOrder: (orderId: string) => `/order/detail/index?orderId=${encodeURIComponent(orderId)}&claimed=1`,
  /** After-sales (售后): a new request on one line of a shipped order, and one request with its thread. */
  aftersalesApply: (orderId: string, itemIndex: number) => `/order/aftersales-apply/index?orderId=${encodeURIComponent(orderId)}&itemIndex=${itemIndex}`,
  aftersales: (id: string) => `/order/aftersales/index?id=${encodeURIComponent(id)}`,
  /** A tab. */
  collection: () => '/pages/collection/index',
  /** A tab: age, addresses, the privacy policy, the client seed. */
  me: () => '/pages/me/index',
  privacy: () => '/me/privacy/index',
  /** H5/PC: phone number and SMS code. */
  signIn: () => '/me/sign-in/index',
  rules: (boxId: string) => `/fair/rules/index?boxId=${encodeURIComponent(boxId)}`,
  proof: (orderId: string, unit: number) => `/fair/proof/index?orderId=${encodeURIComponent(orderId)}&unit=${unit}`,
  /** The guardian's own page: consent for a shopper aged 8–17, and its revocation. */
  guardian: () => '/fair/guardian/index',
  setGrid: (boxId: string) => `/sets/grid/index?boxId=${encodeURIComponent(boxId)}`,
  setVerify: (setId: string) => `/sets/verify/index?setId=${encodeURIComponent(setId)}`,
};

const TABS = new Set([routes.boxes(), routes.collection(), routes.orders(), routes.me()]);

/**
 * Goes to any page: a tab page by `switchTab` (WeChat refuses navigateTo and redirectTo to one), any other by
 * `navigateTo`. Pages that lead to a tab use this rather than choosing the call themselves.
 */
export function openPage(url: string): Promise<unknown> {
  return TABS.has(url.split('?')[0]!) ? Taro.switchTab({ url }) : Taro.navigateTo({ url });
}
