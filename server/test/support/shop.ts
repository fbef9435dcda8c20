import type { Address, Box, BoxPage, CreateOrderRequest, JsapiPayParams, Order } from '@blindbox/shared';
import { apiClient } from './api-client';
import type { TestServer } from './test-server';

/** A logged-in shopper driving the real HTTP API, with the steps most tests share. */
export async function shopper(server: TestServer, code: string) {
  const token = await server.login(code);
  const api = apiClient(server.url, token);

  async function firstBox(): Promise<Box> {
    const { body } = await api.get<BoxPage>('/api/boxes');
    const box = body.items[0];
    if (!box) throw new Error('catalog is empty');
    return box;
  }

  async function address(): Promise<Address> {
    const { status, body } = await api.post<Address>('/api/addresses', { name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号' });
    if (status !== 201) throw new Error(`address not created: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  return {
    token,
    api,
    firstBox,
    address,
    async placeOrder(items?: CreateOrderRequest['items'], couponId?: string): Promise<Order> {
      const addressId = (await address()).id;
      const lines = items ?? [{ boxId: (await firstBox()).id, quantity: 2 }];
      const { status, body } = await api.post<Order>('/api/orders', { items: lines, addressId, couponId });
      if (status !== 201) throw new Error(`order not placed: ${status} ${JSON.stringify(body)}`);
      return body;
    },
    async payJsapi(orderId: string): Promise<JsapiPayParams> {
      const { status, body } = await api.post<JsapiPayParams>(`/api/orders/${orderId}/pay/jsapi`);
      if (status !== 200) throw new Error(`jsapi failed: ${status} ${JSON.stringify(body)}`);
      return body;
    },
    async order(orderId: string): Promise<Order> {
      return (await api.get<Order>(`/api/orders/${orderId}`)).body;
    },
  };
}

/** The prepay id inside requestPayment's `package` ("prepay_id=..."). */
export const prepayIdOf = (pkg: string) => pkg.replace(/^prepay_id=/, '');

/** The user pays in the simulator's pay sheet, as `requestPayment` would. */
export async function payAtSimulator(simulatorUrl: string, prepayId: string, result: 'SUCCESS' | 'CANCEL' | 'PAYERROR' = 'SUCCESS'): Promise<void> {
  const response = await fetch(`${simulatorUrl}/sim/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prepayId, result }),
  });
  if (!response.ok) throw new Error(`simulator pay failed: ${response.status} ${await response.text()}`);
}

export async function simulatorControl(simulatorUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${simulatorUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
