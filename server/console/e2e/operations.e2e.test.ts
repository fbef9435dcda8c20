import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beijingTime } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff } from '../../test/support/console';
import { buyer } from '../../test/fault/fault-support';
import { setStock } from '../../test/support/stock';
import { shopper } from '../../test/support/shop';
import { payAndWait } from '../../test/support/sets';
import { boxModel } from '../../src/catalog/box.model';
import { launchChromium } from '../../../miniapp/e2e/page-checks';
import { consolePage, signInStaff } from './console-browser';

/**
 * Running the shop from the console in a real Chromium: an operator schedules a seeded series as a drop with the
 * Beijing date-time picker, watches its live page while shoppers buy it through the shop's API until it sells
 * out, then reads its sales chart; a coupon is made and granted to a shopper found by phone; the whole sets are
 * listed. Pages are photographed at 1440×900 into docs/screenshots/ (the computer's zone is London: every time
 * shown and picked is Beijing's).
 */

const consoleDist = path.resolve(__dirname, '..', 'dist');
const screenshotDir = path.resolve(__dirname, '..', '..', '..', 'docs', 'screenshots');
const VIEWPORT = { width: 1440, height: 900 };
const UNITS = 5;

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(consoleDist, 'index.html'))) throw new Error('no console build: run `npm run build -w server/console` (npm test does)');
  fs.mkdirSync(screenshotDir, { recursive: true });
  server = await startTestServer({ env: { CONSOLE_DIR: consoleDist, PURCHASE_LIMIT_PER_BOX: '5' } });
  browser = await launchChromium();
  await createStaff(server, 'ops-operator', 'operator');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const newPage = () => consolePage(browser, { viewport: VIEWPORT, timezoneId: 'Europe/London', httpErrors: true });

/** The session check before logging in answers 401: an answer, not a problem. */
const unexpected = (problems: string[]) => problems.filter((problem) => !/status of 401/.test(problem));

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

async function logIn(page: Page): Promise<void> {
  await signInStaff(page, `${server.url}/console/`, { username: 'ops-operator' }, server.clock.now());
  await page.getByTestId('dashboard').waitFor({ timeout: 30_000 });
}

/** A statistic's number as the page shows it now. */
const statistic = async (page: Page, testId: string) => (await page.getByTestId(testId).locator('.ant-statistic-content').innerText()).replace(/\s/g, '');

async function waitForInnerText(locator: ReturnType<Page['locator']>, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = await locator.innerText();
  while (!pattern.test(text)) {
    if (Date.now() > deadline) throw new Error(`expected ${pattern}, still "${text}" after ${timeoutMs} ms`);
    await locator.page().waitForTimeout(100);
    text = await locator.innerText();
  }
}

async function waitForStatistic(page: Page, testId: string, expected: string): Promise<void> {
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-testid="${id}"] .ant-statistic-content`)?.textContent?.replace(/\s/g, '') === want,
    [testId, expected] as const,
    { timeout: 30_000 },
  );
}

test('a seeded series is scheduled as a drop, watched live while shoppers buy it out, then shows in the sales chart', async () => {
  const box = (await boxModel(server.container.db).findOne({ slug: 'forest-friends' }).lean())!;
  const boxId = box._id.toHexString();
  await setStock(server, boxId, UNITS);
  const { page, problems } = await newPage();
  await logIn(page);

  // Schedule it through the picker, in Beijing time, at the first whole minute at least 40 s away.
  await page.getByTestId('main-menu').getByText('开售排期').click();
  await page.getByTestId('drop-schedule-forest-friends').click();
  const opensAt = new Date(Math.ceil((Date.now() + 40_000) / 60_000) * 60_000);
  const wall = beijingTime(opensAt).slice(0, 16);
  const picker = page.getByTestId('drop-at');
  await picker.click();
  await picker.fill(wall);
  await picker.press('Enter');
  await page.getByTestId('drop-window').fill('5');
  await page.getByTestId('drop-limit').fill('3');
  await shoot(page, 'console-drop-schedule');
  await page.getByTestId('drop-confirm').click();
  const row = page.getByTestId('drops-table').locator('tr', { hasText: box.name });
  await row.getByText('即将开售').waitFor();
  await expect(row.innerText()).resolves.toContain(wall);
  const stored = (await boxModel(server.container.db).findById(boxId).lean())!;
  expect([stored.onSaleAt?.toISOString(), stored.paymentWindowMinutes, stored.purchaseLimit]).toEqual([opensAt.toISOString(), 5, 3]);
  await shoot(page, 'console-drops');

  // The live page before the opening: a countdown, nothing sold.
  await page.getByTestId('drop-live-forest-friends').click();
  await page.getByTestId('live-countdown').waitFor();
  expect(await statistic(page, 'live-left')).toBe(`${UNITS}件`);
  await shoot(page, 'console-live-drop-countdown');

  // Shoppers buy through the shop's API once the server opens it; the page follows within a few refreshes.
  const shoppers = await Promise.all(['dev-ops-amy', 'dev-ops-ben', 'dev-ops-cai'].map((code) => buyer(server, code)));
  const buy = async (who: (typeof shoppers)[number], quantity: number) => {
    const answer = await who.api.post<{ id: string; code?: string }>('/api/orders', { items: [{ boxId, quantity }], addressId: who.addressId });
    return answer.status === 201 ? answer.body.id : null;
  };
  let first: string | null = null;
  const deadline = Date.now() + 150_000;
  while (!first) {
    if (Date.now() > deadline) throw new Error('the drop never opened');
    first = await buy(shoppers[0]!, 2);
    if (!first) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const second = (await buy(shoppers[1]!, 2))!;
  await payAndWait(server, shoppers[0]!.api, first);
  await waitForStatistic(page, 'live-sold', '2件');
  await waitForStatistic(page, 'live-held', '2件');
  await waitForStatistic(page, 'live-left', '1件');
  await page.getByTestId('live-drop-chart').locator('svg').first().waitFor();
  await shoot(page, 'console-live-drop');

  const last = (await buy(shoppers[2]!, 1))!;
  await payAndWait(server, shoppers[1]!.api, second);
  await payAndWait(server, shoppers[2]!.api, last);
  await waitForStatistic(page, 'live-sold', `${UNITS}件`);
  await waitForStatistic(page, 'live-left', '0件');
  await page.getByTestId('live-sold-out').filter({ hasNotText: '未售罄' }).waitFor({ timeout: 30_000 });
  expect(await statistic(page, 'live-orders')).toBe('3单');
  await shoot(page, 'console-live-drop-sold-out');

  // Its sales: the series' units and revenue today, in the chart and the table.
  await page.getByTestId('main-menu').getByText('销售报表').click();
  await page.getByTestId('sales-chart').locator('svg').first().waitFor();
  const boxRow = page.getByTestId('sales-boxes').locator('tr', { hasText: box.name });
  await boxRow.waitFor();
  await expect(boxRow.innerText()).resolves.toMatch(new RegExp(`${box.name}\\s+${UNITS}\\s`));
  await shoot(page, 'console-sales');
  expect(unexpected(problems)).toEqual([]);
}, 300_000);

test('an operator makes a coupon and grants it to a shopper found by phone; the whole sets are listed with commitments', async () => {
  // A shopper who gave a phone of their own in an order's shipping address.
  const grantee = await shopper(server, 'dev-ops-grantee');
  const address = await grantee.api.post<{ id: string }>('/api/addresses', { name: '王五', phone: '13911112222', region: '北京市 朝阳区', detail: '建国路 8 号' });
  const firstBox = await grantee.firstBox();
  expect((await grantee.api.post('/api/orders', { items: [{ boxId: firstBox.id, quantity: 1 }], addressId: address.body.id })).status).toBe(201);
  const { page, problems } = await newPage();
  await logIn(page);

  await page.getByTestId('main-menu').getByText('优惠券').click();
  await page.getByTestId('coupon-create').click();
  await page.getByTestId('coupon-code').fill('SORRY10');
  await page.getByTestId('coupon-amount').fill('10');
  await page.getByTestId('coupon-min-spend').fill('50');
  await page.getByTestId('coupon-quantity').fill('100');
  await shoot(page, 'console-coupon-create');
  await page.getByRole('button', { name: '创建' }).click();
  const row = page.getByTestId('coupon-table').locator('tr', { hasText: 'SORRY10' });
  await row.getByText('满¥50.00减¥10.00').waitFor();

  await page.getByTestId('coupon-grant-SORRY10').click();
  await page.getByTestId('grant-search').fill('13911112222');
  await page.getByTestId('grant-search').press('Enter');
  await page.getByTestId('grant-matches').getByText('收货手机号').first().waitFor();
  await expect(page.getByTestId('grant-matches').locator('tbody tr.ant-table-row').count()).resolves.toBe(1);
  await page.getByTestId('grant-matches').locator('tbody tr').first().click();
  await shoot(page, 'console-coupon-grant');
  await page.getByTestId('grant-confirm').click();
  // Granted 1 of 100, 99 left, once the list is read again.
  await waitForInnerText(row, /100\s+1\s+99/);
  await shoot(page, 'console-coupons');

  // One position of the first set bought and paid, one held for an unpaid order: the grid's counts show both.
  const setBoxId = (await boxModel(server.container.db).findOne({ slug: 'moon-rabbit-set' }).lean())!._id.toHexString();
  const [payer, holder] = await Promise.all([buyer(server, 'dev-ops-set-payer'), buyer(server, 'dev-ops-set-holder')]);
  const current = (await payer.api.get<{ id: string; number: number }>(`/api/boxes/${setBoxId}/sets/current`)).body;
  const picked = await payer.orderNow([{ boxId: setBoxId, quantity: 1, setPick: { setId: current.id, positions: [0] } }]);
  await payAndWait(server, payer.api, picked.id);
  await holder.orderNow([{ boxId: setBoxId, quantity: 1, setPick: { setId: current.id, positions: [1] } }]);

  await page.getByTestId('main-menu').getByText('端盒').click();
  // The shop spreads shoppers over a few open sets: the one picked from is any of them, in number order here.
  const pickedSet = page.getByTestId('sets-table').locator('tbody tr.ant-table-row').nth(current.number - 1);
  await pickedSet.waitFor();
  await expect(pickedSet.innerText()).resolves.toMatch(new RegExp(`^#${current.number}[\\s\\S]*已售 1 · 占用 1 · 空位 4`));
  await shoot(page, 'console-sets');
  expect(unexpected(problems)).toEqual([]);
}, 180_000);
