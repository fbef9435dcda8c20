import { getSimulatorUrl } from './dev-simulator';
import type { PaymentRequest } from './payment';
import './pay-sheet.h5.css';

// H5 stand-in for WeChat's pay sheet. Taro's own H5 requestPayment pretends every payment
// succeeded, so this file replaces it: the shopper decides in an in-page sheet and the
// simulator pays (or abandons) the prepay exactly as WeChat would, sending the real callback.

/**
 * A browser outside WeChat has no JSAPI pay sheet: development builds stand one in (the simulator's, below); a
 * release build pays with Alipay, or by desktop QR code (Native), on the order's page.
 */
export const IN_APP_WECHAT_PAY = process.env.TARO_APP_DEV_LOGIN === '1';

type SheetChoice = 'SUCCESS' | 'CANCEL';

function showSheet(amountLabel: string): Promise<SheetChoice> {
  return new Promise((resolve) => {
    const overlay = document.createElement('div');
    overlay.className = 'dev-pay-sheet';
    overlay.setAttribute('data-testid', 'pay-sheet');
    const panel = document.createElement('div');
    panel.className = 'dev-pay-sheet__panel';
    const title = document.createElement('div');
    title.className = 'dev-pay-sheet__title';
    title.textContent = '模拟微信支付';
    const amount = document.createElement('div');
    amount.className = 'dev-pay-sheet__amount';
    amount.setAttribute('data-testid', 'pay-sheet-amount');
    amount.textContent = amountLabel;
    panel.append(title, amount);
    for (const [choice, label] of [['SUCCESS', '确认支付'], ['CANCEL', '取消']] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.className = `dev-pay-sheet__button dev-pay-sheet__button--${choice.toLowerCase()}`;
      button.setAttribute('data-testid', choice === 'SUCCESS' ? 'pay-sheet-pay' : 'pay-sheet-cancel');
      button.addEventListener('click', () => {
        overlay.remove();
        resolve(choice);
      });
      panel.append(button);
    }
    overlay.append(panel);
    document.body.append(overlay);
  });
}

async function tellSimulator(baseUrl: string, prepayId: string, result: SheetChoice): Promise<void> {
  const response = await fetch(`${baseUrl}/sim/pay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prepayId, result }),
  });
  if (!response.ok) throw new Error(`simulator answered HTTP ${response.status}`);
}

function fail(error: unknown): { errMsg: string } {
  return { errMsg: `requestPayment:fail ${error instanceof Error ? error.message : String(error)}` };
}

/** Settles like `wx.requestPayment`: resolves when paid, rejects with `requestPayment:fail …` otherwise. */
export async function requestPayment({ params, amountLabel }: PaymentRequest): Promise<void> {
  const prepayId = params.package.slice('prepay_id='.length);
  let baseUrl: string;
  try {
    baseUrl = await getSimulatorUrl();
  } catch (error) {
    throw fail(error);
  }
  const choice = await showSheet(amountLabel);
  if (choice === 'CANCEL') {
    // A cancel leaves the prepay open whether or not the simulator heard about it, as in WeChat.
    await tellSimulator(baseUrl, prepayId, 'CANCEL').catch(() => undefined);
    throw { errMsg: 'requestPayment:fail cancel' };
  }
  try {
    await tellSimulator(baseUrl, prepayId, 'SUCCESS');
  } catch (error) {
    throw fail(error);
  }
}
