import type { AlipayPageResponse, JsapiPayParams } from '@blindbox/shared';
import { formatFen } from '@blindbox/shared/src/money';
import { useRef, useState } from 'react';
import { alipay } from '../platform/alipay';
import { IN_APP_WECHAT_PAY, requestPayment } from '../platform/pay';
import { payNoticeOf, type PayNotice } from '../components/pay-notice';

/** What one order's pay page and the pay-together page share: paying with either channel, and what to tell the shopper after. */
export function usePayActions() {
  const [paying, setPaying] = useState(false);
  const [notice, setNotice] = useState<PayNotice | null>(null);
  // Set before any await: a second tap in the same frame sees it, where `paying` (state) is not yet updated.
  const underway = useRef(false);

  /**
   * Asks the server for the pay sheet's parameters (`open`), shows the sheet, then `paid` moves on to the result.
   * Answers what to tell the shopper when the sheet did not end in a payment (null when it did). A second call
   * while one is under way is ignored: one screen never opens two pay sheets.
   */
  async function payWithWechat<T extends { params: JsapiPayParams; totalFen: number }>(open: () => Promise<T>, paid: (opened: T) => Promise<unknown> | void): Promise<PayNotice | null> {
    if (underway.current) return null;
    underway.current = true;
    setPaying(true);
    setNotice(null);
    try {
      const opened = await open();
      await requestPayment({ params: opened.params, amountLabel: formatFen(opened.totalFen) });
      await paid(opened);
      return null;
    } catch (failure) {
      const told = payNoticeOf(failure);
      setNotice(told);
      return told;
    } finally {
      underway.current = false;
      setPaying(false);
    }
  }

  async function payWithAlipay(open: () => Promise<AlipayPageResponse>) {
    if (!alipay || underway.current) return;
    underway.current = true;
    setPaying(true);
    setNotice(null);
    try {
      // On success the browser leaves for Alipay's cashier (which sends it back to the result page), so `paying` stays set.
      await alipay.pay(open);
    } catch (failure) {
      setNotice(payNoticeOf(failure));
      underway.current = false;
      setPaying(false);
    }
  }

  // wechatInApp: whether this build can open WeChat's pay sheet at all (not a release H5 build in a browser).
  return { paying, notice, payWithWechat, payWithAlipay, alipay, wechatInApp: IN_APP_WECHAT_PAY };
}
