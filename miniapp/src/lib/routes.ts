import type { OrderStatus } from '@blindbox/shared';

// Paths must match app.config.ts; order pages live in the `order` subpackage, the collection in `me`,
// fairness pages in `fair`, whole-set pages in `sets`.
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
  pay: (orderId: string) => `/order/pay/index?orderId=${encodeURIComponent(orderId)}`,
  result: (orderId: string) => `/order/result/index?orderId=${encodeURIComponent(orderId)}`,
  /** The same page for a combined payment: waits for the one payment, then shows every order it paid. */
  combinedResult: (combinedId: string) => `/order/result/index?combinedId=${encodeURIComponent(combinedId)}`,
  orders: (status?: OrderStatus) => `/order/list/index${status ? `?status=${status}` : ''}`,
  order: (orderId: string) => `/order/detail/index?orderId=${encodeURIComponent(orderId)}`,
  collection: () => '/me/collection/index',
  rules: (boxId: string) => `/fair/rules/index?boxId=${encodeURIComponent(boxId)}`,
  proof: (orderId: string, unit: number) => `/fair/proof/index?orderId=${encodeURIComponent(orderId)}&unit=${unit}`,
  profile: () => '/fair/profile/index',
  /** The guardian's own page: consent for a shopper aged 8–17, and its revocation. */
  guardian: () => '/fair/guardian/index',
  setGrid: (boxId: string) => `/sets/grid/index?boxId=${encodeURIComponent(boxId)}`,
  setVerify: (setId: string) => `/sets/verify/index?setId=${encodeURIComponent(setId)}`,
};
