import Taro from '@tarojs/taro';
import type { PaymentRequest } from './payment';

/** The mini-program always has WeChat's pay sheet (JSAPI). */
export const IN_APP_WECHAT_PAY = true;

/** WeChat's own pay sheet. A resolved promise is not proof of payment: the result page asks the server. */
export async function requestPayment({ params }: PaymentRequest): Promise<void> {
  await Taro.requestPayment({ ...params });
}
