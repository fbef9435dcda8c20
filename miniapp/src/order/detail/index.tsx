import type { OrderStatus } from '@blindbox/shared';
import { AFTERSALES_STATUS_LABELS } from '@blindbox/shared/src/aftersales';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { ApiError, describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ActionButton } from '../../components/action-button';
import { DrawList } from '../../components/draw-list';
import { OrderAmounts } from '../../components/order-amounts';
import { ErrorState, Skeleton } from '../../components/page-state';
import { PayNoticeText } from '../../components/pay-notice';
import { formatDateTime, orderStatusText, totalLabel } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { QrPay, useQrPay } from '../../platform/qr-pay';
import { openReceiptConfirm, RECEIPT_RETURNED, type ReceiptReturn } from '../../platform/receipt';
import { usePayActions } from '../use-pay-actions';
import { useAddressChoice } from '../use-address-choice';
import { AddressLines } from '../../components/address-lines';
import { formatFen } from '@blindbox/shared/src/money';

/** Shipped orders take after-sales requests (the server holds the rule; this only decides what to offer). */
const takesAftersales = (status: OrderStatus) => status === 'DELIVERED' || status === 'COMPLETED';

export default function OrderDetailPage() {
  const { params } = useRouter();
  // Fixed at mount: Taro's H5 router may hand a page hidden under a tab the params of the page on screen, and a
  // reload on returning must ask for this page's order, not for none.
  const [orderId] = useState(() => params.orderId ?? '');
  // A page left in the stack without an order id (see above) asks for nothing, however often the session changes
  // (use-resource.ts loads again then): `/api/orders/` would be the list, not an order.
  const order = useResource(() => (orderId ? api.getOrder(orderId) : Promise.reject(new ApiError(404, 'NOT_FOUND', 'no order id'))));
  // The after-sales requests on this order's lines (a shipped order only; none is asked for before).
  const aftersales = useResource(() => (orderId ? api.listAftersales(orderId) : Promise.resolve({ items: [] })));
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [acting, setActing] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  // An unpaid order's address being changed (a drop's 立即抢购 sent it to the first saved address).
  const [changingAddress, setChangingAddress] = useState(false);
  const address = useAddressChoice();
  const { paying, notice, payWithWechat, payWithAlipay, alipay, wechatInApp } = usePayActions();
  const qrPay = useQrPay();
  // Arriving from the confirm page after its pay sheet was cancelled or failed: say so until the next attempt.
  const arrivedWith = params.paid === 'cancelled' ? { kind: 'cancelled' as const } : params.paid === 'failed' ? { kind: 'failed' as const, message: '支付没有完成，订单已为你保留，可在这里继续支付' } : null;

  // Returning from another page may find the order paid or closed.
  useDidShow(() => {
    if (order.data) void order.reload();
    if (aftersales.data) void aftersales.reload();
  });

  // WeChat's receipt component came back (App.onShow → platform/receipt.ts) and the server has asked WeChat.
  useEffect(() => {
    const onReturn = (result: ReceiptReturn) => {
      if (result.orderId !== orderId) return;
      setActing(false);
      if (result.status === 'fail') setActionError(result.message ?? '确认收货没有完成，请稍后再试');
      void order.reload();
    };
    Taro.eventCenter.on(RECEIPT_RETURNED, onReturn);
    return () => {
      Taro.eventCenter.off(RECEIPT_RETURNED, onReturn);
    };
  }, [orderId, order]);

  if (order.error) return <ErrorState message={order.error} onRetry={() => void order.reload()} />;
  if (!order.data) return <Skeleton kind="detail" />;
  const { data } = order;

  const payable = data.status === 'TO_BE_PAID';
  const pay = () => payWithWechat(async () => ({ params: await api.payJsapi(orderId), totalFen: data.totalFen }), () => Taro.redirectTo({ url: routes.result(orderId) }));

  async function act(action: (id: string) => Promise<unknown>) {
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

  /** Opens the saved addresses, the order's own chosen (a snapshot: the saved one with the same fields). */
  async function startAddressChange() {
    setActionError(null);
    try {
      const { items } = await api.listAddresses();
      const same = items.find((saved) => saved.name === data.address.name && saved.phone === data.address.phone && saved.region === data.address.region && saved.detail === data.address.detail);
      address.load(items, same?.id);
      setChangingAddress(true);
    } catch (failure) {
      setActionError(describeError(failure));
    }
  }

  /** The chosen address, or the new one saved first (its fields' errors shown under them). */
  const saveAddressChange = () =>
    act(async (id) => {
      const addressId = await address.addressToUse(setActionError);
      if (!addressId) return;
      await api.changeOrderAddress(id, { addressId });
      setChangingAddress(false);
    });

  /** A mini-program payment is confirmed in WeChat's component (so WeChat releases the money); others here. */
  function confirmReceipt() {
    setActionError(null);
    if (data.receiptBy === 'WECHAT' && data.wechatTransactionId && openReceiptConfirm(orderId, data.wechatTransactionId)) {
      setActing(true);
      return;
    }
    void act(api.confirmReceipt);
  }

  return (
    <View className="page page--with-footer">
      {payable && params.claimed === '1' && (
        <Text className="notice" data-testid="claimed-notice">
          抢到了！这一盒已为你保留，请在截止前支付，付款后即可开盒
        </Text>
      )}
      <View className="card">
        <View className="line">
          <Text className="section-title">订单状态</Text>
          <Text className={`status status--${data.status.toLowerCase()}`} data-testid="order-detail-status" data-status={data.status}>
            {orderStatusText(data)}
          </Text>
        </View>
        <Text className="muted">下单时间 {formatDateTime(data.createdAt)}</Text>
        {data.paidAt && <Text className="muted">支付时间 {formatDateTime(data.paidAt)}</Text>}
        {payable && <Text className="muted">请在 {formatDateTime(data.expiresAt)} 前支付，超时订单将自动关闭</Text>}
        {data.status === 'CLOSED' && <Text className="muted">库存和优惠券已退回</Text>}
        {data.trackingNote && <Text className="muted">物流：{data.trackingNote}</Text>}
      </View>

      {data.draws.length > 0 && (
        <View className="card">
          <Text className="section-title">开盒结果</Text>
          <DrawList draws={data.draws} orderId={data.id} />
        </View>
      )}

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
        <OrderAmounts order={data} totalLabel={totalLabel(data.status)} totalTestId="order-detail-total" withSubtotal />
      </View>

      <View className="card" data-testid="order-address">
        <View className="line">
          <Text className="section-title">收货地址</Text>
          {payable && !changingAddress && (
            <ActionButton variant="ghost" small className="line__action" testId="address-change" onTap={() => void startAddressChange()}>
              修改地址
            </ActionButton>
          )}
        </View>
        {changingAddress ? (
          <>
            {address.view}
            <View className="line">
              <ActionButton variant="ghost" small onTap={() => setChangingAddress(false)}>
                取消
              </ActionButton>
              <ActionButton small testId="address-change-confirm" busy={acting} onTap={() => void saveAddressChange()}>
                寄到这里
              </ActionButton>
            </View>
          </>
        ) : (
          <AddressLines address={data.address} />
        )}
      </View>

      {takesAftersales(data.status) && (
        <View className="card" data-testid="aftersales-card">
          <Text className="section-title">售后服务</Text>
          <Text className="muted">商品破损、少件、错发或没有收到，可以申请售后</Text>
          <View className="aftersales-lines">
            {data.items.map((item, index) => {
              // Newest first: the line's latest request says whether one is still in progress.
              const latest = aftersales.data?.items.find((request) => request.itemIndex === index);
              const inProgress = latest && latest.status !== 'RESOLVED';
              return (
                <View key={index} className="aftersales-line">
                  <Text className="order-card__item aftersales-line__text">{`${item.name} × ${item.quantity}`}</Text>
                  {latest && (
                    <ActionButton variant="ghost" small testId={`aftersales-view-${index}`} onTap={() => Taro.navigateTo({ url: routes.aftersales(latest.id) })}>
                      {inProgress ? AFTERSALES_STATUS_LABELS[latest.status] : '售后记录'}
                    </ActionButton>
                  )}
                  {!inProgress && (
                    <ActionButton variant="ghost" small testId={`aftersales-apply-${index}`} onTap={() => Taro.navigateTo({ url: routes.aftersalesApply(orderId, index) })}>
                      申请售后
                    </ActionButton>
                  )}
                </View>
              );
            })}
          </View>
        </View>
      )}

      {actionError && <Text className="error-text">{actionError}</Text>}
      {payable && <PayNoticeText notice={notice ?? arrivedWith} />}
      {payable && (
        <View className="footer-bar">
          {confirmingCancel ? (
            <>
              <Text className="muted">确定取消该订单？</Text>
              <ActionButton variant="ghost" small onTap={() => setConfirmingCancel(false)}>
                再想想
              </ActionButton>
              <ActionButton variant="danger" small testId="cancel-order-confirm" busy={acting} onTap={() => act(api.cancelOrder)}>
                确认取消
              </ActionButton>
            </>
          ) : (
            <>
              <ActionButton variant="ghost" small testId="cancel-order" busy={paying} onTap={() => setConfirmingCancel(true)}>
                取消订单
              </ActionButton>
              {alipay && (
                <ActionButton variant={wechatInApp ? 'ghost' : 'primary'} small testId="alipay-button" busy={paying} onTap={() => payWithAlipay(() => api.payAlipay(orderId))}>
                  {alipay.label}
                </ActionButton>
              )}
              {!qrPay && wechatInApp && (
                <ActionButton testId="pay-again" busy={paying} onTap={pay}>
                  去支付 {formatFen(data.totalFen)}
                </ActionButton>
              )}
            </>
          )}
        </View>
      )}
      {data.status === 'DELIVERED' && (
        <View className="footer-bar">
          <ActionButton testId="confirm-receipt" busy={acting} onTap={confirmReceipt}>
            确认收货
          </ActionButton>
        </View>
      )}
    </View>
  );
}
