import type { AlipayPageResponse } from '@blindbox/shared';
import type { AlipayPay } from './alipay';

/**
 * H5/PC only: Alipay page pay. The server's signed form takes the browser to Alipay's cashier (the simulator's
 * in development); Alipay then sends it back to the result page, which asks the server whether money came.
 */
export const alipay: AlipayPay = {
  label: '支付宝',
  async pay(start: () => Promise<AlipayPageResponse>): Promise<void> {
    const { formHtml } = await start();
    const holder = document.createElement('div');
    holder.hidden = true;
    // Scripts set through innerHTML never run: the form is submitted here instead of by its own script.
    holder.innerHTML = formHtml;
    document.body.append(holder);
    const form = holder.querySelector('form');
    if (!form) throw new Error('支付宝支付表单无效，请重试');
    form.submit();
  },
};
