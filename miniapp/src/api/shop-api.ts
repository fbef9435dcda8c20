import {
  addressListSchema,
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
  couponListSchema,
  jsapiPayParamsSchema,
  nativePayResponseSchema,
  orderPageSchema,
  orderSchema,
  paymentStatusResponseSchema,
  quoteResponseSchema,
  type AddressInput,
  type CreateOrderRequest,
  type DeclareAgeRequest,
  type OrderStatus,
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
    listBoxes: (page: number, pageSize: number) => request('GET', '/api/boxes', { query: { page, pageSize }, auth: false, schema: boxPageSchema }),
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
    confirmReceipt: (id: string) => request('POST', `${order(id)}/confirm-receipt`, { schema: orderSchema }),
    payJsapi: (id: string) => request('POST', `${order(id)}/pay/jsapi`, { schema: jsapiPayParamsSchema }),
    payNative: (id: string) => request('POST', `${order(id)}/pay/native`, { schema: nativePayResponseSchema }),
    payAlipay: (id: string) => request('POST', `${order(id)}/alipay`, { schema: alipayPageResponseSchema }),
    paymentStatus: (id: string) => request('GET', `${order(id)}/payment-status`, { schema: paymentStatusResponseSchema }),
    getCollection: () => request('GET', '/api/me/collection', { schema: collectionSchema }),
    getFairness: (boxId: string) => request('GET', `/api/boxes/${encodeURIComponent(boxId)}/fairness`, { auth: false, schema: boxFairnessSchema }),
    myGuarantee: (boxId: string) => request('GET', `/api/me/guarantee/${encodeURIComponent(boxId)}`, { schema: myGuaranteeSchema }),
    getProfile: () => request('GET', '/api/me', { schema: profileSchema }),
    declareAge: (body: DeclareAgeRequest) => request('PUT', '/api/me/age', { body, schema: profileSchema }),
    setClientSeed: (clientSeed: string) => request('PUT', '/api/me/client-seed', { body: { clientSeed }, schema: profileSchema }),
    getCurrentSet: (boxId: string) => request('GET', `/api/boxes/${encodeURIComponent(boxId)}/sets/current`, { auth: false, schema: boxSetSchema }),
    listSets: (boxId: string) => request('GET', `/api/boxes/${encodeURIComponent(boxId)}/sets`, { auth: false, schema: boxSetListSchema }),
    getSet: (setId: string) => request('GET', `/api/sets/${encodeURIComponent(setId)}`, { auth: false, schema: boxSetSchema }),
    getProof: (orderId: string, unitIndex: number) => request('GET', `/api/proofs/${encodeURIComponent(orderId)}/${unitIndex}`, { schema: drawProofSchema }),
  };
}
