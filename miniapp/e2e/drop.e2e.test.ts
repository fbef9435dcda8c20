import path from 'node:path';
import type { BoxPage } from '@blindbox/shared';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { runAdminCommand } from '../../server/src/admin/run-admin-command';
import { boxModel } from '../../server/src/catalog/box.model';
import { beijingMonthDayTime } from '@blindbox/shared/src/beijing-time';
import { checkPage, expectNoLatinWords, pageAs, screenshotDir } from './page-checks';
import { shopper } from '../../server/test/support/shop';
import { setStock } from '../../server/test/support/stock';
import { useH5Stack } from './h5-stack';

/**
 * A scheduled drop in a real browser: the box page counts down against the server's clock (here an hour ahead of
 * the browser's), and the buy button enables when the server's clock passes the opening, not before.
 */

let server: TestServer;
let browser: Browser;

useH5Stack((stack) => {
  ({ server, browser } = stack);
});

const enabled = (attribute: string | null) => attribute === null || attribute === 'false';

/** Schedules a drop of the demo box named `name` (or the shelf's `fallback`-th) an hour ahead of the server's clock. */
async function scheduleDrop(name: string, fallback: number) {
  const boxes = ((await (await fetch(`${server.url}/api/boxes`)).json()) as BoxPage).items;
  const box = boxes.find((candidate) => candidate.name === name) ?? boxes[fallback]!;
  const slug = (await boxModel(server.container.db).findById(box.id).lean())!.slug;
  const opensAt = new Date(Math.ceil((server.clock.now().getTime() + 3_600_000) / 1000) * 1000);
  expect((await runAdminCommand(server.container, ['drop', slug, '--at', opensAt.toISOString()])).exitCode).toBe(0);
  return { box, opensAt };
}

/** The API requests a page makes from now on (`GET /api/boxes/…`), as they leave. */
function apiRequestsOf(page: Page): string[] {
  const asked: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/api/')) asked.push(`${request.method()} ${pathname}`);
  });
  return asked;
}

/** A phone page signed in as `code`, with the API requests it makes. */
async function phoneAs(code: string) {
  const { page } = await pageAs(browser, code);
  return { page, asked: apiRequestsOf(page) };
}

test('the box page counts down by the server\'s clock and enables buying when the drop opens', async () => {
  const box = ((await (await fetch(`${server.url}/api/boxes`)).json()) as BoxPage).items[0]!;
  const opensAt = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
  expect((await runAdminCommand(server.container, ['drop', 'starry-cat', '--at', opensAt.toISOString()])).exitCode).toBe(0);
  // Ten seconds before by the server's clock: room for a slow machine to load the page before it opens.
  server.clock.setTo(new Date(opensAt.getTime() - 10_000));

  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await page.goto(`${server.url}/#/pages/box/index?id=${box.id}`);
  const countdown = page.getByTestId('drop-countdown');
  await countdown.waitFor();
  // Seconds by the server's clock, whatever the browser's own clock says (an hour earlier).
  expect(await countdown.textContent()).toMatch(/^00:00:(0\d|10)$/);
  const button = page.getByTestId('order-button');
  expect(enabled(await button.getAttribute('disabled'))).toBe(false);
  expect(await button.textContent()).toContain('即将开售');
  await page.screenshot({ path: path.join(screenshotDir, 'phone-drop-countdown.png') });

  await page.waitForFunction(() => {
    const attribute = document.querySelector('[data-testid="order-button"]')?.getAttribute('disabled');
    return attribute === null || attribute === 'false';
  }, undefined, { timeout: 20_000, polling: 50 });
  const openedAt = server.clock.now().getTime();
  // The page's estimate of the server's clock lags by the answer's travel time, so it can open late but never
  // early; by the browser's own clock (an hour behind) it would not have opened within the wait at all.
  expect(openedAt).toBeGreaterThanOrEqual(opensAt.getTime());
  // A drop is claimed on the first tap (the next test).
  expect(await button.textContent()).toContain('立即抢购');
  expect(await countdown.count()).toBe(0);
}, 60_000);

test('the box list marks a box whose drop has not opened with 即将开售 and its time, and drops the badge when the server opens it', async () => {
  const { box, opensAt } = await scheduleDrop('机甲少年', 1);
  server.clock.setTo(new Date(opensAt.getTime() - 10_000));

  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await page.goto(`${server.url}/#/pages/boxes/index`);
  const item = page.locator(`[data-testid="box-item"][data-box-id="${box.id}"]`);
  const badge = item.getByTestId('coming-soon');
  await badge.waitFor();
  // Beijing time, whatever the browser's zone; and the box sits in the shelf's 即将开售 section.
  expect(await item.getByTestId('coming-soon-time').textContent()).toBe(beijingMonthDayTime(opensAt));
  expect(await page.locator('[data-testid="shelf-section"][data-section="COMING"]').getByTestId('box-item').count()).toBe(1);
  // Only the scheduled box carries it.
  expect(await page.getByTestId('coming-soon').count()).toBe(1);
  await page.screenshot({ path: path.join(screenshotDir, 'phone-list-coming-soon.png') });

  await badge.waitFor({ state: 'detached', timeout: 20_000 });
  expect(server.clock.now().getTime()).toBeGreaterThanOrEqual(opensAt.getTime());
}, 60_000);

test('the confirm page of a box sold out says so from the box alone: no addresses, coupons, profile or quotes are loaded', async () => {
  const [box] = await boxModel(server.container.db).create([
    { slug: `gone-${Date.now()}`, name: '夜光限定', coverUrl: '/c.png', priceFen: 5900, products: [{ productId: 'only', name: '唯一款', rarity: 'SECRET', imageUrl: '/i.png', weight: 1 }] },
  ]);
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const asked = apiRequestsOf(page);
  await page.goto(`${server.url}/#/order/confirm/index?boxId=${box!._id.toHexString()}`);
  await page.getByTestId('state-empty').waitFor();
  expect(await page.getByTestId('state-empty').textContent()).toContain('「夜光限定」已售罄');
  // A drop's loser costs the shop the box (from its memory) and nothing of their own.
  const checkoutLoads = ['GET /api/addresses', 'GET /api/coupons', 'GET /api/me', 'POST /api/orders/quote'];
  expect(asked.filter((request) => checkoutLoads.includes(request))).toEqual([]);
  expect(asked).toContain(`GET /api/boxes/${box!._id.toHexString()}`);
  await page.screenshot({ path: path.join(screenshotDir, 'phone-confirm-sold-out.png') });
}, 60_000);

test('立即抢购 claims a drop\'s unit on the first tap: the shopper lands on the order to pay; who comes too late hears sold out from that one tap; a first-timer goes on at the confirm page', async () => {
  const { box, opensAt } = await scheduleDrop('甜品精灵', 2);
  await setStock(server, box.id, 1);
  server.clock.setTo(new Date(opensAt.getTime() + 1_000));
  // Two shoppers who bought before (an address on file), on the box page as the drop opens.
  for (const code of ['dev-drop-tap-first', 'dev-drop-tap-late']) await (await shopper(server, code)).address();
  const [first, late] = [await phoneAs('dev-drop-tap-first'), await phoneAs('dev-drop-tap-late')];
  for (const { page } of [first, late]) {
    await page.goto(`${server.url}/#/pages/box/index?id=${box.id}`);
    await page.locator('[data-testid="order-button"]', { hasText: '立即抢购' }).waitFor();
  }
  await checkPage(first.page, 'phone-drop-one-tap', ['order-button']);

  first.asked.length = 0;
  await first.page.getByTestId('order-button').click();
  const status = first.page.getByTestId('order-detail-status');
  await status.waitFor({ timeout: 15_000 });
  expect(await status.getAttribute('data-status')).toBe('TO_BE_PAID');
  await first.page.getByTestId('pay-again').waitFor();
  expect(await first.page.getByTestId('claimed-notice').textContent()).toContain('抢到了');
  await expectNoLatinWords(first.page);
  await checkPage(first.page, 'phone-drop-claimed', ['pay-again']);
  // One request placed it: nothing of the shopper's was loaded for a form they never saw.
  expect(first.asked.filter((request) => request === 'POST /api/orders')).toHaveLength(1);
  expect(first.asked.filter((request) => ['GET /api/addresses', 'GET /api/coupons', 'POST /api/orders/quote'].includes(request))).toEqual([]);

  // The page still said in stock; the tap itself is told, and the page turns to sold out.
  late.asked.length = 0;
  await late.page.getByTestId('order-button').click();
  await late.page.getByTestId('sold-out-notice').waitFor({ timeout: 15_000 });
  // The order, then the box again (from the server's memory): nothing of the shopper's own.
  expect(late.asked).toEqual(['POST /api/orders', `GET /api/boxes/${box.id}`]);
  await checkPage(late.page, 'phone-drop-too-late');

  // A first-timer (no address, no age declared) is taken to the confirm page, which asks for both.
  await setStock(server, box.id, 1);
  // Restocked behind the server's back: its memory of "sold out" is read again within a moment.
  const stockNow = async () => ((await (await fetch(`${server.url}/api/boxes/${box.id}`)).json()) as { stock: number }).stock;
  while ((await stockNow()) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  const newcomer = await phoneAs('dev-drop-tap-new');
  await newcomer.page.goto(`${server.url}/#/pages/box/index?id=${box.id}`);
  await newcomer.page.locator('[data-testid="order-button"]', { hasText: '立即抢购' }).click();
  await newcomer.page.locator('[data-testid="age-sheet"], [data-testid="address-form"]').first().waitFor({ timeout: 15_000 });
  expect(newcomer.page.url()).toContain('order/confirm');
}, 90_000);

test('a claimed order, still unpaid, goes to another saved address from its own page', async () => {
  const claimer = await shopper(server, 'dev-drop-tap-move');
  await claimer.address();
  await claimer.api.post('/api/addresses', { name: '李四', phone: '13900139000', region: '北京市 朝阳区', detail: '建国路 8 号' });
  // Placed as 立即抢购 places it: no address named, so the first saved one.
  const { body: claimed } = await claimer.api.post<{ id: string }>('/api/orders', { items: [{ boxId: (await claimer.firstBox()).id, quantity: 1 }] });
  const { page, asked } = await phoneAs('dev-drop-tap-move');
  await page.goto(`${server.url}/#/order/detail/index?orderId=${claimed.id}&claimed=1`);
  const card = page.getByTestId('order-address');
  await card.getByText('张三').waitFor({ timeout: 15_000 });
  await page.getByTestId('address-change').click();
  await page.getByTestId('address-option').nth(1).click();
  await checkPage(page, 'phone-order-address-change', ['address-change-confirm']);
  asked.length = 0;
  await page.getByTestId('address-change-confirm').click();
  // The picker in the same card lists 李四 too: the change is done once the picker has closed (after the answer).
  await page.getByTestId('address-change-confirm').waitFor({ state: 'detached', timeout: 15_000 });
  await card.getByText('李四 13900139000').waitFor({ timeout: 15_000 });
  expect(asked).toContain(`POST /api/orders/${claimed.id}/address`);
  expect((await claimer.order(claimed.id)).address).toMatchObject({ name: '李四', detail: '建国路 8 号' });
  await expectNoLatinWords(page);
}, 60_000);
