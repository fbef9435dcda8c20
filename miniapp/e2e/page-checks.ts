import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

/** What every page of the browser test must get right, whatever it shows. */

export const screenshotDir = path.resolve(__dirname, 'screenshots');
export const h5Dir = path.resolve(__dirname, '..', 'dist', 'h5');
/** The release H5 build (`npm run release:h5 -w miniapp`), made for the browser test with RELEASE_TEST_API_BASE. */
export const releaseH5Dir = path.resolve(__dirname, '..', 'dist', 'h5-release');

/** Debian's Chromium with a fresh profile; the flags keep it off the (closed) network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Console errors, uncaught exceptions, failed requests and image errors, collected for the whole page's life. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`));
  page.on('response', (response) => {
    if (response.request().resourceType() === 'image' && response.status() >= 400) problems.push(`image ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/**
 * Every <img> on the page has finished loading and has pixels (a broken or blocked picture has none). An <img>
 * with no src at all shows nothing and asks for nothing (Taro's H5 tab bar keeps one per tab for an icon that
 * text-only tabs do not have): it is not a picture.
 */
export async function expectNoBrokenImages(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.images].every((image) => image.complete), null, { timeout: 10_000 });
  const images = await page.evaluate(() =>
    [...document.images].filter((image) => image.getAttribute('src')).map((image) => ({ src: image.currentSrc || image.src, width: image.naturalWidth })),
  );
  expect(images.filter((image) => image.width === 0).map((image) => image.src)).toEqual([]);
}

/**
 * Chinese text renders with real glyphs. Without a CJK font Chromium draws every character as the same
 * "tofu" box, so two different characters, and a code point no font has, come out identical.
 */
export async function expectCjkGlyphs(page: Page): Promise<void> {
  const result = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d canvas');
    const family = getComputedStyle(document.body).fontFamily;
    const draw = (text: string) => {
      context.clearRect(0, 0, 64, 64);
      context.font = `48px ${family}`;
      context.fillText(text, 4, 52);
      return { width: context.measureText(text).width, pixels: Array.from(context.getImageData(0, 0, 64, 64).data).join(',') };
    };
    const tofu = draw('\u{10FFFD}');
    const box = draw('盒');
    const cabinet = draw('柜');
    return {
      tofuWidth: tofu.width,
      glyphWidth: box.width,
      likeTofu: box.pixels === tofu.pixels || cabinet.pixels === tofu.pixels,
      identical: box.pixels === cabinet.pixels,
    };
  });
  expect(result).toMatchObject({ likeTofu: false, identical: false });
  // A CJK glyph is one em wide.
  expect(result.glyphWidth).toBeCloseTo(48, 0);
}

/**
 * Where the element is laid out, once it is: a page transition can hide an element for a moment right after it
 * first showed (a one-shot `boundingBox()` then answers null; it failed so once in CI).
 */
export async function laidOutBox(locator: Locator, timeoutMs = 5_000): Promise<{ x: number; y: number; width: number; height: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const box = await locator.boundingBox();
    if (box) return box;
    if (Date.now() > deadline) throw new Error(`${locator.toString()} was not laid out within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Controls a thumb must hit: at least 44 × 44 CSS px (WCAG 2.5.5, Apple's and WeChat's guidance). */
export async function expectTapTargets(page: Page, testIds: string[]): Promise<void> {
  const small: string[] = [];
  for (const testId of testIds) {
    const box = await page.getByTestId(testId).first().boundingBox();
    if (!box) small.push(`${testId}: not visible`);
    else if (box.width < 44 || box.height < 44) small.push(`${testId}: ${box.width.toFixed(0)}×${box.height.toFixed(0)}`);
  }
  expect(small).toEqual([]);
}

/**
 * WCAG AA text contrast for every visible text node on a plain background: 4.5:1, or 3:1 for large text
 * (≥ 24 px, or ≥ 18.66 px bold). Text over a picture, a gradient or a translucent layer is skipped: its
 * background is not one colour. Disabled controls are exempt, as in WCAG.
 */
export async function expectReadableText(page: Page): Promise<void> {
  const failures = await page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (value: string): Rgba => {
      const parts = value.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
    };
    const luminance = ([r, g, b]: Rgba) =>
      [r, g, b]
        .map((channel) => channel / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, index) => sum + c * [0.2126, 0.7152, 0.0722][index]!, 0);
    const backgroundOf = (start: Element): Rgba | null => {
      for (let element: Element | null = start; element; element = element.parentElement) {
        const style = getComputedStyle(element);
        if (style.backgroundImage !== 'none' || Number(style.opacity) < 1) return null;
        const colour = parse(style.backgroundColor);
        if (colour[3] === 0) continue;
        return colour[3] === 1 ? colour : null;
      }
      return [255, 255, 255, 1];
    };
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      const element = node.parentElement;
      if (!text || !element) continue;
      const rect = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || element.closest('[aria-disabled="true"], [disabled]:not([disabled="false"])')) continue;
      const background = backgroundOf(element);
      if (!background) continue;
      // Translucent text shows the background through it.
      const [r, g, b, alpha] = parse(style.color);
      const colour: Rgba = [r * alpha + background[0] * (1 - alpha), g * alpha + background[1] * (1 - alpha), b * alpha + background[2] * (1 - alpha), 1];
      const [lighter, darker] = [luminance(colour), luminance(background)].sort((a, b) => b - a) as [number, number];
      const ratio = (lighter + 0.05) / (darker + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) found.push(`"${text.slice(0, 20)}" ${style.color} on rgb(${background.slice(0, 3).join(',')}) = ${ratio.toFixed(2)}`);
    }
    return found;
  });
  expect(failures).toEqual([]);
}

/** Waits for the route's slide-in and other one-off animations (not spinners, which never end). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}

/** A phone at its usual size; a test that needs another screen passes its own. */
export const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };

/** A page signed in as the H5 dev user `code` (the login the H5 build reads from storage), its problems watched. */
export async function pageAs(browser: Browser, code: string, options: BrowserContextOptions = PHONE): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext(options);
  await context.addInitScript((devUser) => localStorage.setItem('blindbox.devUser', JSON.stringify({ data: devUser })), code);
  const page = await context.newPage();
  return { page, problems: watchProblems(page) };
}

/** Everything above, then a screenshot (of the viewport, as a phone would show it) for a reviewer. */
export async function checkPage(page: Page, name: string, tapTargets: string[] = []): Promise<void> {
  await settle(page);
  await expectNoBrokenImages(page);
  await expectReadableText(page);
  if (tapTargets.length > 0) await expectTapTargets(page, tapTargets);
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** Answers the age sheet (shown on a first purchase only) as an adult. */
export async function declareAdultIfAsked(page: Page): Promise<void> {
  await page.locator('[data-testid="age-sheet"], [data-testid="quote"]').first().waitFor();
  if (await page.getByTestId('age-sheet').isVisible()) {
    await page.getByTestId('age-ADULT').click();
    await page.getByTestId('age-confirm').click();
    await page.getByTestId('age-sheet').waitFor({ state: 'detached' });
  }
}

/** Picks the first region the picker offers (北京市 东城区): opens the picker and confirms it. */
export async function pickRegion(page: Page): Promise<void> {
  await page.getByTestId('address-region').click();
  const ok = page.locator('.weui-picker__action', { hasText: '确定' });
  await ok.waitFor();
  await ok.click();
  await page.locator('[data-testid="address-region"]', { hasText: '北京市' }).waitFor();
}

/** Fills the confirm page's new-address fields with a test address (saved when the order is placed). */
export async function fillAddress(page: Page): Promise<void> {
  await page.locator('[data-testid="address-name"] input').fill('张三');
  await page.locator('[data-testid="address-phone"] input').fill('13800138000');
  await pickRegion(page);
  await page.locator('[data-testid="address-detail"] input').fill('世纪大道 1 号');
}

/**
 * Taps 提交并支付 once it can be tapped: the button stays disabled until the quote is in (and an inert button
 * ignores taps), so tapping earlier would do nothing. Placing the order opens the pay sheet.
 */
export async function submitOrder(page: Page): Promise<void> {
  await page.locator('[data-testid="quote-total"]', { hasNotText: '—' }).waitFor();
  await page.locator('[data-testid="submit-order"][data-inert="false"]').waitFor();
  await page.getByTestId('submit-order').click();
}

/** From a confirm page of a first purchase: answer the age sheet, add the address, order, pay in the dev pay sheet, reach the draws. */
export async function orderAndPayFirstTime(page: Page): Promise<void> {
  await declareAdultIfAsked(page);
  await page.getByTestId('address-form').waitFor();
  await fillAddress(page);
  await submitOrder(page);
  await page.getByTestId('pay-sheet-pay').click();
  await reachRevealList(page);
}

/** Latin words a shopper may see: brand names. Numbers, ¥ and punctuation are never flagged. */
const ALLOWED_LATIN = new Set(['WeChat', 'Alipay']);

/**
 * Every word a shopper sees is Chinese: fails on a Latin word in any visible text, placeholder or accessible
 * label of the page (numbers, ¥ and brand names allowed). Reusable by any shopper page's browser test.
 */
export async function expectNoLatinWords(page: Page): Promise<void> {
  const seen = await page.evaluate(() => {
    const texts: string[] = [];
    const visible = (element: Element) => {
      const rect = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      // The H5 build's dev-user switcher is a developer's tool (absent from WeChat), not the shop's words.
      if (!element || element.closest('script, style, noscript, [data-testid="dev-user-bar"]') || !visible(element)) continue;
      if (node.textContent?.trim()) texts.push(node.textContent.trim());
    }
    for (const element of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
      if (!visible(element)) continue;
      for (const name of ['placeholder', 'aria-label', 'title']) {
        const value = element.getAttribute(name);
        if (value) texts.push(value);
      }
    }
    return texts;
  });
  const latin = seen.flatMap((text) => (text.match(/[A-Za-z]+/g) ?? []).filter((word) => !ALLOWED_LATIN.has(word)).map((word) => `${word} (in "${text.slice(0, 40)}")`));
  expect(latin).toEqual([]);
}

/** What a shopper taps: buttons, links, choices, pills, tab bar items, inputs. */
const TAPPABLE = 'button, a[href], input:not([type="hidden"]), [role="button"], [role="radio"], [role="checkbox"], .link, .pill, .choice, .row-link, .footer-bar__link, .taro-tabbar__tabbar-item, .weui-picker__action';

/** Every visible control on the page is at least 44 × 44 CSS px (an input, which is a line to type in, by height only). */
export async function expectAllTapTargets(page: Page): Promise<void> {
  const small = await page.evaluate((selector) => {
    const found: string[] = [];
    for (const element of document.querySelectorAll(selector)) {
      const rect = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden') continue;
      // Inside a bigger control (the text of a button), the control is what counts.
      if (element.parentElement?.closest(selector)) continue;
      // Under a sheet or an overlay: not a target now (one scrolled out of view is checked all the same).
      const x = rect.left + rect.width / 2;
      const y = rect.top + rect.height / 2;
      if (x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight) {
        const top = document.elementFromPoint(x, y);
        if (top && !element.contains(top) && !top.contains(element)) continue;
      }
      const isInput = element.tagName === 'INPUT';
      if (rect.height < 44 || (!isInput && rect.width < 44)) {
        const name = element.getAttribute('data-testid') ?? element.closest('[data-testid]')?.getAttribute('data-testid') ?? element.className;
        found.push(`${name} "${(element.textContent ?? '').trim().slice(0, 12)}": ${rect.width.toFixed(0)}×${rect.height.toFixed(0)}`);
      }
    }
    return found;
  }, TAPPABLE);
  expect(small).toEqual([]);
}

/** More moments than any order in these tests has units: a reveal still not at its list after as many taps is stuck. */
const MOST_MOMENTS = 20;

/**
 * Waits for the reveal after paying and goes on to the list of draws, tapping 收下 through every rare draw's moment:
 * the draws decide how many there are (an order of two units can draw two secrets), so a test cannot know
 * beforehand. `scope`: the page, or one order's part of it.
 */
export async function reachRevealList(scope: Page | Locator, timeout = 30_000): Promise<void> {
  const list = scope.getByTestId('reveal-list');
  for (let taps = 0; taps <= MOST_MOMENTS; taps++) {
    await scope.locator('[data-testid="reveal-moment"], [data-testid="reveal-list"]').first().waitFor({ timeout });
    if (await list.isVisible()) return;
    // Tapping a moment just replaced by the next one taps the next one: each tap moves the reveal on.
    if (await scope.getByTestId('reveal-moment').isVisible()) await scope.getByTestId('reveal-continue').click();
  }
  throw new Error(`the reveal showed no list after ${MOST_MOMENTS} taps of 收下`);
}
