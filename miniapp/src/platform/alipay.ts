import type { AlipayPageResponse } from '@blindbox/shared';

export interface AlipayPay {
  label: string;
  /** Leaves the page for Alipay's cashier; rejects only when the form could not be obtained. */
  pay(start: () => Promise<AlipayPageResponse>): Promise<void>;
}

/** The weapp pays with WeChat Pay only; Alipay page pay is the H5/PC build's (alipay.h5.ts). */
export const alipay: AlipayPay | null = null;
