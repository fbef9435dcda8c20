import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/support/test-server';

/**
 * The shopper's loop in a real browser: the H5 build served by the real server, paying through the real
 * simulator. `npm test` builds the H5 app and installs Debian's Chromium before Jest starts.
 */
const h5Dir = path.resolve(__dirname, '..', 'dist', 'h5');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(h5Dir, 'index.html'))) throw new Error('no H5 build: run `npm run build:h5 -w miniapp` (npm test does)');
  server = await startTestServer({ env: { H5_DIR: h5Dir } });
  // The H5 build's default dev user, declared adult (the age gate has its own browser test in fairness.e2e).
  await server.login('dev-alice');
  // Playwright gives the browser a fresh temporary profile; the flags keep it off the (closed) network.
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function orderFirstBox(page: Page): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByTestId('box-item').first().click();
  await page.getByTestId('odds-table').waitFor();
  expect(await page.getByTestId('odds-row').count()).toBeGreaterThanOrEqual(4);
  await page.getByTestId('order-button').click();

  const form = page.getByTestId('address-form');
  await form.waitFor();
  await page.locator('[data-testid="address-name"] input').fill('张三');
  await page.locator('[data-testid="address-phone"] input').fill('13800138000');
  await page.locator('[data-testid="address-region"] input').fill('上海市 浦东新区');
  await page.locator('[data-testid="address-detail"] input').fill('世纪大道 1 号');
  await page.getByTestId('address-save').click();
  await page.getByTestId('quote-total').waitFor();
  await page.getByTestId('submit-order').click();
  await page.getByTestId('pay-button').waitFor();
}

test('browse → odds → order → cancel in the pay sheet (still payable) → pay → reveal → listed as paid', async () => {
  const page = await browser.newPage();
  await orderFirstBox(page);

  await page.getByTestId('pay-button').click();
  await page.getByTestId('pay-sheet-cancel').click();
  await page.getByTestId('pay-cancelled').waitFor();
  expect(await page.getByTestId('pay-button').isVisible()).toBe(true);

  await page.getByTestId('pay-button').click();
  await page.getByTestId('pay-sheet-pay').click();
  await page.getByTestId('reveal-list').waitFor({ timeout: 30_000 });
  const revealed = await page.getByTestId('reveal-name').allTextContents();
  expect(revealed.length).toBeGreaterThanOrEqual(1);

  await page.goto(`${server.url}/`);
  await page.getByTestId('my-orders').click();
  const status = page.getByTestId('order-status').first();
  await status.waitFor();
  expect(await status.getAttribute('data-status')).toBe('TO_BE_DELIVERED');
  await page.close();
}, 120_000);
