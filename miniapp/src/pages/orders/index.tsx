import type { Order, OrderStatus } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom, useRouter } from '@tarojs/taro';
import { useCallback, useRef, useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ArtImage } from '../../components/art-image';
import { Empty, ErrorState, Loading, Skeleton } from '../../components/page-state';
import { ORDER_STATUS_LABELS, formatDateTime, orderStatusText, totalLabel } from '../../lib/format';
import { routes } from '../../lib/routes';
import { ActionButton } from '../../components/action-button';
import { usePayActions } from '../../order/use-pay-actions';
import { PayNoticeText } from '../../components/pay-notice';
import { useQrPay } from '../../platform/qr-pay';
import { formatFen } from '@blindbox/shared/src/money';

const PAGE_SIZE = 10;
const TABS: { status: OrderStatus | undefined; label: string }[] = [
  { status: undefined, label: '全部' },
  { status: 'TO_BE_PAID', label: ORDER_STATUS_LABELS.TO_BE_PAID },
  { status: 'TO_BE_DELIVERED', label: ORDER_STATUS_LABELS.TO_BE_DELIVERED },
  { status: 'DELIVERED', label: ORDER_STATUS_LABELS.DELIVERED },
  { status: 'COMPLETED', label: ORDER_STATUS_LABELS.COMPLETED },
  { status: 'CLOSED', label: ORDER_STATUS_LABELS.CLOSED },
];

function isOrderStatus(value: string | undefined): value is OrderStatus {
  return TABS.some((tab) => tab.status === value) || value === 'REFUNDING' || value === 'REFUNDED';
}

export default function OrderListPage() {
  const { params } = useRouter();
  const [status, setStatus] = useState<OrderStatus | undefined>(isOrderStatus(params.status) ? params.status : undefined);
  const [orders, setOrders] = useState<Order[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  // Unpaid orders picked to be paid with one payment.
  const [selected, setSelected] = useState<string[]>([]);
  const { paying, notice, payWithWechat } = usePayActions();
  const qrPay = useQrPay();
  // Switching tabs quickly must not let the previous tab's answer land in the new tab.
  const generation = useRef(0);

  const load = useCallback(async (forStatus: OrderStatus | undefined, nextPage: number) => {
    const current = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const result = await api.listOrders(forStatus, nextPage, PAGE_SIZE);
      if (current !== generation.current) return;
      setOrders((previous) => (nextPage === 1 ? result.items : [...previous, ...result.items]));
      setTotal(result.total);
      setPage(nextPage);
    } catch (failure) {
      if (current === generation.current) setError(describeError(failure));
    } finally {
      if (current === generation.current) setLoading(false);
    }
  }, []);

  // Coming back from a detail page (paid, cancelled) must show the new status.
  useDidShow(() => {
    void load(status, 1);
  });
  usePullDownRefresh(() => {
    void load(status, 1).finally(() => Taro.stopPullDownRefresh());
  });
  const hasMore = orders.length < total;
  useReachBottom(() => {
    if (hasMore && !loading) void load(status, page + 1);
  });

  function toggle(orderId: string) {
    setSelected((current) => (current.includes(orderId) ? current.filter((id) => id !== orderId) : [...current, orderId]));
  }
  const payable = new Set(orders.filter((order) => order.status === 'TO_BE_PAID').map((order) => order.id));
  const chosen = selected.filter((id) => payable.has(id));
  const chosenTotal = orders.filter((order) => chosen.includes(order.id)).reduce((sum, order) => sum + order.totalFen, 0);

  /** Pays one unpaid order from the list: the pay sheet at once (a desktop browser shows the order's QR code). */
  async function payOne(order: Order) {
    if (qrPay) {
      await Taro.navigateTo({ url: routes.order(order.id) });
      return;
    }
    await payWithWechat(async () => ({ params: await api.payJsapi(order.id), totalFen: order.totalFen }), () => Taro.navigateTo({ url: routes.result(order.id) }));
  }

  function selectTab(next: OrderStatus | undefined) {
    setStatus(next);
    setOrders([]);
    void load(next, 1);
  }

  return (
    <View className={`page${chosen.length > 0 ? ' page--with-footer' : ''}`}>
      <View className="tabs" data-testid="order-tabs">
        {TABS.map((tab) => (
          <Text
            key={tab.label}
            className={`pill${tab.status === status ? ' pill--active' : ''}`}
            data-testid={`order-tab-${tab.status ?? 'ALL'}`}
            onClick={() => selectTab(tab.status)}
          >
            {tab.label}
          </Text>
        ))}
      </View>
      {orders.map((order) => (
        <View
          key={order.id}
          className="card order-card"
          data-testid="order-card"
          data-order-id={order.id}
          onClick={() => void Taro.navigateTo({ url: routes.order(order.id) })}
        >
          <View className="line">
            {order.status === 'TO_BE_PAID' && (
              <View
                className="order-card__select"
                data-testid="order-select"
                role="checkbox"
                aria-checked={chosen.includes(order.id)}
                aria-label="选择合并支付"
                onClick={(event) => {
                  event.stopPropagation();
                  toggle(order.id);
                }}
              >
                <View className={`order-card__check${chosen.includes(order.id) ? ' order-card__check--on' : ''}`} />
              </View>
            )}
            <Text className="muted">{formatDateTime(order.createdAt)}</Text>
            <Text className={`status status--${order.status.toLowerCase()}`} data-testid="order-status" data-status={order.status}>
              {orderStatusText(order)}
            </Text>
          </View>
          {order.items.map((item) => (
            <View key={item.boxId} className="order-card__line">
              <ArtImage className="order-card__thumb" url={item.coverUrl} size="list" />
              <Text className="order-card__item">
                {item.name} × {item.quantity}
              </Text>
              <Text className="muted">{order.draws.length > 0 ? `已开 ${order.draws.length} 个` : ''}</Text>
            </View>
          ))}
          <View className="line line--strong">
            <Text>{totalLabel(order.status)}</Text>
            <Text className="price">{formatFen(order.totalFen)}</Text>
          </View>
          {order.status === 'TO_BE_PAID' && (
            // Its own tap: paying from the list must not also open the order.
            <View className="order-card__actions" onClick={(event) => event.stopPropagation()}>
              <ActionButton small testId="order-pay" busy={paying} onTap={() => payOne(order)}>
                去支付
              </ActionButton>
            </View>
          )}
        </View>
      ))}
      <PayNoticeText notice={notice} />
      {loading && orders.length === 0 && <Skeleton kind="list" rows={2} inline />}
      {loading && orders.length > 0 && <Loading />}
      {error && <ErrorState message={error} onRetry={() => void load(status, orders.length === 0 ? 1 : page + 1)} />}
      {!loading && !error && orders.length === 0 && (
        <Empty text={status ? '还没有这类订单' : '还没有订单'} action={{ label: '去挑一个盲盒', onClick: () => void Taro.switchTab({ url: routes.boxes() }) }} />
      )}
      {!loading && !error && hasMore && (
        <ActionButton variant="ghost" testId="load-more" onTap={() => load(status, page + 1)}>
          加载更多
        </ActionButton>
      )}
      {chosen.length > 0 && (
        <View className="footer-bar footer-bar--tab">
          <Text className="footer-bar__total">
            已选 {chosen.length} 单 · <Text className="price">{formatFen(chosenTotal)}</Text>
          </Text>
          <ActionButton testId="pay-selected" disabled={chosen.length < 2} onTap={() => Taro.navigateTo({ url: routes.payTogether(chosen) })}>
            {chosen.length < 2 ? '再选一单' : '合并支付'}
          </ActionButton>
        </View>
      )}
    </View>
  );
}
