import {
  addressListSchema,
  aftersalesListSchema,
  aftersalesPhotoUploadSchema,
  aftersalesViewSchema,
  type AftersalesMessageRequest,
  type CreateAftersalesRequest,
  cartSchema,
  combinedJsapiResponseSchema,
  combinedNativeResponseSchema,
  combinedAlipayResponseSchema,
  combinedPaymentStatusSchema,
  alipayPageResponseSchema,
  addressSchema,
  boxFairnessSchema,
  boxPageSchema,
  boxSchema,
  boxSetListSchema,
  boxSetSchema,
  collectionSchema,
  drawProofSchema,
  myGuaranteeSchema,
  profileSchema,
  bindPhoneResponseSchema,
  loginResponseSchema,
  smsCodeResponseSchema,
  type PhoneLoginRequest,
  guardianConsentViewSchema,
  type GuardianConsentRequest,
  couponListSchema,
  jsapiPayParamsSchema,
  nativePayResponseSchema,
  orderPageSchema,
  orderSchema,
  paymentStatusResponseSchema,
  quoteResponseSchema,
  type AddressInput,
  type CartCheckoutRequest,
  type ChangeOrderAddressRequest,
  type CreateOrderRequest,
  type DeclareAgeRequest,
  type OrderStatus,
  notificationSettingsSchema,
  subscribeGrantsResponseSchema,
  type SubscribeGrantsRequest,
} from '@blindbox/shared';
import type { ApiClient } from './client';

export type ShopApi = ReturnType<typeof createShopApi>;

/** Every endpoint the mini-program calls, each with the shared schema of its answer. */
export function createShopApi(client: ApiClient) {
  const { request } = client;
  const order = (id: string) => `/api/orders/${encodeURIComponent(id)}`;
  return {
    ensureLogin: client.ensureLogin,
    relogin: client.relogin,
    /** H5/PC: a sign-in code by SMS (the same answer whether or not the number is a shopper's). */
    requestSmsCode: (phone: string) => request('POST', '/api/auth/sms-code', { body: { phone }, auth: false, schema: smsCodeResponseSchema }),
    /** H5/PC: signs in with the number and its code; the session is kept (across reloads too). */
    async signInWithPhone(body: PhoneLoginRequest) {
      const session = await request('POST', '/api/auth/phone-login', { body, auth: false, schema: loginResponseSchema });
      client.useSession(session.token);
      return session;
    },
    signOut: client.forgetSession,
    hasSession: client.hasSession,
    /** Mini-program: the getPhoneNumber button's code; from then on the session of the account the number reaches. */
    async bindPhone(code: string) {
      const bound = await request('POST', '/api/me/phone', { body: { code }, schema: bindPhoneResponseSchema });
      client.useSession(bound.token);
      return bound;
    },
    listBoxes: (page: number, pageSize: number) => request('GET', '/api/boxes', { query: { page, pageSize }, auth: false, schema: boxPageSchema }),
    notificationSettings: (boxId?: string) => request('GET', '/api/notifications', { query: { boxId }, schema: notificationSettingsSchema }),
    recordSubscribeGrants: (body: SubscribeGrantsRequest) => request('POST', '/api/notifications/grants', { body, schema: subscribeGrantsResponseSchema }),
    getBox: (id: string) => request('GET', `/api/boxes/${encodeURIComponent(id)}`, { auth: false, schema: boxSchema }),
    listAddresses: () => request('GET', '/api/addresses', { schema: addressListSchema }),
    createAddress: (input: AddressInput) => request('POST', '/api/addresses', { body: input, schema: addressSchema }),
    listCoupons: () => request('GET', '/api/coupons', { schema: couponListSchema }),
    quoteOrder: (body: Omit<CreateOrderRequest, 'addressId'>) => request('POST', '/api/orders/quote', { body, schema: quoteResponseSchema }),
    createOrder: (body: CreateOrderRequest) => request('POST', '/api/orders', { body, schema: orderSchema }),
    listOrders: (status: OrderStatus | undefined, page: number, pageSize: number) =>
      request('GET', '/api/orders', { query: { status, page, pageSize }, schema: orderPageSchema }),
    getOrder: (id: string) => request('GET', order(id), { schema: orderSchema }),
    cancelOrder: (id: string) => request('POST', `${order(id)}/cancel`, { schema: orderSchema }),
    changeOrderAddress: (id: string, body: ChangeOrderAddressRequest) => request('POST', `${order(id)}/address`, { body, schema: orderSchema }),
    confirmReceipt: (id: string) => request('POST', `${order(id)}/confirm-receipt`, { schema: orderSchema }),
    payJsapi: (id: string) => request('POST', `${order(id)}/pay/jsapi`, { schema: jsapiPayParamsSchema }),
    payNative: (id: string) => request('POST', `${order(id)}/pay/native`, { schema: nativePayResponseSchema }),
    payAlipay: (id: string) => request('POST', `${order(id)}/alipay`, { schema: alipayPageResponseSchema }),
    paymentStatus: (id: string) => request('GET', `${order(id)}/payment-status`, { schema: paymentStatusResponseSchema }),
    getCart: () => request('GET', '/api/cart', { schema: cartSchema }),
    addToCart: (boxId: string, quantity: number) => request('POST', '/api/cart/lines', { body: { boxId, quantity }, schema: cartSchema }),
    setCartQuantity: (boxId: string, quantity: number) => request('PUT', `/api/cart/lines/${encodeURIComponent(boxId)}`, { body: { quantity }, schema: cartSchema }),
    removeFromCart: (boxId: string) => request('DELETE', `/api/cart/lines/${encodeURIComponent(boxId)}`, { schema: cartSchema }),
    checkoutCart: (body: CartCheckoutRequest) => request('POST', '/api/cart/checkout', { body, schema: orderSchema }),
    payCombinedJsapi: (orderIds: string[]) => request('POST', '/api/payments/combined/jsapi', { body: { orderIds }, schema: combinedJsapiResponseSchema }),
    payCombinedNative: (orderIds: string[]) => request('POST', '/api/payments/combined/native', { body: { orderIds }, schema: combinedNativeResponseSchema }),
    payCombinedAlipay: (orderIds: string[]) => request('POST', '/api/payments/combined/alipay', { body: { orderIds }, schema: combinedAlipayResponseSchema }),
    combinedPaymentStatus: (id: string) => request('GET', `/api/payments/combined/${encodeURIComponent(id)}`, { schema: combinedPaymentStatusSchema }),
    getCollection: () => request('GET', '/api/me/collection', { schema: collectionSchema }),
    getFairness: (boxId: string) => request('GET', `/api/boxes/${encodeURIComponent(boxId)}/fairness`, { auth: false, schema: boxFairnessSchema }),
    myGuarantee: (boxId: string) => request('GET', `/api/me/guarantee/${encodeURIComponent(boxId)}`, { schema: myGuaranteeSchema }),
    getProfile: () => request('GET', '/api/me', { schema: profileSchema }),
    declareAge: (body: DeclareAgeRequest) => request('PUT', '/api/me/age', { body, schema: profileSchema }),
    setClientSeed: (clientSeed: string) => request('PUT', '/api/me/client-seed', { body: { clientSeed }, schema: profileSchema }),
    getGuardianConsent: () => request('GET', '/api/me/guardian-consent', { schema: guardianConsentViewSchema }),
    giveGuardianConsent: (body: GuardianConsentRequest) => request('POST', '/api/me/guardian-consent', { body, schema: guardianConsentViewSchema }),
    revokeGuardianConsent: () => request('DELETE', '/api/me/guardian-consent', { schema: guardianConsentViewSchema }),
    getCurrentSet: (boxId: string) => request('GET', `/api/boxes/${encodeURIComponent(boxId)}/sets/current`, { auth: false, schema: boxSetSchema }),
    listSets: (boxId: string) => request('GET', `/api/boxes/${encodeURIComponent(boxId)}/sets`, { auth: false, schema: boxSetListSchema }),
    getSet: (setId: string) => request('GET', `/api/sets/${encodeURIComponent(setId)}`, { auth: false, schema: boxSetSchema }),
    listAftersales: (orderId: string) => request('GET', '/api/aftersales', { query: { orderId }, schema: aftersalesListSchema }),
    getAftersales: (id: string) => request('GET', `/api/aftersales/${encodeURIComponent(id)}`, { schema: aftersalesViewSchema }),
    createAftersales: (body: CreateAftersalesRequest) => request('POST', '/api/aftersales', { body, schema: aftersalesViewSchema }),
    sendAftersalesMessage: (id: string, body: AftersalesMessageRequest) => request('POST', `/api/aftersales/${encodeURIComponent(id)}/messages`, { body, schema: aftersalesViewSchema }),
    uploadAftersalesPhoto: (bytes: ArrayBuffer) => request('POST', '/api/aftersales/photos', { body: bytes, schema: aftersalesPhotoUploadSchema }),
    getProof: (orderId: string, unitIndex: number) => request('GET', `/api/proofs/${encodeURIComponent(orderId)}/${unitIndex}`, { schema: drawProofSchema }),
  };
}
