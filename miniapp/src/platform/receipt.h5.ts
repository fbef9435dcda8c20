/**
 * H5 has no WeChat receipt component: the shop's own 确认收货 button stays (platform/receipt.ts is the
 * mini-program's). The exports match so pages import one module.
 */
export const RECEIPT_RETURNED = 'receipt:returned';

export interface ReceiptReturn {
  orderId: string;
  status: 'success' | 'fail' | 'cancel';
  message: string | null;
}

export function openReceiptConfirm(_orderId: string, _transactionId: string): boolean {
  return false;
}

export function watchReceiptReturn(_confirm: (orderId: string) => Promise<unknown>): void {}
