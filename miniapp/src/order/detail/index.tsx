import type { Order } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { DrawList } from '../../components/draw-list';
import { OrderAmounts } from '../../components/order-amounts';
import { ErrorState, Skeleton } from '../../components/page-state';
import { ORDER_STATUS_LABELS, formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';

export default function OrderDetailPage() {
  const { params } = useRouter();
  const orderId = params.orderId ?? '';
  const order = useResource(() => api.getOrder(orderId));
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [acting, setActing] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  // Returning from the pay page may find the order paid.
  useDidShow(() => {
    if (order.data) void order.reload();
  });

  if (order.error) return <ErrorState message={order.error} onRetry={() => void order.reload()} />;
  if (!order.data) return <Skeleton kind="detail" />;
  const { data } = order;

  async function act(action: (id: string) => Promise<Order>) {
    setActing(true);
    setActionError(null);
    try {
      await action(orderId);
      setConfirmingCancel(false);
      await order.reload();
    } catch (failure) {
      setActionError(describeError(failure));
    } finally {
      setActing(false);
    }
  }

  return (
    <View className="page page--with-footer">
      <View className="card">
        <View className="line">
          <Text className="section-title">订单状态</Text>
          <Text className={`status status--${data.status.toLowerCase()}`} data-testid="order-detail-status" data-status={data.status}>
            {ORDER_STATUS_LABELS[data.status]}
          </Text>
        </View>
        <Text className="muted">下单时间 {formatDateTime(data.createdAt)}</Text>
        {data.paidAt && <Text className="muted">支付时间 {formatDateTime(data.paidAt)}</Text>}
        {data.status === 'TO_BE_PAID' && <Text className="muted">请在 {formatDateTime(data.expiresAt)} 前支付</Text>}
        {data.trackingNote && <Text className="muted">物流：{data.trackingNote}</Text>}
      </View>

      {data.draws.length > 0 && (
        <View className="card">
          <Text className="section-title">开盒结果</Text>
          <DrawList draws={data.draws} orderId={data.id} />
        </View>
      )}

      <View className="card">
        <OrderAmounts order={data} totalLabel="实付" totalTestId="order-detail-total" withSubtotal />
      </View>

      <View className="card">
        <Text className="section-title">收货地址</Text>
        <Text>
          {data.address.name} {data.address.phone}
        </Text>
        <Text className="muted">
          {data.address.region} {data.address.detail}
        </Text>
      </View>

      {actionError && <Text className="error-text">{actionError}</Text>}
      {data.status === 'TO_BE_PAID' && (
        <View className="footer-bar">
          {confirmingCancel ? (
            <>
              <Text className="muted">确定取消该订单？</Text>
              <Button className="btn btn--ghost btn--small" onClick={() => setConfirmingCancel(false)}>
                再想想
              </Button>
              <Button className="btn btn--danger btn--small" data-testid="cancel-order-confirm" loading={acting} disabled={acting} onClick={() => void act(api.cancelOrder)}>
                确认取消
              </Button>
            </>
          ) : (
            <>
              <Button className="btn btn--ghost" data-testid="cancel-order" onClick={() => setConfirmingCancel(true)}>
                取消订单
              </Button>
              <Button className="btn btn--primary" data-testid="pay-again" onClick={() => void Taro.navigateTo({ url: routes.pay(orderId) })}>
                去支付
              </Button>
            </>
          )}
        </View>
      )}
      {data.status === 'DELIVERED' && (
        <View className="footer-bar">
          <Button className="btn btn--primary" data-testid="confirm-receipt" loading={acting} disabled={acting} onClick={() => void act(api.confirmReceipt)}>
            确认收货
          </Button>
        </View>
      )}
    </View>
  );
}
