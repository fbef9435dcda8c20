import { Button, Text, View } from '@tarojs/components';
import { useEffect, useRef, useState } from 'react';
import { describeError } from '../api/api-error';
import { pollPaymentStatus } from '../lib/poll-payment';
import { getSimulatorUrl } from './dev-simulator';
import type { QrPayProps } from './payment';
import { formatFen } from '@blindbox/shared/src/money';
import './qr-pay.h5.css';

// A desktop browser cannot run WeChat's pay sheet: it shows the Native-pay code_url as a QR code for the
// shopper's phone to scan, and waits for the server to see the payment.
const DESKTOP = '(min-width: 768px)';

export function useQrPay(): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(DESKTOP).matches);
  useEffect(() => {
    const query = window.matchMedia(DESKTOP);
    const update = () => setWide(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return wide;
}

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; qrDataUrl: string; scanUrl: string | null }
  | { kind: 'expired' }
  | { kind: 'error'; message: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function QrPay({ totalFen, expiresAt, open, check, onSettled }: QrPayProps) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // The page passes new functions on every render; the code is asked for once per attempt.
  const callbacks = useRef({ open, check, onSettled });
  callbacks.current = { open, check, onSettled };

  useEffect(() => {
    let stopped = false;
    void (async () => {
      setState({ kind: 'loading' });
      try {
        const { codeUrl, qrDataUrl } = await callbacks.current.open();
        // Development only: the simulator's cashier page stands in for the phone that scans the code.
        const scanUrl = await getSimulatorUrl().then((base) => `${base}/sim/native?code_url=${encodeURIComponent(codeUrl)}`, () => null);
        if (stopped) return;
        setState({ kind: 'ready', qrDataUrl, scanUrl });
        const outcome = await pollPaymentStatus({
          check: () => callbacks.current.check(),
          sleep,
          now: Date.now,
          isStopped: () => stopped,
          // The code is worth scanning until the order expires; a phone takes a while, so no hurry between checks.
          timeoutMs: Math.max(0, Date.parse(expiresAt) - Date.now()),
          initialDelayMs: 1000,
          maxDelayMs: 3000,
        });
        if (outcome.kind === 'SETTLED') callbacks.current.onSettled(outcome.status);
        else if (outcome.kind === 'TIMEOUT') setState({ kind: 'expired' });
      } catch (failure) {
        if (!stopped) setState({ kind: 'error', message: describeError(failure) });
      }
    })();
    return () => {
      stopped = true;
    };
  }, [expiresAt, attempt]);

  return (
    <View className="qr-pay" data-testid="qr-pay" data-state={state.kind}>
      <Text className="qr-pay__title">微信扫码支付</Text>
      <Text className="price price--large" data-testid="qr-total">
        {formatFen(totalFen)}
      </Text>
      {state.kind === 'loading' && <View className="qr-pay__code skeleton__block" data-testid="state-loading" />}
      {state.kind === 'ready' && (
        <>
          <img className="qr-pay__code" src={state.qrDataUrl} alt="微信支付二维码" data-testid="qr-image" />
          <Text className="qr-pay__hint">打开手机微信「扫一扫」完成支付，支付后本页自动跳转</Text>
          <View className="inline-loading" data-testid="qr-waiting">
            <View className="spinner" />
            <Text>等待支付…</Text>
          </View>
          {state.scanUrl && (
            <a className="qr-pay__scan" href={state.scanUrl} target="_blank" rel="noopener noreferrer" data-testid="qr-scan-link">
              开发环境：在模拟器中“扫码”
            </a>
          )}
        </>
      )}
      {state.kind === 'expired' && (
        <>
          <Text className="qr-pay__hint" data-testid="qr-expired">
            二维码已过期
          </Text>
          <Button className="btn btn--primary" onClick={() => setAttempt((count) => count + 1)}>
            刷新二维码
          </Button>
        </>
      )}
      {state.kind === 'error' && (
        <>
          <Text className="error-text" data-testid="qr-error">
            {state.message}
          </Text>
          <Button className="btn btn--primary" data-testid="qr-retry" onClick={() => setAttempt((count) => count + 1)}>
            重试
          </Button>
        </>
      )}
    </View>
  );
}
