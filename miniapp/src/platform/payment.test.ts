import { isPaymentCancel, paymentFailureMessage } from './payment';

describe('requestPayment outcomes', () => {
  it("recognises WeChat's cancel, and the H5 adapter's identical one", () => {
    expect(isPaymentCancel({ errMsg: 'requestPayment:fail cancel' })).toBe(true);
    expect(isPaymentCancel({ errMsg: 'requestPayment:fail (detail message)' })).toBe(false);
    expect(isPaymentCancel(new Error('cancel'))).toBe(false);
    expect(isPaymentCancel(null)).toBe(false);
  });

  it('describes other failures with their errMsg', () => {
    expect(paymentFailureMessage({ errMsg: 'requestPayment:fail no permission' })).toBe('支付失败：requestPayment:fail no permission');
    expect(paymentFailureMessage(undefined)).toBe('支付失败，请重试');
  });
});
