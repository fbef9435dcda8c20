import type { Browser } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { userModel, type UserDoc } from '../../server/src/users/user.model';
import { checkPage } from './page-checks';
import { useH5Stack } from './h5-stack';

/** A shopper who declares 8–17, and the guardian's own consent page they are sent to, in a real browser. */

let server: TestServer;
let browser: Browser;

useH5Stack((stack) => {
  ({ server, browser } = stack);
});

test('8–17 declaration → the guardian fills the consent page → recorded, shown, revocable', async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 812 } });
  await page.goto(`${server.url}/#/pages/me/index`);
  await page.getByTestId('me-declare-age').click();
  await page.getByTestId('age-MINOR_8_17').click();
  await page.getByTestId('age-confirm').click();
  // 8–17 cannot be changed later: the sheet asks once more.
  await page.getByTestId('age-confirm-final').click();
  await page.getByTestId('profile-guardian').waitFor();
  expect(await page.getByTestId('profile-guardian').textContent()).toContain('需监护人本人确认同意');
  await checkPage(page, 'profile-minor', ['profile-guardian-link']);

  await page.getByTestId('profile-guardian-link').click();
  await page.getByTestId('guardian-form').waitFor();
  // Not confirmed yet: the button stays off.
  expect(await page.getByTestId('guardian-submit').getAttribute('disabled')).not.toBeNull();
  await page.locator('[data-testid="guardian-name"] input').fill('李妈妈');
  await page.getByTestId('guardian-relationship-PARENT').click();
  await page.locator('[data-testid="guardian-phone"] input').fill('13912345678');
  await checkPage(page, 'guardian-form', ['guardian-relationship-PARENT', 'guardian-relationship-OTHER_GUARDIAN']);
  await page.getByTestId('guardian-declared').click();
  await page.getByTestId('guardian-submit').click();

  await page.getByTestId('guardian-consent').waitFor();
  expect(await page.getByTestId('guardian-consent').textContent()).toContain('李妈妈（父母，139****5678）');
  await checkPage(page, 'guardian-consent', ['guardian-revoke']);
  const users = await userModel(server.container.db).find({ 'age.bracket': 'MINOR_8_17' }).lean<UserDoc[]>();
  expect(users.map((user) => user.guardianConsent?.guardianPhone)).toEqual(['13912345678']);

  page.on('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('guardian-revoke').click();
  // Taro's H5 modal is its own markup: confirm it.
  const confirm = page.locator('.taro-modal__foot .taro-modal__btn-primary, .taro__modal .taro-modal__btn-primary').first();
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  else await page.getByText('确定').last().click();
  await page.getByTestId('guardian-form').waitFor();
  expect(await page.getByTestId('guardian-message').textContent()).toContain('已撤回');
  await page.close();
});
