import { Text, View } from '@tarojs/components';
import { ActionButton } from '../../components/action-button';
import Taro, { useRouter } from '@tarojs/taro';
import { useRef } from 'react';
import { api } from '../../api/session';
import { ErrorState, Skeleton } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { QrPay, useQrPay } from '../../platform/qr-pay';
import { PayNoticeText } from '../../components/pay-notice';
import { usePayActions } from '../use-pay-actions';
import { formatFen } from '@blindbox/shared/src/money';

/** One payment (WeChat Pay, or Alipay in the H5 build) for several unpaid orders; the server charges the sum of the orders it holds. */
export default function PayTogetherPage() {
  const { params } = useRouter();
  const orderIds = (params.orderIds ?? '').split(',').filter(Boolean);
  const orders = useResource(() => Promise.all(orderIds.map((id) => api.getOrder(id))));
  const { paying, notice, payWithWechat, payWithAlipay, alipay, wechatInApp } = usePayActions();
  const qrPay = useQrPay();
  // The combined payment the QR code is for: its status is what the desktop panel polls.
  const qrCombinedId = useRef('');

  if (orders.error) return <ErrorState message={orders.error} onRetry={() => void orders.reload()} />;
  if (!orders.data) return <Skeleton kind="detail" />;
  const list = orders.data;
  const unpaid = list.every((order) => order.status === 'TO_BE_PAID');
  const firstExpiry = list.reduce((min, order) => (order.expiresAt < min ? order.expiresAt : min), list[0]?.expiresAt ?? '');

  const pay = () => payWithWechat(() => api.payCombinedJsapi(orderIds), (opened) => toResult(opened.id));

  const totalFen = list.reduce((sum, order) => sum + order.totalFen, 0);
  // One payment settles every order: its result page waits for it and shows each order's draws.
  const toResult = (combinedId: string) => void Taro.redirectTo({ url: routes.combinedResult(combinedId) });
  const openQr = async () => {
    const opened = await api.payCombinedNative(orderIds);
    qrCombinedId.current = opened.id;
    return opened;
  };
  return (
    <View className="page page--with-footer">
      {unpaid && qrPay && (
        <QrPay
          totalFen={totalFen}
          expiresAt={firstExpiry}
          open={openQr}
          check={() => api.combinedPaymentStatus(qrCombinedId.current)}
          onSettled={() => toResult(qrCombinedId.current)}
        />
      )}
      {list.map((order) => (
        <View key={order.id} className="card" data-testid="pay-together-order">
          {order.items.map((item) => (
            <View key={item.boxId} className="line">
              <Text>
                {item.name} × {item.quantity}
              </Text>
            </View>
          ))}
          <View className="line line--strong">
            <Text>订单金额</Text>
            <Text className="price">{formatFen(order.totalFen)}</Text>
          </View>
        </View>
      ))}
      {unpaid ? (
        <Text className="muted">请在 {formatDateTime(firstExpiry)} 前完成支付，超时的订单将自动关闭</Text>
      ) : (
        <Text className="notice" data-testid="pay-together-not-payable">
          有订单已支付或已关闭，请回到订单列表重新选择
        </Text>
      )}
      <PayNoticeText notice={notice} />
      <View className="footer-bar">
        <Text className="footer-bar__total">
          {list.length} 单 · 应付{' '}
          <Text className="price" data-testid="pay-together-total">
            {formatFen(totalFen)}
          </Text>
        </Text>
        {!qrPay && wechatInApp && (
          <ActionButton testId="pay-together-button" busy={paying} disabled={!unpaid} onTap={pay}>
            {notice?.kind === 'cancelled' ? '继续支付' : '微信支付'}
          </ActionButton>
        )}
        {unpaid && alipay && (
          <ActionButton variant="ghost" testId="alipay-button" busy={paying} onTap={() => payWithAlipay(() => api.payCombinedAlipay(orderIds))}>
            {alipay.label}
          </ActionButton>
        )}
      </View>
    </View>
  );
}
