import fs from 'node:fs';
import path from 'node:path';
import type { BoxPage } from '@blindbox/shared';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { runAdminCommand } from '../../server/src/admin/run-admin-command';
import { boxModel } from '../../server/src/catalog/box.model';
import { devNotifyEnv } from '../../server/dev/subscribe-templates';
import { DEV_SUBSCRIBE_TEMPLATES } from '../../server/simulator/src/routes/subscribe-messages';
import { checkPage, screenshotDir } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * 开售提醒 on the box page, in the H5 build at a phone's size: shown on a scheduled drop only, explained in a
 * browser (WeChat's subscribe sheet exists only in the mini-program), and shown as set once the shopper has
 * subscribed (here recorded through the API, as the mini-program does after WeChat's sheet).
 */

let server: TestServer;
let browser: Browser;

useH5Stack(
  (stack) => {
    ({ server, browser } = stack);
  },
  { env: devNotifyEnv() },
);

async function phonePage(): Promise<Page> {
  return browser.newPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 });
}

test('开售提醒 shows on a scheduled drop only; a browser is told to subscribe in WeChat; a subscribed shopper sees it set', async () => {
  const boxes = ((await (await fetch(`${server.url}/api/boxes`)).json()) as BoxPage).items;
  const [scheduled, open] = [boxes[0]!, boxes[1]!];
  const slug = (await boxModel(server.container.db).findById(scheduled.id).lean())!.slug;
  const opensAt = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
  expect((await runAdminCommand(server.container, ['drop', slug, '--at', opensAt.toISOString()])).exitCode).toBe(0);

  const page = await phonePage();
  await page.goto(`${server.url}/#/pages/box/index?id=${open.id}`);
  await page.getByTestId('order-button').waitFor();
  expect(await page.getByTestId('drop-reminder').count()).toBe(0);

  await page.goto(`${server.url}/#/pages/box/index?id=${scheduled.id}`);
  const button = page.getByTestId('drop-reminder');
  await button.waitFor();
  expect(await button.textContent()).toBe('开售提醒');
  await checkPage(page, 'phone-drop-reminder', ['drop-reminder']);

  await button.click();
  const modal = page.locator('.taro-modal__content');
  await modal.waitFor();
  expect(await modal.textContent()).toContain('请在微信里打开「盲盒商店」小程序');
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, 'phone-drop-reminder-browser.png') });
  await page.getByText('知道了').click();

  // The mini-program's path: WeChat answered accept, the page records it; the box page then shows it set.
  // The H5 build logs in as the dev user `dev-alice` (simulator code2session): the same shopper over the API.
  const token = await server.login('dev-alice');
  const recorded = await fetch(`${server.url}/api/notifications/grants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ answers: { [DEV_SUBSCRIBE_TEMPLATES.dropOpening.id]: 'accept' }, boxId: scheduled.id }),
  });
  expect(recorded.status).toBe(201);
  await page.reload();
  const set = page.getByTestId('drop-reminder');
  await page.waitForFunction(() => document.querySelector('[data-testid="drop-reminder"]')?.textContent === '✓ 已设提醒', undefined, { timeout: 20_000 });
  expect(await set.textContent()).toBe('✓ 已设提醒');
  await checkPage(page, 'phone-drop-reminder-set');
}, 90_000);
