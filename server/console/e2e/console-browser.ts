import type { Browser, Page } from 'playwright-core';
import { totpCode, STAFF_PASSWORD } from '../../test/support/console';
import { watchProblems } from '../../../miniapp/e2e/page-checks';

/** The desk size the console is photographed at. */
export const CONSOLE_VIEWPORT = { width: 1440, height: 900 };

export interface ConsolePageOptions {
  viewport?: { width: number; height: number };
  /** The browser's own zone: the console must show Beijing time whatever it is. Unset: the machine's. */
  timezoneId?: string;
  /** Count every answer of 400 or more as a problem too (but 401: the session check before logging in). */
  httpErrors?: boolean;
}

/** A fresh page of a staff member's browser (Chinese locale), with its console errors and failed loads watched. */
export async function consolePage(browser: Browser, { viewport = CONSOLE_VIEWPORT, timezoneId, httpErrors = false }: ConsolePageOptions = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', ...(timezoneId ? { timezoneId } : {}) });
  const page = await context.newPage();
  const problems = watchProblems(page);
  if (httpErrors) {
    // Which request failed: the console message alone does not say.
    page.on('response', (response) => {
      if (response.status() >= 400 && response.status() !== 401) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    });
  }
  return { page, problems };
}

/**
 * Opens `url` and logs `member` in through the login form, with its authenticator's code when it has one; the
 * caller waits for the page it expects to land on.
 */
export async function signInStaff(page: Page, url: string, member: { username: string; totpSecret?: string | null }, now: Date): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-username').fill(member.username);
  await page.getByTestId('login-password').fill(STAFF_PASSWORD);
  await page.getByTestId('login-submit').click();
  if (!member.totpSecret) return;
  await page.getByTestId('login-totp').fill(await totpCode(member.totpSecret, now));
  await page.getByTestId('login-submit').click();
}
