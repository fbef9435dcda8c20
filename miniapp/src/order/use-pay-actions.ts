import type { AlipayPageResponse, JsapiPayParams } from '@blindbox/shared';
import { formatFen } from '@blindbox/shared/src/money';
import { useState } from 'react';
import { alipay } from '../platform/alipay';
import { requestPayment } from '../platform/pay';
import { payNoticeOf, type PayNotice } from '../components/pay-notice';

/** What one order's pay page and the pay-together page share: paying with either channel, and what to tell the shopper after. */
export function usePayActions() {
  const [paying, setPaying] = useState(false);
  const [notice, setNotice] = useState<PayNotice | null>(null);

  /** Asks the server for the pay sheet's parameters (`open`), shows the sheet, then `paid` moves on to the result. */
  async function payWithWechat<T extends { params: JsapiPayParams; totalFen: number }>(open: () => Promise<T>, paid: (opened: T) => Promise<unknown> | void) {
    setPaying(true);
    setNotice(null);
    try {
      const opened = await open();
      await requestPayment({ params: opened.params, amountLabel: formatFen(opened.totalFen) });
      await paid(opened);
    } catch (failure) {
      setNotice(payNoticeOf(failure));
    } finally {
      setPaying(false);
    }
  }

  async function payWithAlipay(open: () => Promise<AlipayPageResponse>) {
    if (!alipay) return;
    setPaying(true);
    setNotice(null);
    try {
      // On success the browser leaves for Alipay's cashier (which sends it back to the result page), so `paying` stays set.
      await alipay.pay(open);
    } catch (failure) {
      setNotice(payNoticeOf(failure));
      setPaying(false);
    }
  }

  return { paying, notice, payWithWechat, payWithAlipay, alipay };
}
