import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** What every page of the browser test must get right, whatever it shows. */

export const screenshotDir = path.resolve(__dirname, 'screenshots');
export const h5Dir = path.resolve(__dirname, '..', 'dist', 'h5');

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

/** Everything above, then a screenshot (of the viewport, as a phone would show it) for a reviewer. */
export async function checkPage(page: Page, name: string, tapTargets: string[] = []): Promise<void> {
  await settle(page);
  await expectNoBrokenImages(page);
  await expectReadableText(page);
  if (tapTargets.length > 0) await expectTapTargets(page, tapTargets);
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** Fills and saves the confirm page's address form with a test address. */
export async function fillAddress(page: Page): Promise<void> {
  await page.locator('[data-testid="address-name"] input').fill('张三');
  await page.locator('[data-testid="address-phone"] input').fill('13800138000');
  await page.locator('[data-testid="address-region"] input').fill('上海市 浦东新区');
  await page.locator('[data-testid="address-detail"] input').fill('世纪大道 1 号');
  await page.getByTestId('address-save').click();
  // Saved and chosen only once it is listed: ordering before that races the save on a slow machine.
  await page.getByTestId('address-option').first().waitFor();
}

/**
 * Submits the confirm page once it can be submitted: the button stays disabled until the quote is in and an
 * address is chosen, and a click on Taro's disabled button is swallowed rather than retried.
 */
export async function submitOrder(page: Page): Promise<void> {
  await page.locator('[data-testid="quote-total"]', { hasNotText: '—' }).waitFor();
  await page.locator('[data-testid="address-option"].choice--active').waitFor();
  await page.getByTestId('submit-order').click();
}

/** From a confirm page with no saved address: add one, order, pay in the dev pay sheet, and reach the list of draws. */
export async function orderAndPayFirstTime(page: Page): Promise<void> {
  await page.getByTestId('address-form').waitFor();
  await fillAddress(page);
  await submitOrder(page);
  await page.getByTestId('pay-button').click();
  await page.getByTestId('pay-sheet-pay').click();
  await reachRevealList(page);
}

/**
 * Waits for the reveal after paying and goes on to the list of draws: a rare enough draw first gets its own moment
 * (which the draw decides, so a test cannot know beforehand). `scope`: the page, or one order's part of it.
 */
export async function reachRevealList(scope: Page | Locator, timeout = 30_000): Promise<void> {
  await scope.locator('[data-testid="reveal-moment"], [data-testid="reveal-list"]').first().waitFor({ timeout });
  if (await scope.getByTestId('reveal-moment').isVisible()) await scope.getByTestId('reveal-continue').click();
  await scope.getByTestId('reveal-list').waitFor();
}
