import fs from 'node:fs';
import path from 'node:path';
import { miniappMainPackageKb } from '../../server/bench/miniapp-size';

/**
 * The WeChat build that DevTools opens (`npm test` builds it first): the right pages and subpackage, the real
 * requestPayment call, and none of the H5 development adapters that talk to the simulator.
 */
const weappDir = path.resolve(__dirname, '..', 'dist', 'weapp');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}

test('project.config.json points WeChat DevTools at the weapp build', () => {
  const project = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'project.config.json'), 'utf8')) as { miniprogramRoot: string };
  expect(path.resolve(__dirname, '..', '..', project.miniprogramRoot)).toBe(weappDir);
});

test('the weapp build has the shop pages, the order, collection, fairness and whole-set subpackages, the real payment call and no simulator adapter', () => {
  const app = JSON.parse(fs.readFileSync(path.join(weappDir, 'app.json'), 'utf8')) as { pages: string[]; subPackages: Array<{ root: string; pages: string[] }> };
  expect(app.pages).toEqual(['pages/boxes/index', 'pages/collection/index', 'pages/orders/index', 'pages/me/index', 'pages/box/index']);
  // The tab pages are in the main package, as WeChat requires.
  const tabs = (app as unknown as { tabBar: { list: Array<{ pagePath: string; text: string }> } }).tabBar.list;
  expect(tabs.map((tab) => [tab.pagePath, tab.text])).toEqual([
    ['pages/boxes/index', '首页'],
    ['pages/collection/index', '盒柜'],
    ['pages/orders/index', '订单'],
    ['pages/me/index', '我的'],
  ]);
  expect((app as unknown as { __usePrivacyCheck__: boolean }).__usePrivacyCheck__).toBe(true);
  expect(app.subPackages).toEqual([
    { root: 'order', pages: expect.arrayContaining(['confirm/index', 'result/index', 'detail/index']) },
    { root: 'me', pages: ['privacy/index'] },
    { root: 'fair', pages: ['rules/index', 'proof/index', 'guardian/index'] },
    { root: 'sets', pages: ['grid/index', 'verify/index'] },
  ]);

  const scripts = files(weappDir).filter((file) => file.endsWith('.js'));
  const text = (file: string) => fs.readFileSync(file, 'utf8');
  expect(scripts.some((file) => text(file).includes('requestPayment'))).toBe(true);
  // 开售提醒 and the order's notices ask WeChat itself (the H5 twin only explains).
  expect(scripts.some((file) => text(file).includes('requestSubscribeMessage'))).toBe(true);
  expect(scripts.filter((file) => /\/sim\/pay|\/sim\/native|api\/dev\/config|dev-alice|matchMedia/.test(text(file))).map((file) => path.relative(weappDir, file))).toEqual([]);
});

test('the main package WeChat downloads first stays within 600 KB, and no picture is bundled but the tab icons', () => {
  expect(miniappMainPackageKb(weappDir)).toBeLessThanOrEqual(600);
  const pictures = files(weappDir).filter((file) => /\.(png|jpe?g|gif|svg|webp)$/.test(file));
  expect(pictures.filter((file) => !/assets\/tab\/[a-z]+-(normal|active)\.png$/.test(file))).toEqual([]);
});

test('我的 binds the phone number with WeChat’s getPhoneNumber button (the SMS sign-in page is the H5 shop’s only)', () => {
  const built = files(weappDir).filter((file) => /\.(js|wxml)$/.test(file)).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
  expect(built).toContain('getPhoneNumber');
  expect(built).toContain('/api/me/phone');
});

test('the weapp build offers WeChat Pay only: no Alipay button or cashier form code', () => {
  const scripts = files(weappDir).filter((file) => file.endsWith('.js'));
  const offering = /支付宝|\\u652f\\u4ed8\\u5b9d|querySelector\("form"\)/i;
  expect(scripts.filter((file) => offering.test(fs.readFileSync(file, 'utf8'))).map((file) => path.relative(weappDir, file))).toEqual([]);
});
