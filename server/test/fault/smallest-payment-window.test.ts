import { startTestServer, type TestServer } from '../support/test-server';
import { payAtSimulator, prepayIdOf } from '../support/shop';
import { waitUntil } from '../support/wechatpay-harness';
import { orderDoc } from '../support/job-test-support';
import { buyer } from './fault-support';

// The smallest ORDER_EXPIRY_MINUTES the configuration accepts must still leave an order payable: WeChat wants
// time_expire at least a minute ahead, so prepay refuses orders with less than that left.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ORDER_EXPIRY_MINUTES: '2' } });
});
afterAll(async () => {
  await server.stop();
});

test('with the smallest allowed order window an order can be prepaid and paid', async () => {
  const shopper = await buyer(server, 'dev-window-alice');
  const order = await shopper.orderNow([{ boxId: (await shopper.firstBox()).id, quantity: 1 }]);
  expect(new Date(order.expiresAt).getTime() - Date.now()).toBeGreaterThan(60_000);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await shopper.payJsapi(order.id)).package));
  await waitUntil(async () => ((await orderDoc(server, order.id)).status === 'TO_BE_DELIVERED' ? true : null), 10_000, 'the order to be paid');
});
