import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect } from 'react';
import { api } from '../../api/session';
import { ErrorState } from '../../components/page-state';
import { Reveal } from '../../components/reveal';
import { routes } from '../../lib/routes';
import { rarestDraw } from '../../components/reveal';
import { shareContentOf, type ShareContent } from '../../platform/share';
import { OneMoreAndShare } from './one-more';
import { AfterReveal, PendingState, TimeoutState } from './result-states';
import { usePaymentOutcome } from './wait-for-payment';

/**
 * One order's payment: waits for it, then reveals what the order drew, with 再来一个 and sharing. `onShare` tells
 * the page what WeChat's share sheet should show (the rarest draw).
 */
export function OrderResult({ orderId, onShare }: { orderId: string; onShare: (content: ShareContent | null) => void }) {
  const { phase, retry } = usePaymentOutcome(
    orderId,
    () => api.paymentStatus(orderId),
    () => api.getOrder(orderId),
  );
  const toOrder = () => void Taro.redirectTo({ url: routes.order(orderId) });
  const paid = phase.kind === 'PAID' ? phase.paid : null;
  useEffect(() => {
    const best = paid && rarestDraw(paid.draws);
    onShare(best ? shareContentOf({ draw: best, boxName: paid.items.find((item) => item.boxId === best.boxId)?.name ?? '' }) : null);
  }, [paid, onShare]);

  switch (phase.kind) {
    case 'WAITING':
      return <PendingState />;
    case 'ERROR':
      return <ErrorState message={phase.message} onRetry={retry} />;
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
      return <TimeoutState onRetry={retry} onViewOrder={toOrder} />;
    case 'PAID':
      return (
        <View className="page result" data-testid="result-paid">
          <Text className="result__title">支付成功，开盒啦！</Text>
          <Reveal
            draws={phase.paid.draws}
            orderId={phase.paid.id}
            after={
              <>
                <OneMoreAndShare order={phase.paid} />
                <AfterReveal onViewOrder={toOrder} secondary />
              </>
            }
          />
        </View>
      );
  }
}
