import path from 'node:path';
import type { BoxPage } from '@blindbox/shared';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { runAdminCommand } from '../../server/src/admin/run-admin-command';
import { boxModel } from '../../server/src/catalog/box.model';
import { beijingMonthDayTime } from '@blindbox/shared/src/beijing-time';
import { screenshotDir } from './page-checks';
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
  expect(await button.textContent()).toContain('立即购买');
  expect(await countdown.count()).toBe(0);
}, 60_000);

test('the box list marks a box whose drop has not opened with 即将开售 and its time, and drops the badge when the server opens it', async () => {
  const boxes = ((await (await fetch(`${server.url}/api/boxes`)).json()) as BoxPage).items;
  const box = boxes.find((candidate) => candidate.name === '机甲少年') ?? boxes[1]!;
  const slug = (await boxModel(server.container.db).findById(box.id).lean())!.slug;
  const opensAt = new Date(Math.ceil((server.clock.now().getTime() + 3_600_000) / 1000) * 1000);
  expect((await runAdminCommand(server.container, ['drop', slug, '--at', opensAt.toISOString()])).exitCode).toBe(0);
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
  const asked: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/api/')) asked.push(`${request.method()} ${pathname}`);
  });
  await page.goto(`${server.url}/#/order/confirm/index?boxId=${box!._id.toHexString()}`);
  await page.getByTestId('state-empty').waitFor();
  expect(await page.getByTestId('state-empty').textContent()).toContain('「夜光限定」已售罄');
  // A drop's loser costs the shop the box (from its memory) and nothing of their own.
  const checkoutLoads = ['GET /api/addresses', 'GET /api/coupons', 'GET /api/me', 'POST /api/orders/quote'];
  expect(asked.filter((request) => checkoutLoads.includes(request))).toEqual([]);
  expect(asked).toContain(`GET /api/boxes/${box!._id.toHexString()}`);
  await page.screenshot({ path: path.join(screenshotDir, 'phone-confirm-sold-out.png') });
}, 60_000);
