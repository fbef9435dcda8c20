import type { Order } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { PAID_ORDER_STATUSES } from '@blindbox/shared/src/order-status';
import { formatFen } from '@blindbox/shared/src/money';
import { api } from '../../api/session';
import { DrawList } from '../../components/draw-list';
import { ErrorState } from '../../components/page-state';
import { Reveal } from '../../components/reveal';
import { routes } from '../../lib/routes';
import { AfterReveal, PendingState, TimeoutState } from './result-states';
import { usePaymentOutcome } from './wait-for-payment';

const isDrawn = (order: Order) => (PAID_ORDER_STATUSES as readonly string[]).includes(order.status);
const linesOf = (order: Order) => order.items.map((item) => `${item.name} × ${item.quantity}`).join('、');

/**
 * One payment for several orders: waits for it, then opens the orders' boxes one after the other. An order
 * that was closed before the money came was not drawn: the server refunds its share, and it is shown so.
 */
export function CombinedResult({ combinedId }: { combinedId: string }) {
  const { phase, retry } = usePaymentOutcome(
    combinedId,
    () => api.combinedPaymentStatus(combinedId),
    // The settling answer lists the members: no second poll (it would spend the shopper's poll budget).
    ({ orders }) => Promise.all(orders.map((order) => api.getOrder(order.orderId))),
  );
  // The order list is a tab: WeChat reaches a tab only by switchTab.
  const toOrders = () => void Taro.switchTab({ url: routes.orders() });

  switch (phase.kind) {
    case 'WAITING':
      return <PendingState />;
    case 'ERROR':
      return <ErrorState message={phase.message} onRetry={retry} />;
    case 'CLOSED':
      return (
        <View className="state" data-testid="result-closed">
          <Text className="state__icon">×</Text>
          <Text className="state__title">合并支付已关闭</Text>
          <Text className="state__message">这笔支付未完成，已关闭；未关闭的订单可在订单列表中重新支付，如已扣款将原路退回。</Text>
          <Button className="btn btn--primary" onClick={toOrders}>
            查看订单
          </Button>
        </View>
      );
    case 'TIMEOUT':
      return <TimeoutState onRetry={retry} onViewOrder={toOrders} />;
    case 'PAID':
      return <CombinedReveal orders={phase.paid} toOrders={toOrders} />;
  }
}

function CombinedReveal({ orders, toOrders }: { orders: Order[]; toOrders: () => void }) {
  const drawn = orders.filter(isDrawn);
  const refunded = orders.filter((order) => !isDrawn(order));
  const [current, setCurrent] = useState(0);
  const active = drawn[current];
  const numberOf = (order: Order) => orders.indexOf(order) + 1;

  return (
    <View className="page result" data-testid="result-paid">
      <Text className="result__title">{active ? '支付成功，开盒啦！' : '订单已关闭'}</Text>
      {drawn.length > 1 && (
        <Text className="muted" data-testid="result-progress">
          一次支付 {orders.length} 单 · 正在开第 {current + 1}/{drawn.length} 单
        </Text>
      )}
      {refunded.map((order) => (
        <View key={order.id} className="card" data-testid="result-refunded-order" data-order-id={order.id}>
          <Text>
            第 {numberOf(order)} 单（{linesOf(order)}）在付款前已关闭，未开盒
          </Text>
          <Text className="muted">{order.status === 'REFUNDED' ? `${formatFen(order.totalFen)} 已原路退回` : `${formatFen(order.totalFen)} 正在原路退回`}</Text>
        </View>
      ))}
      {active ? (
        <View key={active.id} data-testid="result-order" data-order-id={active.id}>
          <Text className="section-title">
            第 {numberOf(active)} 单 · {linesOf(active)}
          </Text>
          <Reveal
            draws={active.draws}
            orderId={active.id}
            after={
              current + 1 < drawn.length ? (
                <Button className="btn btn--primary" data-testid="result-next-order" onClick={() => setCurrent(current + 1)}>
                  开下一单（{current + 2}/{drawn.length}）
                </Button>
              ) : (
                <AfterReveal onViewOrder={toOrders} />
              )
            }
          />
        </View>
      ) : (
        <Button className="btn btn--primary" data-testid="result-view-order" onClick={toOrders}>
          查看订单
        </Button>
      )}
      {drawn.slice(0, current).map((order) => (
        <View key={order.id} data-testid="result-order" data-order-id={order.id}>
          <Text className="section-title">
            第 {numberOf(order)} 单 · {linesOf(order)}（已开）
          </Text>
          <DrawList draws={order.draws} orderId={order.id} />
        </View>
      ))}
    </View>
  );
}
