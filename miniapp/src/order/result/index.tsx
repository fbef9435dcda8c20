import type { Order } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ErrorState } from '../../components/page-state';
import { Reveal } from '../../components/reveal';
import { pollPaymentStatus } from '../../lib/poll-payment';
import { routes } from '../../lib/routes';

type Phase =
  | { kind: 'WAITING' }
  | { kind: 'PAID'; order: Order }
  | { kind: 'CLOSED' }
  | { kind: 'TIMEOUT' }
  | { kind: 'ERROR'; message: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export default function ResultPage() {
  const { params } = useRouter();
  const orderId = params.orderId ?? '';
  const [phase, setPhase] = useState<Phase>({ kind: 'WAITING' });
  const unmounted = useRef(false);

  const waitForPayment = useCallback(async () => {
    setPhase({ kind: 'WAITING' });
    const outcome = await pollPaymentStatus({
      check: () => api.paymentStatus(orderId),
      sleep,
      now: Date.now,
      isStopped: () => unmounted.current,
    });
    if (outcome.kind === 'STOPPED') return;
    if (outcome.kind === 'TIMEOUT') return setPhase({ kind: 'TIMEOUT' });
    if (outcome.status === 'CLOSED') return setPhase({ kind: 'CLOSED' });
    try {
      setPhase({ kind: 'PAID', order: await api.getOrder(orderId) });
    } catch (failure) {
      setPhase({ kind: 'ERROR', message: describeError(failure) });
    }
  }, [orderId]);

  useEffect(() => {
    unmounted.current = false;
    void waitForPayment();
    return () => {
      unmounted.current = true;
    };
  }, [waitForPayment]);

  const toOrder = () => void Taro.redirectTo({ url: routes.order(orderId) });

  switch (phase.kind) {
    case 'WAITING':
      // The callback usually lands within a second or two; until then the order is neither paid nor failed.
      return (
        <View className="state" data-testid="result-pending">
          <View className="spinner" />
          <Text className="state__title">正在确认支付结果…</Text>
          <Text className="state__message">微信支付的通知到达后马上为你开盒，请不要重复支付。</Text>
        </View>
      );
    case 'ERROR':
      return <ErrorState message={phase.message} onRetry={() => void waitForPayment()} />;
    case 'CLOSED':
      return (
        <View className="state" data-testid="result-closed">
          <Text className="state__icon">×</Text>
          <Text className="state__title">订单已关闭</Text>
          <Text className="state__message">未完成支付，订单已关闭；如已扣款将原路退回。</Text>
          <Button className="btn btn--primary" onClick={() => void Taro.reLaunch({ url: routes.boxes() })}>
            重新选购
          </Button>
          <Button className="btn btn--ghost" onClick={toOrder}>
            查看订单
          </Button>
        </View>
      );
    case 'TIMEOUT':
      return (
        <View className="state" data-testid="result-timeout">
          <Text className="state__icon">…</Text>
          <Text className="state__title">暂未确认到支付结果</Text>
          <Text className="state__message">如已支付，请稍后在订单中查看，无需重复支付。</Text>
          <Button className="btn btn--primary" data-testid="result-retry" onClick={() => void waitForPayment()}>
            再次查询
          </Button>
          <Button className="btn btn--ghost" onClick={toOrder}>
            查看订单
          </Button>
        </View>
      );
    case 'PAID':
      return (
        <View className="page result" data-testid="result-paid">
          <Text className="result__title">支付成功，开盒啦！</Text>
          <Reveal
            draws={phase.order.draws}
            orderId={phase.order.id}
            after={
              <>
                <Button className="btn btn--primary" data-testid="result-collection" onClick={() => void Taro.redirectTo({ url: routes.collection() })}>
                  放进盒柜
                </Button>
                <Button className="btn btn--ghost" data-testid="result-view-order" onClick={toOrder}>
                  查看订单
                </Button>
                <Button className="btn btn--ghost" onClick={() => void Taro.reLaunch({ url: routes.boxes() })}>
                  继续逛逛
                </Button>
              </>
            }
          />
        </View>
      );
  }
}
