import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff } from '../../test/support/console';
import { exportBox } from '../../src/catalog/catalog-export';
import { catalogZip } from '../../src/catalog/catalog-zip';
import { boxModel } from '../../src/catalog/box.model';
import { launchChromium } from '../../../miniapp/e2e/page-checks';
import { consolePage, signInStaff } from './console-browser';

/**
 * 导入系列文件 in a real Chromium: an operator uploads an edited catalog zip, reads the plan (a new odds version
 * with its weight diff, an update, an unchanged series), confirms it, and is told what changed. The plan dialog's
 * screenshot goes to docs/screenshots/.
 */
const consoleDist = path.resolve(__dirname, '..', 'dist');
const screenshotDir = path.resolve(__dirname, '..', '..', '..', 'docs', 'screenshots');
let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  if (!fs.existsSync(path.join(consoleDist, 'index.html'))) throw new Error('no console build: run `npm run build -w server/console` (npm test does)');
  server = await startTestServer({ env: { CONSOLE_DIR: consoleDist } });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('an operator imports an edited catalog zip: the plan with its version diff, then 确认导入', async () => {
  const db = server.container.db;
  const files = unzipSync(catalogZip([await exportBox(db, 'dessert-elf'), await exportBox(db, 'starry-cat'), await exportBox(db, 'forest-friends')]));
  files['dessert-elf.yaml'] = strToU8(strFromU8(files['dessert-elf.yaml']!).replace('weight: 15\n', 'weight: 25\n'));
  files['forest-friends.yaml'] = strToU8(strFromU8(files['forest-friends.yaml']!).replace('name: 森林伙伴', 'name: 森林伙伴（新版）'));
  const zip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shot-')), 'catalog-edited.zip');
  fs.writeFileSync(zip, zipSync(files));
  const operator = await createStaff(server, 'e2e-files', 'operator', { totp: true });
  const { page, problems } = await consolePage(browser);
  await signInStaff(page, `${server.url}/console/catalog`, operator, server.clock.now());
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('catalog-import').click({ timeout: 30_000 })]);
  await chooser.setFiles(zip);
  await page.getByText('发布概率版本 v2').first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(screenshotDir, 'console-catalog-import-plan.png') });
  await page.getByRole('button', { name: '确认导入' }).click();
  await page.getByText('已导入：2 个系列有改动').waitFor({ timeout: 30_000 });
  expect((await boxModel(db).findOne({ slug: 'dessert-elf' }).lean())?.version).toBe(2);
  // The console asks who is signed in before the login: those 401s are expected.
  expect(problems.filter((problem) => !problem.includes('401'))).toEqual([]);
}, 180_000);
