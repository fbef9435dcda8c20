import { useLaunch } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { api } from './api/session';
import { ensureDeviceClientSeed } from './lib/device-seed';
import { watchChunkFailures } from './platform/chunk-errors';
import { watchPrivacyConsent } from './platform/privacy';
import { SILENT_LOGIN } from './platform/login';
import { watchReceiptReturn } from './platform/receipt';
import './app.css';

export default function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    watchChunkFailures();
    watchPrivacyConsent();
    // Back from WeChat's receipt component (App.onShow): the server confirms only what get_order reports.
    watchReceiptReturn((orderId) => api.confirmReceipt(orderId));
    // Log in up front so the first authenticated page does not wait; pages retry on their own if this fails.
    // Then, at first launch, the client seed is made on this device and sent (lib/device-seed.ts). A release H5 build
    // waits for the shopper to sign in with a phone number instead: browsing needs no session.
    if (!SILENT_LOGIN) return;
    api
      .ensureLogin()
      .then(() => ensureDeviceClientSeed(api.setClientSeed))
      .catch(() => undefined);
  });
  return children;
}
