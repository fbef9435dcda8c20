import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { api } from '../../api/session';
import { ErrorState, Skeleton } from '../../components/page-state';
import { ORDER_STATUS_LABELS, formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { OrderAmounts } from '../../components/order-amounts';
import { QrPay, useQrPay } from '../../platform/qr-pay';
import { PayNoticeText } from '../../components/pay-notice';
import { usePayActions } from '../use-pay-actions';
import { formatFen } from '@blindbox/shared/src/money';

export default function PayPage() {
  const { params } = useRouter();
  const orderId = params.orderId ?? '';
  const order = useResource(() => api.getOrder(orderId));
  const { paying, notice, payWithWechat, payWithAlipay, alipay } = usePayActions();
  const qrPay = useQrPay();

  if (order.error) return <ErrorState message={order.error} onRetry={() => void order.reload()} />;
  if (!order.data) return <Skeleton kind="detail" />;
  const { data } = order;

  const pay = () => payWithWechat(async () => ({ params: await api.payJsapi(orderId), totalFen: data.totalFen }), () => Taro.redirectTo({ url: routes.result(orderId) }));

  if (data.status === 'CLOSED') {
    return (
      <View className="state" data-testid="pay-closed">
        <Text className="state__icon">×</Text>
        <Text className="state__title">订单已关闭</Text>
        <Text className="state__message">超时未支付，订单已自动关闭，库存和优惠券已退回。</Text>
        <Button className="btn btn--primary" onClick={() => void Taro.reLaunch({ url: routes.boxes() })}>
          重新选购
        </Button>
      </View>
    );
  }
  const payable = data.status === 'TO_BE_PAID';
  return (
    <View className="page page--with-footer">
      {payable && qrPay && (
        <QrPay
          totalFen={data.totalFen}
          expiresAt={data.expiresAt}
          open={() => api.payNative(orderId)}
          check={() => api.paymentStatus(orderId)}
          onSettled={() => void Taro.redirectTo({ url: routes.result(orderId) })}
        />
      )}
      <View className="card">
        <OrderAmounts order={data} totalLabel="应付" totalTestId="pay-total" />
        {payable ? (
          <Text className="muted">请在 {formatDateTime(data.expiresAt)} 前完成支付，超时订单将自动关闭</Text>
        ) : (
          <Text className="muted" data-testid="pay-order-status">
            订单{ORDER_STATUS_LABELS[data.status]}
          </Text>
        )}
      </View>
      <PayNoticeText notice={notice} />
      <View className="footer-bar">
        <Text className="footer-bar__link" onClick={() => void Taro.redirectTo({ url: routes.order(orderId) })}>
          查看订单
        </Text>
        {payable && !qrPay && (
          <Button className="btn btn--primary" data-testid="pay-button" loading={paying} disabled={paying} onClick={() => void pay()}>
            {notice?.kind === 'cancelled' ? '继续支付' : '微信支付'} {formatFen(data.totalFen)}
          </Button>
        )}
        {!payable && (
          <Button className="btn btn--primary" data-testid="pay-view-result" onClick={() => void Taro.redirectTo({ url: routes.result(orderId) })}>
            查看开盒结果
          </Button>
        )}
        {payable && alipay && (
          <Button className="btn btn--ghost" data-testid="alipay-button" disabled={paying} onClick={() => void payWithAlipay(() => api.payAlipay(orderId))}>
            {alipay.label}
          </Button>
        )}
      </View>
    </View>
  );
}
