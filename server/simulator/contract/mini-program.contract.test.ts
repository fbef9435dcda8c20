/**
 * Contract tests for the mini-program platform APIs the shop uses (api.weixin.qq.com), on the simulator over HTTP.
 * Shapes and errcodes are written from WeChat's documentation, not from the simulator:
 * - getStableAccessToken: https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/access-token/auth.getStableAccessToken.html
 * - 发货信息录入 / 查询订单发货状态 (upload_shipping_info, get_order) and their error tables:
 *   https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/order-shipping/order-shipping.html
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { jsapiOrder, startHarness, uniqueTradeNo, type Harness } from '../test-support/fixture';

const OPENID = 'oTestOpenid0000000000000000';
/** stable_token 返回参数; "任意时刻发起调用获取到的access_token有效期至少为5分钟，即expires_in>=300". */
const tokenShape = z.object({ access_token: z.string().min(1).max(512), expires_in: z.number().int().min(300).max(7200) });
/** get_order 返回参数 (order, shipping, shipping_list). */
const orderShape = z.object({
  errcode: z.literal(0),
  errmsg: z.string(),
  order: z.object({
    transaction_id: z.string().min(1),
    merchant_id: z.string().min(1),
    sub_merchant_id: z.string().optional(),
    merchant_trade_no: z.string().min(1),
    description: z.string(),
    paid_amount: z.number().int(),
    openid: z.string().min(1),
    trade_create_time: z.number().int(),
    pay_time: z.number().int(),
    order_state: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6)]),
    in_complaint: z.boolean(),
    shipping: z.union([
      z.object({}).strict(),
      z.object({
        delivery_mode: z.union([z.literal(1), z.literal(2)]),
        logistics_type: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
        finish_shipping: z.boolean(),
        goods_desc: z.string(),
        finish_shipping_count: z.union([z.literal(0), z.literal(1), z.literal(2)]),
        shipping_list: z.array(
          z.object({
            tracking_no: z.string(),
            express_company: z.string(),
            goods_desc: z.string(),
            upload_time: z.number().int(),
            contact: z.object({ consignor_contact: z.string(), receiver_contact: z.string() }),
          }),
        ),
      }),
    ]),
  }),
});

describe('mini-program platform contract (simulator over HTTP, rules from the docs)', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness();
    token = (await stableToken(false)).access_token;
  });
  afterAll(() => h.sim.stop());

  async function stableToken(force: boolean) {
    const response = await fetch(`${h.sim.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: h.client.credentials.appid, secret: h.client.credentials.appSecret, force_refresh: force }),
    });
    return tokenShape.parse(await response.json());
  }
  const platform = async (path: string, body: unknown, accessToken = token) =>
    (await (await fetch(`${h.sim.url}${path}?access_token=${accessToken}`, { method: 'POST', body: body === undefined ? '' : JSON.stringify(body) })).json()) as { errcode: number; errmsg: string };

  async function paidTransaction(): Promise<{ outTradeNo: string; transactionId: string }> {
    const outTradeNo = uniqueTradeNo('S');
    const { body } = await h.client.request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, 'https://127.0.0.1:1/notify'));
    const paid = await h.control<{ transaction_id: string }>('POST', '/sim/pay', { prepayId: body.prepay_id, result: 'SUCCESS' });
    return { outTradeNo, transactionId: paid.body.transaction_id };
  }
  let clock = Date.now();
  /** upload_time: RFC 3339, each later than the last ("上传时间必须比之前的请求更新"). */
  const uploadTime = () => `${new Date((clock += 1000) + 8 * 3600_000).toISOString().slice(0, 23)}+08:00`;
  const parcel = (n = 1) => ({ tracking_no: `YT${n}000000001`, express_company: 'YTO', item_desc: '盲盒*1', contact: { receiver_contact: '138****8000' } });
  const upload = (transactionId: string, fields: Record<string, unknown> = {}) => ({
    order_key: { order_number_type: 2, transaction_id: transactionId },
    logistics_type: 1,
    delivery_mode: 1,
    shipping_list: [parcel()],
    upload_time: uploadTime(),
    payer: { openid: OPENID },
    ...fields,
  });

  it('contract: POST /cgi-bin/stable_token — expires_in never under 300; renewed in the last 5 minutes with the old token still valid; forced refreshes < 30 s apart do not rotate', async () => {
    await h.control('POST', '/sim/mini-program/age-token', { remainingSeconds: 400 });
    expect((await stableToken(false)).access_token).toBe(token);
    await h.control('POST', '/sim/mini-program/age-token', { remainingSeconds: 200 });
    const renewed = await stableToken(false);
    expect(renewed.access_token).not.toBe(token);
    expect(renewed.expires_in).toBeGreaterThan(7000);
    const { transactionId } = await paidTransaction();
    // Old and new both work during the overlap.
    expect((await platform('/wxa/sec/order/get_order', { transaction_id: transactionId }, token)).errcode).toBe(0);
    expect((await platform('/wxa/sec/order/get_order', { transaction_id: transactionId }, renewed.access_token)).errcode).toBe(0);

    const forced = await stableToken(true);
    expect(forced.access_token).not.toBe(renewed.access_token);
    // A forced refresh invalidates the token before it; a second one within 30 s does not refresh.
    expect((await platform('/wxa/sec/order/get_order', { transaction_id: transactionId }, renewed.access_token)).errcode).toBe(40001);
    expect((await stableToken(true)).access_token).toBe(forced.access_token);
    token = forced.access_token;
  });

  it('contract: POST /wxa/sec/order/upload_shipping_info — each documented rule answers its documented errcode', async () => {
    const { transactionId } = await paidTransaction();
    const refusals: Array<[string, unknown, number]> = [
      ['empty body', undefined, 10060014],
      ['order_number_type 3', upload(transactionId, { order_key: { order_number_type: 3, transaction_id: transactionId } }), 268485194],
      ['type 2 without transaction_id', upload(transactionId, { order_key: { order_number_type: 2 } }), 268485195],
      ['type 1 without mchid', upload(transactionId, { order_key: { order_number_type: 1, out_trade_no: 'x' } }), 268485196],
      ['type 1 without out_trade_no', upload(transactionId, { order_key: { order_number_type: 1, mchid: h.client.credentials.mchid } }), 268485197],
      ['logistics_type 5', upload(transactionId, { logistics_type: 5 }), 10060005],
      ['delivery_mode 3', upload(transactionId, { delivery_mode: 3 }), 268485224],
      ['upload_time not RFC 3339', upload(transactionId, { upload_time: '2024-02-03 18:43:25' }), 268485216],
      ['unified delivery with two parcels', upload(transactionId, { shipping_list: [parcel(1), parcel(2)] }), 268485228],
      ['split delivery for self pick-up', upload(transactionId, { delivery_mode: 2, logistics_type: 4, is_all_delivered: true }), 10060006],
      ['split delivery without is_all_delivered', upload(transactionId, { delivery_mode: 2 }), 10060007],
      ['16 parcels', upload(transactionId, { delivery_mode: 2, is_all_delivered: true, shipping_list: Array.from({ length: 16 }, (_, i) => parcel(i)) }), 10060024],
      ['no item_desc', upload(transactionId, { shipping_list: [{ ...parcel(), item_desc: '' }] }), 10060008],
      ['item_desc over 120 characters', upload(transactionId, { shipping_list: [{ ...parcel(), item_desc: '盒'.repeat(121) }] }), 10060009],
      ['express without tracking_no', upload(transactionId, { shipping_list: [{ ...parcel(), tracking_no: '' }] }), 268485226],
      ['express without express_company', upload(transactionId, { shipping_list: [{ ...parcel(), express_company: '' }] }), 268485227],
      ['shipping_list not an array', upload(transactionId, { shipping_list: parcel() }), 47001],
      ['another payer', upload(transactionId, { payer: { openid: 'oSomebodyElse000000000000000' } }), 10060031],
      ['no such transaction', upload('4200000000000000000000000001'), 10060001],
    ];
    for (const [name, body, errcode] of refusals) expect([name, (await platform('/wxa/sec/order/upload_shipping_info', body)).errcode]).toEqual([name, errcode]);

    expect((await platform('/wxa/sec/order/upload_shipping_info', upload(transactionId))).errcode).toBe(0);
    // "上传时间必须比之前的请求更新".
    expect((await platform('/wxa/sec/order/upload_shipping_info', upload(transactionId, { upload_time: '2020-01-01T00:00:00.000+08:00' }))).errcode).toBe(268485216);
    // The same shipment again changes nothing (10060023); a changed one is the one re-shipment; a third is 10060003.
    expect((await platform('/wxa/sec/order/upload_shipping_info', upload(transactionId))).errcode).toBe(10060023);
    expect((await platform('/wxa/sec/order/upload_shipping_info', upload(transactionId, { shipping_list: [parcel(2)] }))).errcode).toBe(0);
    expect((await platform('/wxa/sec/order/upload_shipping_info', upload(transactionId, { shipping_list: [parcel(3)] }))).errcode).toBe(10060003);
  });

  it('contract: POST /wxa/sec/order/get_order — the documented order; finish_shipping_count 0 while parcels are to come, 1 when done; each parcel its own upload_time; empty body 10060014', async () => {
    const { outTradeNo, transactionId } = await paidTransaction();
    const byNumber = { merchant_id: h.client.credentials.mchid, merchant_trade_no: outTradeNo };
    expect(orderShape.parse(await platform('/wxa/sec/order/get_order', byNumber)).order).toMatchObject({ order_state: 1, shipping: {} });

    expect((await platform('/wxa/sec/order/upload_shipping_info', upload(transactionId, { delivery_mode: 2, is_all_delivered: false, shipping_list: [parcel(1)] }))).errcode).toBe(0);
    const partly = orderShape.parse(await platform('/wxa/sec/order/get_order', { transaction_id: transactionId })).order;
    expect(partly).toMatchObject({ order_state: 1, shipping: { delivery_mode: 2, finish_shipping: false, finish_shipping_count: 0 } });

    expect((await platform('/wxa/sec/order/upload_shipping_info', upload(transactionId, { delivery_mode: 2, is_all_delivered: true, shipping_list: [parcel(2)] }))).errcode).toBe(0);
    const shipped = orderShape.parse(await platform('/wxa/sec/order/get_order', byNumber)).order;
    expect(shipped).toMatchObject({ transaction_id: transactionId, merchant_trade_no: outTradeNo, paid_amount: 1999, openid: OPENID, order_state: 2 });
    expect(shipped.shipping).toMatchObject({ finish_shipping: true, finish_shipping_count: 1 });
    const parcels = 'shipping_list' in shipped.shipping ? shipped.shipping.shipping_list : [];
    expect(parcels.map((item) => [item.tracking_no, item.goods_desc, item.contact.receiver_contact])).toEqual([
      ['YT1000000001', '盲盒*1', '138****8000'],
      ['YT2000000001', '盲盒*1', '138****8000'],
    ]);
    expect(parcels[1]!.upload_time).toBeGreaterThan(parcels[0]!.upload_time);

    expect((await platform('/wxa/sec/order/get_order', undefined)).errcode).toBe(10060014);
    expect((await platform('/wxa/sec/order/get_order', { merchant_id: h.client.credentials.mchid })).errcode).toBe(10060014);
    expect((await platform('/wxa/sec/order/get_order', { transaction_id: '4200000000000000000000000002' })).errcode).toBe(10060001);
  });
});
