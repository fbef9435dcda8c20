import type { QrPayProps } from './payment';

/** In WeChat the shopper pays inside the mini-program; a QR code is for desktop browsers (qr-pay.h5.tsx). */
export function useQrPay(): boolean {
  return false;
}

export function QrPay(_props: QrPayProps) {
  return null;
}
