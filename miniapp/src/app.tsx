import { useLaunch } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { api } from './api/session';
import { watchChunkFailures } from './platform/chunk-errors';
import { watchPrivacyConsent } from './platform/privacy';
import './app.css';

export default function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    watchChunkFailures();
    watchPrivacyConsent();
    // Log in up front so the first authenticated page does not wait; pages retry on their own if this fails.
    api.ensureLogin().catch(() => undefined);
  });
  return children;
}
