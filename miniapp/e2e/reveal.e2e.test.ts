import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Box, BoxPage, Order, Rarity } from '@blindbox/shared';
import type { Browser, Page } from 'playwright-core';
import { beijingMonthDayTime } from '@blindbox/shared/src/beijing-time';
import type { TestServer } from '../../server/test/support/test-server';
import { buyer } from '../../server/test/fault/fault-support';
import { boxFile, catalogDir } from '../../server/test/support/catalog-files';
import { payAndWait } from '../../server/test/support/sets';
import { setStock } from '../../server/test/support/stock';
import { waitUntil } from '../../server/test/support/wechatpay-harness';
import { runAdminCommand } from '../../server/src/admin/run-admin-command';
import { boxModel } from '../../server/src/catalog/box.model';
import { coverSvg, figureSvg } from '../../server/src/catalog/images.art';
import { orderModel } from '../../server/src/orders/order.model';
import { boxSetModel } from '../../server/src/sets/set.model';
import { checkPage, expectAllTapTargets, expectNoLatinWords, reachRevealList, watchProblems } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * The reveal, the shelf and the 端盒 grid as a shopper on a phone meets them (375×812, real Chromium, the real
 * server and pay simulator): every unit's card with its rarity's effect, a secret draw's moment that 跳过 does
 * not skip, 再来一个 to the pay sheet, the H5 share poster; the shelf's sections and stock words; the grid's
 * inert 整盒, no price before a pick, and 换一盒.
 */

const PHONE = { viewport: { width: 375, height: 812 } };
const RARITIES: Rarity[] = ['COMMON', 'RARE', 'EPIC', 'SECRET'];

let server: TestServer;
let browser: Browser;
let alice: Awaited<ReturnType<typeof buyer>>;
/** A box of four items, one of each rarity, one unit each: an order of four draws exactly one of each. */
let fourBox: Box;

useH5Stack(async (stack) => {
  ({ server, browser } = stack);
  // The H5 build logs in as dev-alice; her age is declared and an address saved through the API.
  alice = await buyer(server, 'dev-alice');
  const file = boxFile('reveal-four', Object.fromEntries(RARITIES.map((rarity) => [`reveal-${rarity.toLowerCase()}`, { rarity, weight: 1, stock: 1 }])), {
    name: '四季精灵',
    purchaseLimit: 10,
    sortOrder: 99,
  });
  file.items.forEach((item, index) => (item.name = ['春芽', '夏荷', '秋枫', '冬雪'][index]!));
  const dir = await catalogDir([file]);
  // Real pictures (the helper's are blank), so the cards and the poster have something to show.
  const series = { motif: 'forest', sky: ['#134e2a', '#6fbf73'], cover: { hero: { body: '#f08a24', accent: '#fff5e6', mark: 'none' }, pattern: 'leaves', band: '#6b4a2b' } } as const;
  await writeFile(path.join(dir, file.cover), coverSvg(series));
  for (const item of file.items) await writeFile(path.join(dir, item.picture), figureSvg(series, { body: '#f08a24', accent: '#fff5e6', mark: 'star' }, item.rarity));
  expect((await runAdminCommand(server.container, ['box', 'import', dir])).exitCode).toBe(0);
  const boxes = ((await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage).items;
  fourBox = boxes.find((box) => box.name === '四季精灵')!;
});

async function paidOrder(boxId: string, quantity: number): Promise<Order> {
  const order = await alice.orderNow([{ boxId, quantity }]);
  await payAndWait(server, alice.api, order.id);
  return alice.order(order.id);
}

/** What every shopper page must get right, then the Latin-word and 44 px scans of the first-time journey's test. */
async function shopperCheck(page: Page, name: string, tapTargets: string[] = []): Promise<void> {
  await checkPage(page, name, tapTargets);
  await expectNoLatinWords(page);
  await expectAllTapTargets(page);
}

const openResult = async (page: Page, orderId: string) => page.goto(`${server.url}/#/order/result/index?orderId=${orderId}`);

test('four draws: 跳过 shortens the opening but not the secret and epic moments, then one full-width card per unit, each with its rarity effect; the H5 share poster is an image', async () => {
  const order = await paidOrder(fourBox.id, 4);
  expect(order.draws.map((draw) => draw.rarity).sort()).toEqual([...RARITIES].sort());

  const page = await browser.newPage(PHONE);
  const problems = watchProblems(page);
  await openResult(page, order.id);
  await page.getByTestId('reveal-stage').waitFor({ timeout: 30_000 });
  await page.getByTestId('reveal-skip').click();
  // The rarest first, and each waits for 收下: skipping the opening never skips a rare item's moment.
  const moment = page.getByTestId('reveal-moment');
  await moment.waitFor();
  expect(await moment.getAttribute('data-rarity')).toBe('SECRET');
  expect(await page.getByTestId('reveal-skip').count()).toBe(0);
  expect(await page.getByTestId('reveal-list').count()).toBe(0);
  await shopperCheck(page, 'reveal-secret-moment', ['reveal-continue']);
  await page.getByTestId('reveal-continue').click();
  await page.locator('[data-testid="reveal-moment"][data-rarity="EPIC"]').waitFor();
  await page.getByTestId('reveal-continue').click();

  await page.getByTestId('reveal-list').waitFor();
  const cards = page.getByTestId('reveal-item');
  expect(await cards.count()).toBe(4);
  const looks = await cards.evaluateAll((elements) =>
    elements.map((card) => {
      const effect = card.querySelector('[data-testid="reveal-effect"]')!;
      const style = getComputedStyle(effect);
      return {
        rarity: card.getAttribute('data-rarity'),
        effect: card.getAttribute('data-effect'),
        animation: style.animationName,
        background: style.backgroundImage,
        // Layout widths: the cards may still be growing into place.
        width: (card as HTMLElement).offsetWidth,
        pageWidth: card.parentElement!.clientWidth,
      };
    }),
  );
  // Full width: each card spans the page's column, one under the other.
  for (const look of looks) expect(look.width).toBe(look.pageWidth);
  // Every rarity has an effect of its own, common included, and each one moves.
  expect(new Set(looks.map((look) => look.effect)).size).toBe(4);
  expect(new Set(looks.map((look) => look.background)).size).toBe(4);
  expect(looks.filter((look) => look.animation === 'none' || look.background === 'none')).toEqual([]);
  await shopperCheck(page, 'reveal-cards');

  await page.getByTestId('share-button').click();
  // Taro's <Image> is a custom element that puts its <img> in once it is upgraded.
  await page.locator('[data-testid="share-poster"] img, img[data-testid="share-poster"]').first().waitFor();
  const picture = await page.evaluate(async () => {
    const image = document.querySelector<HTMLImageElement>('[data-testid="share-poster"] img, img[data-testid="share-poster"]')!;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    // The picture's middle is the drawn item, not the backdrop: many colours, not one.
    const middle = context.getImageData(200, 300, 350, 350).data;
    const colours = new Set<string>();
    for (let index = 0; index < middle.length; index += 4 * 97) colours.add(`${middle[index]},${middle[index + 1]},${middle[index + 2]}`);
    return { src: image.src.slice(0, 22), width: image.naturalWidth, height: image.naturalHeight, colours: colours.size };
  });
  expect(picture).toMatchObject({ src: 'data:image/png;base64,', width: 750, height: 1200 });
  expect(picture.colours).toBeGreaterThan(5);
  expect(await page.getByTestId('share-poster-save').getAttribute('download')).toMatch(/\.png$/);
  await shopperCheck(page, 'reveal-share-poster', ['share-poster-close']);
  await page.getByTestId('share-poster-close').click();

  // Each card's 验证公平性 opens a proof that speaks to the shopper: the item's name, when it can be checked.
  await page.getByTestId('proof-link').first().click();
  await page.getByTestId('proof-page').waitFor();
  expect(await page.getByTestId('proof-verdict').getAttribute('data-verdict')).toBe('PENDING');
  expect(await page.getByTestId('proof-verify-after').textContent()).toMatch(/^可在 \d{1,2} 月 \d{1,2} 日 \d{2}:\d{2} 后验证$/);
  expect(await page.getByTestId('proof-product').textContent()).toContain(order.draws[0]!.name);
  expect(await page.getByTestId('proof-odds').count()).toBe(4);
  const shopperText = await page.getByTestId('proof-page').innerText();
  expect(shopperText).not.toMatch(/npm|\{"|[0-9a-f]{16}|reveal-[a-z]+/);
  await shopperCheck(page, 'proof-pending', ['proof-developer-toggle']);
  await page.getByTestId('proof-developer-toggle').click();
  expect(JSON.parse((await page.getByTestId('proof-json').textContent()) ?? '{}')).toMatchObject({ orderId: order.id, productId: order.draws[0]!.productId });
  expect(problems).toEqual([]);
  await page.close();
}, 180_000);

test('odds fractions on the rules page stay on one line', async () => {
  const page = await browser.newPage(PHONE);
  await page.goto(`${server.url}/#/fair/rules/index?boxId=${fourBox.id}`);
  await page.getByTestId('rules-odds-fraction').first().waitFor();
  // One line: no taller than its line height (two lines would be twice it).
  const lines = await page.getByTestId('rules-odds-fraction').evaluateAll((elements) =>
    elements.map((element) => [element.textContent, element.getBoundingClientRect().height < parseFloat(getComputedStyle(element).lineHeight) * 1.5]),
  );
  expect(lines).toEqual(lines.map(([text]) => [text, true]));
  await page.close();
}, 60_000);

test('with reduced motion the box does not open on screen and the effects stand still, but a rare moment still comes first', async () => {
  const box = (await boxModel(server.container.db).findOne({ slug: 'starry-cat' }).lean())!;
  const order = await paidOrder(box._id.toHexString(), 1);
  const page = await browser.newPage({ ...PHONE, reducedMotion: 'reduce' });
  await openResult(page, order.id);
  await page.locator('[data-testid="reveal-moment"], [data-testid="reveal-list"]').first().waitFor({ timeout: 30_000 });
  expect(await page.getByTestId('reveal-stage').count()).toBe(0);
  await reachRevealList(page);
  expect(await page.getByTestId('reveal-effect').first().evaluate((effect) => getComputedStyle(effect).animationName)).toBe('none');
  await page.close();
}, 120_000);

test('再来一个 places one more of the same box and opens the pay sheet at once; paying it reveals the new order', async () => {
  const box = (await boxModel(server.container.db).findOne({ slug: 'starry-cat' }).lean())!;
  const boxId = box._id.toHexString();
  const first = await paidOrder(boxId, 1);
  const page = await browser.newPage(PHONE);
  const problems = watchProblems(page);
  await openResult(page, first.id);
  await reachRevealList(page);
  await shopperCheck(page, 'reveal-one-more', ['one-more', 'share-button']);

  await page.getByTestId('one-more').click();
  await page.getByTestId('pay-sheet').waitFor({ timeout: 20_000 });
  expect(await page.getByTestId('pay-sheet-amount').textContent()).toBe(`¥${(box.priceFen / 100).toFixed(2)}`);
  const second = await waitUntil(
    async () => (await orderModel(server.container.db).findOne({ 'items.boxId': box._id, status: 'TO_BE_PAID' }).lean()) ?? null,
    10_000,
    'the one-more order',
  );
  expect(second.items).toHaveLength(1);
  expect(second.items[0]!.quantity).toBe(1);
  await page.getByTestId('pay-sheet-pay').click();
  await page.waitForURL((url) => url.hash.includes(second._id.toHexString()), { timeout: 20_000 });
  await reachRevealList(page);
  expect(await page.getByTestId('reveal-item').count()).toBe(1);
  expect(problems).toEqual([]);
  await page.close();
}, 180_000);

test('the shelf: two columns in sections 新品, 即将开售 (Beijing time) and 全部在售, 端盒 marked, 仅剩 N and 已售罄 instead of counts', async () => {
  const Box = boxModel(server.container.db);
  const idOf = async (slug: string) => (await Box.findOne({ slug }).lean())!._id;
  // An older box (not new any more), a drop tomorrow, one nearly gone and one sold out.
  await Box.collection.updateOne({ _id: await idOf('forest-friends') }, { $set: { createdAt: new Date(Date.now() - 40 * 86_400_000) } });
  const opensAt = new Date(Math.ceil((Date.now() + 86_400_000) / 60_000) * 60_000);
  expect((await runAdminCommand(server.container, ['drop', 'dessert-elf', '--at', opensAt.toISOString()])).exitCode).toBe(0);
  await setStock(server, (await idOf('mecha-boy')).toHexString(), 3);
  await setStock(server, (await idOf('starry-cat')).toHexString(), 0);

  const page = await browser.newPage(PHONE);
  const problems = watchProblems(page);
  await page.goto(`${server.url}/#/pages/boxes/index`);
  await page.getByTestId('shelf-section').first().waitFor();
  const sections = await page.getByTestId('shelf-section').evaluateAll((elements) =>
    elements.map((section) => ({
      section: section.getAttribute('data-section'),
      names: [...section.querySelectorAll('[data-testid="box-name"]')].map((name) => name.textContent),
    })),
  );
  expect(sections.map((entry) => entry.section)).toEqual(['NEW', 'COMING', 'ON_SALE']);
  expect(sections.find((entry) => entry.section === 'COMING')?.names).toEqual(['甜品精灵']);
  expect(sections.find((entry) => entry.section === 'ON_SALE')?.names).toEqual(['森林伙伴']);

  const card = (name: string) => page.getByTestId('box-item').filter({ has: page.getByTestId('box-name').getByText(name, { exact: true }) });
  expect(await card('甜品精灵').getByTestId('coming-soon-time').textContent()).toBe(beijingMonthDayTime(opensAt));
  expect(await card('机甲少年').getByTestId('box-stock').textContent()).toBe('仅剩 3');
  expect(await card('星空猫咪').getByTestId('box-stock').textContent()).toBe('已售罄');
  expect(await card('月兔端盒').getByTestId('set-box-tag').textContent()).toBe('端盒');
  // No raw counts anywhere on the shelf.
  expect(await page.locator('body').innerText()).not.toMatch(/库存/);
  // Two columns: the first two cards of a section share a row.
  const [left, right] = await page.locator('[data-section="NEW"] [data-testid="box-item"]').evaluateAll((elements) => elements.slice(0, 2).map((element) => element.getBoundingClientRect()));
  expect(left!.top).toBe(right!.top);
  expect(right!.left).toBeGreaterThan(left!.right);
  await shopperCheck(page, 'shelf-sections', ['box-item']);
  expect(problems).toEqual([]);
  await page.close();

  await setStock(server, (await idOf('starry-cat')).toHexString(), 300);
}, 120_000);

test('the 端盒 grid: no price before a pick, 请选位置 and 整盒 inert when they cannot act, 换一盒 moves to another set', async () => {
  const box = (await boxModel(server.container.db).findOne({ slug: 'moon-rabbit-set' }).lean())!;
  const boxId = box._id.toHexString();
  // Someone holds the first position of every open set: none can be bought whole.
  const bob = await buyer(server, 'dev-grid-bob');
  for (const set of await boxSetModel(server.container.db).find({ boxId: box._id, state: 'ON_SALE' }).lean()) {
    await bob.orderNow([{ boxId, quantity: 1, setPick: { setId: set._id.toHexString(), positions: [0] } }]);
  }

  const page = await browser.newPage(PHONE);
  const problems = watchProblems(page);
  await page.goto(`${server.url}/#/sets/grid/index?boxId=${boxId}`);
  const grid = page.getByTestId('set-grid-page');
  await grid.waitFor();
  expect(await page.getByTestId('set-cell').count()).toBe(6);
  expect(await page.locator('[data-testid="set-cell"][data-position="0"]').getAttribute('data-state')).toBe('HELD');
  // Nothing picked: no price in the footer, and neither button does anything.
  expect(await page.getByTestId('set-total').textContent()).not.toMatch(/¥/);
  const whole = page.getByTestId('buy-whole-set');
  expect(await whole.getAttribute('data-inert')).toBe('true');
  expect(await whole.textContent()).toBe('整盒已拆');
  expect(await page.getByTestId('buy-picked').getAttribute('data-inert')).toBe('true');
  await shopperCheck(page, 'sets-grid-empty', ['set-cell', 'change-set']);
  // Forced: the controls say they are disabled, and a tap on them must still do nothing.
  await whole.click({ force: true });
  await page.getByTestId('buy-picked').click({ force: true });
  // A taken position does not pick either.
  await page.locator('[data-testid="set-cell"][data-position="0"]').click({ force: true });
  expect(await page.locator('[data-testid="set-cell"][aria-pressed="true"]').count()).toBe(0);

  // 换一盒: another open set, with its own number.
  const before = { id: await grid.getAttribute('data-set-id'), title: await page.getByTestId('set-title').textContent() };
  await page.getByTestId('change-set').click();
  await page.locator(`[data-testid="set-grid-page"]:not([data-set-id="${before.id}"])`).waitFor();
  expect(await page.getByTestId('set-title').textContent()).not.toBe(before.title);

  await page.locator('[data-testid="set-cell"][data-position="3"]').click();
  expect(await page.getByTestId('set-total').textContent()).toBe(`¥${(box.priceFen / 100).toFixed(2)}`);
  await shopperCheck(page, 'sets-grid-picked', ['set-cell', 'buy-picked', 'buy-whole-set', 'change-set']);
  await page.getByTestId('buy-picked').click();
  // Only the pick was ordered: had 整盒 or the empty 请选位置 acted, this would be another page.
  await page.getByTestId('confirm-pick').waitFor();
  expect(await page.getByTestId('confirm-pick').textContent()).toContain('4');
  expect(page.url()).not.toContain('whole=1');
  expect(problems.filter((problem) => !problem.includes('409'))).toEqual([]);
  await page.close();
}, 120_000);
