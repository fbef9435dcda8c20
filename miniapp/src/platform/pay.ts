import Taro from '@tarojs/taro';
import type { PaymentRequest } from './payment';

/** WeChat's own pay sheet. A resolved promise is not proof of payment: the result page asks the server. */
export async function requestPayment({ params }: PaymentRequest): Promise<void> {
  await Taro.requestPayment({ ...params });
}
