import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { orderActionResponseSchema, reconcileResponseSchema, type RefundRequest, type ShipRequest, type StaffAddressRequest } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';

/** The order page's writes: each answers the order as it is now, which replaces the cached one. */
export function useOrderActions(orderId: string) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const key = ['order', orderId];
  const settled = (text: string) => () => {
    message.success(text);
    void client.invalidateQueries({ queryKey: ['orders'] });
    void client.invalidateQueries({ queryKey: ['shipping'] });
    void client.invalidateQueries({ queryKey: ['audit'] });
  };
  const onError = (error: unknown) => message.error(errorMessage(error));
  const path = `/orders/${orderId}`;
  return {
    refund: useMutation({
      mutationFn: (body: RefundRequest) => request('POST', `${path}/refunds`, orderActionResponseSchema, { body }),
      onSuccess: (answer) => {
        client.setQueryData(key, answer.order);
        settled('退款已提交，等待渠道确认')();
      },
      onError,
    }),
    ship: useMutation({
      mutationFn: (body: ShipRequest) => request('POST', `${path}/ship`, orderActionResponseSchema, { body }),
      onSuccess: (answer) => {
        client.setQueryData(key, answer.order);
        settled('已发货')();
      },
      onError,
    }),
    readdress: useMutation({
      mutationFn: (body: StaffAddressRequest) => request('POST', `${path}/address`, orderActionResponseSchema, { body }),
      onSuccess: (answer) => {
        client.setQueryData(key, answer.order);
        settled('收货地址已修改')();
      },
      onError,
    }),
    cancel: useMutation({
      mutationFn: (reason: string) => request('POST', `${path}/cancel`, orderActionResponseSchema, { body: { reason } }),
      onSuccess: (answer) => {
        client.setQueryData(key, answer.order);
        settled('订单已取消')();
      },
      onError,
    }),
    received: useMutation({
      mutationFn: () => request('POST', `${path}/received`, orderActionResponseSchema, { body: {} }),
      onSuccess: (answer) => {
        client.setQueryData(key, answer.order);
        settled(answer.order.shipping?.reminderStatus === 'PENDING' ? '已标记签收，微信将提醒买家确认收货' : '已标记签收')();
      },
      onError,
    }),
    reconcile: useMutation({
      mutationFn: () => request('POST', `${path}/reconcile`, reconcileResponseSchema),
      onSuccess: (answer) => {
        void client.invalidateQueries({ queryKey: key });
        settled(answer.before === answer.after ? `已核对，状态无变化${answer.steps.length ? '：' + answer.steps.join('；') : ''}` : `已核对并修正：${answer.steps.join('；')}`)();
      },
      onError,
    }),
  };
}
