import { isPaymentCancel, paymentFailureMessage } from './payment';

describe('requestPayment outcomes', () => {
  it("recognises WeChat's cancel, and the H5 adapter's identical one", () => {
    expect(isPaymentCancel({ errMsg: 'requestPayment:fail cancel' })).toBe(true);
    expect(isPaymentCancel({ errMsg: 'requestPayment:fail (detail message)' })).toBe(false);
    expect(isPaymentCancel(new Error('cancel'))).toBe(false);
    expect(isPaymentCancel(null)).toBe(false);
  });

  it('describes other failures in Chinese, never with their errMsg', () => {
    // Never WeChat's English reason: a lost connection is named, anything else is one plain line.
    expect(paymentFailureMessage({ errMsg: 'requestPayment:fail no permission' })).toBe('支付没有完成，请稍后重试，订单会为你保留');
    expect(paymentFailureMessage({ errMsg: 'requestPayment:fail Failed to fetch' })).toBe('支付没有完成：网络连接失败，请检查网络后重试');
    expect(paymentFailureMessage(undefined)).toBe('支付没有完成，请稍后重试，订单会为你保留');
  });
});
