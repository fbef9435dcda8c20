import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';

// WeChat's privacy flow (`__usePrivacyCheck__` in app.config.ts): the first call to an API that collects personal
// data (chooseAddress) waits until the shopper agrees in a popup the app draws, whose agree button has
// open-type="agreePrivacyAuthorization" (components/privacy-popup.tsx).

type Resolve = (option: Taro.onNeedPrivacyAuthorization.ResolveOption) => void;

let pending: Resolve | null = null;
const listeners = new Set<(waiting: boolean) => void>();

function setPending(next: Resolve | null): void {
  pending = next;
  for (const listener of listeners) listener(next !== null);
}

export function watchPrivacyConsent(): void {
  Taro.onNeedPrivacyAuthorization((resolve) => {
    setPending(resolve);
    // Tells WeChat the popup is on screen, as its review expects.
    resolve({ event: 'exposureAuthorization' });
  });
}

/** Whether a personal-data call is waiting for the shopper's answer, and how to give it. */
export function usePrivacyRequest(): { waiting: boolean; agree: (buttonId: string) => void; refuse: () => void } {
  const [waiting, setWaiting] = useState(pending !== null);
  useEffect(() => {
    listeners.add(setWaiting);
    return () => void listeners.delete(setWaiting);
  }, []);
  return {
    waiting,
    agree: (buttonId) => {
      pending?.({ event: 'agree', buttonId });
      setPending(null);
    },
    refuse: () => {
      pending?.({ event: 'disagree' });
      setPending(null);
    },
  };
}
