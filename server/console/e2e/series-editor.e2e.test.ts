import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { BoxPage } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff } from '../../test/support/console';
import { photograph } from '../../test/support/pictures';
import { boxModel } from '../../src/catalog/box.model';
import { expectCjkGlyphs, launchChromium } from '../../../miniapp/e2e/page-checks';
import { consolePage, signInStaff } from './console-browser';

/**
 * The series editor in a real Chromium: an operator makes a series from photographs (made here with sharp),
 * watches the odds follow the weights, saves it and finds it on sale in the shop; then changes a weight while
 * it is on sale, reads the version diff and confirms it, and adds stock. Screenshots go to docs/screenshots/.
 */
const consoleDist = path.resolve(__dirname, '..', 'dist');
const screenshotDir = path.resolve(__dirname, '..', '..', '..', 'docs', 'screenshots');

let server: TestServer;
let browser: Browser;
let photos: Record<'cover' | 'sun' | 'moon', string>;

beforeAll(async () => {
  if (!fs.existsSync(path.join(consoleDist, 'index.html'))) throw new Error('no console build: run `npm run build -w server/console` (npm test does)');
  server = await startTestServer({ seed: false, env: { CONSOLE_DIR: consoleDist } });
  browser = await launchChromium();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'series-photos-'));
  const write = async (name: string, bytes: Promise<Buffer>) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, await bytes);
    return file;
  };
  photos = { cover: await write('cover.jpg', photograph('jpeg', { hue: 20 })), sun: await write('sun.png', photograph('png', { hue: 45, width: 900, height: 900 })), moon: await write('moon.jpg', photograph('jpeg', { hue: 230, width: 900, height: 900 })) };
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

async function upload(page: Page, testId: string, file: string): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId(testId).click()]);
  await chooser.setFiles(file);
  await page.getByTestId(`${testId}-preview`).waitFor({ timeout: 30_000 });
}

async function typeInto(page: Page, testId: string, text: string): Promise<void> {
  const field = page.getByTestId(testId);
  await field.fill('');
  await field.fill(text);
}

test('an operator makes a series from photographs, sees the odds live, puts it on sale, then publishes a new odds version and adds stock', async () => {
  const operator = await createStaff(server, 'e2e-catalog', 'operator', { totp: true });
  const { page, problems } = await consolePage(browser, { viewport: { width: 1440, height: 1120 }, httpErrors: true });

  await signInStaff(page, `${server.url}/console/catalog`, operator, server.clock.now());
  await page.getByTestId('series-new').click({ timeout: 30_000 });

  await typeInto(page, 'series-slug', 'sky-photos');
  await typeInto(page, 'series-name', '天空摄影系列');
  await typeInto(page, 'series-description', '用真实照片制作的盲盒系列');
  await typeInto(page, 'series-price', '39.9');
  await upload(page, 'series-cover', photos.cover);
  await typeInto(page, 'series-limit', '3');
  await typeInto(page, 'series-window', '15');

  for (const [index, item] of [
    { id: 'sun', name: '太阳', weight: '9', stock: '30', photo: photos.sun },
    { id: 'moon', name: '月亮', weight: '3', stock: '10', photo: photos.moon },
  ].entries()) {
    await page.getByTestId('series-add-item').click();
    await typeInto(page, `item-${index}-id`, item.id);
    await typeInto(page, `item-${index}-name`, item.name);
    await typeInto(page, `item-${index}-weight`, item.weight);
    await typeInto(page, `item-${index}-value`, '39.9');
    await typeInto(page, `item-${index}-stock`, item.stock);
    await upload(page, `item-${index}-picture`, item.photo);
  }
  await page.getByTestId('item-1-rarity').click();
  await page.locator('.ant-select-item-option').filter({ hasText: '稀有' }).click();

  // The odds follow the weights as they are typed: 9 and 3 of 12.
  const odds = page.getByTestId('odds-panel');
  await odds.getByText('3/4').first().waitFor();
  await odds.getByText('75.00%').first().waitFor();
  await page.getByTestId('odds-by-rarity').getByText('25.00%').waitFor();
  await expectCjkGlyphs(page);
  await shoot(page, 'console-series-editor');

  await page.getByTestId('series-save').click();
  await page.waitForURL(/\/console\/catalog\/sky-photos$/, { timeout: 30_000 });
  await page.getByText('当前概率版本 v1').waitFor();

  // On sale in the shop, with its photographs.
  const shop = (await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage;
  const listed = shop.items.find((box) => box.name === '天空摄影系列');
  expect(listed?.priceFen).toBe(3990);
  expect(listed?.coverUrl).toMatch(/^\/images\/[0-9a-f]{24}\.jpg$/);
  expect(listed?.products.map((product) => [product.name, product.weight, product.rarity])).toEqual([['太阳', 9, 'COMMON'], ['月亮', 3, 'RARE']]);

  // A weight changed while on sale: the diff, then a confirmed new version.
  await typeInto(page, 'item-1-weight', '6');
  await page.getByTestId('odds-by-rarity').getByText('2/5').waitFor();
  await page.getByTestId('series-save').click();
  const diff = page.getByTestId('version-diff');
  await diff.waitFor({ timeout: 30_000 });
  await expect(diff.innerText()).resolves.toMatch(/moon\s+3\s+6/);
  await shoot(page, 'console-odds-version');
  expect((await boxModel(server.container.db).findOne({ slug: 'sky-photos' }).lean())?.version).toBe(1);
  await page.getByRole('button', { name: '确认发布' }).click();
  await page.getByText('当前概率版本 v2').waitFor({ timeout: 30_000 });
  expect((await boxModel(server.container.db).findOne({ slug: 'sky-photos' }).lean())?.version).toBe(2);

  // Stock: five more moons, recorded with who did it.
  await page.getByRole('link', { name: '库存' }).first().click();
  await page.getByTestId('stock-items').waitFor();
  await typeInto(page, 'stock-moon-add', '5');
  await page.getByTestId('stock-moon-apply').click();
  await page.getByTestId('stock-items').getByText('15').waitFor({ timeout: 30_000 });
  await page.getByTestId('stock-history').getByText('员工 e2e-catalog').first().waitFor();
  await shoot(page, 'console-stock');

  await page.getByTestId('main-menu').getByText('系列商品').click();
  await page.getByTestId('series-table').getByText('天空摄影系列').waitFor();
  await shoot(page, 'console-series-list');
  expect(problems.filter((problem) => !/status of 401/.test(problem))).toEqual([]);
}, 240_000);
