import type {
  Address,
  AddressInput,
  Box,
  BoxPage,
  Collection,
  Coupon,
  CreateOrderRequest,
  JsapiPayParams,
  NativePayResponse,
  Order,
  OrderPage,
  OrderStatus,
  PaymentStatusResponse,
  QuoteResponse,
} from '@blindbox/shared';
import type { ApiClient } from './client';

export type ShopApi = ReturnType<typeof createShopApi>;

export function createShopApi(client: ApiClient) {
  const { request } = client;
  return {
    ensureLogin: client.ensureLogin,
    relogin: client.relogin,
    listBoxes: (page: number, pageSize: number) =>
      request<BoxPage>('GET', '/api/boxes', { query: { page, pageSize }, auth: false }),
    getBox: (id: string) => request<Box>('GET', `/api/boxes/${encodeURIComponent(id)}`, { auth: false }),
    listAddresses: () => request<{ items: Address[] }>('GET', '/api/addresses'),
    createAddress: (input: AddressInput) => request<Address>('POST', '/api/addresses', { body: input }),
    listCoupons: () => request<{ items: Coupon[] }>('GET', '/api/coupons'),
    quoteOrder: (body: Omit<CreateOrderRequest, 'addressId'>) =>
      request<QuoteResponse>('POST', '/api/orders/quote', { body }),
    createOrder: (body: CreateOrderRequest) => request<Order>('POST', '/api/orders', { body }),
    listOrders: (status: OrderStatus | undefined, page: number, pageSize: number) =>
      request<OrderPage>('GET', '/api/orders', { query: { status, page, pageSize } }),
    getOrder: (id: string) => request<Order>('GET', `/api/orders/${encodeURIComponent(id)}`),
    cancelOrder: (id: string) => request<Order>('POST', `/api/orders/${encodeURIComponent(id)}/cancel`),
    confirmReceipt: (id: string) => request<Order>('POST', `/api/orders/${encodeURIComponent(id)}/confirm-receipt`),
    payJsapi: (id: string) => request<JsapiPayParams>('POST', `/api/orders/${encodeURIComponent(id)}/pay/jsapi`),
    payNative: (id: string) => request<NativePayResponse>('POST', `/api/orders/${encodeURIComponent(id)}/pay/native`),
    paymentStatus: (id: string) =>
      request<PaymentStatusResponse>('GET', `/api/orders/${encodeURIComponent(id)}/payment-status`),
    getCollection: () => request<Collection>('GET', '/api/me/collection'),
  };
}
