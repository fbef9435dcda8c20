import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { orderActionResponseSchema, reconcileResponseSchema, type OrderDetail, type RefundRequest, type ShipRequest, type StaffAddressRequest } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';

/** The order page's writes: each answers the order as it is now, which replaces the cached one. */
export function useOrderActions(orderId: string) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const key = ['order', orderId];
  const settled = (text: string) => {
    message.success(text);
    void client.invalidateQueries({ queryKey: ['orders'] });
    void client.invalidateQueries({ queryKey: ['shipping'] });
    void client.invalidateQueries({ queryKey: ['audit'] });
  };
  const onError = (error: unknown) => message.error(errorMessage(error));
  const path = `/orders/${orderId}`;

  /** POST `<order>/<action>` with the body made of the input; the order answered replaces the cached one, and staff read `done`. */
  const useOrderChange = <Input>(action: string, bodyOf: (input: Input) => unknown, done: (order: OrderDetail) => string) =>
    useMutation({
      mutationFn: (input: Input) => request('POST', `${path}/${action}`, orderActionResponseSchema, { body: bodyOf(input) }),
      onSuccess: (answer) => {
        client.setQueryData(key, answer.order);
        settled(done(answer.order));
      },
      onError,
    });
  const asIs = <Body>(body: Body) => body;

  return {
    refund: useOrderChange('refunds', asIs<RefundRequest>, () => '退款已提交，等待渠道确认'),
    ship: useOrderChange('ship', asIs<ShipRequest>, () => '已发货'),
    readdress: useOrderChange('address', asIs<StaffAddressRequest>, () => '收货地址已修改'),
    cancel: useOrderChange('cancel', (reason: string) => ({ reason }), () => '订单已取消'),
    received: useOrderChange('received', (_: void) => ({}), (order) => (order.shipping?.reminderStatus === 'PENDING' ? '已标记签收，微信将提醒买家确认收货' : '已标记签收')),
    reconcile: useMutation({
      mutationFn: () => request('POST', `${path}/reconcile`, reconcileResponseSchema),
      onSuccess: (answer) => {
        void client.invalidateQueries({ queryKey: key });
        settled(answer.before === answer.after ? `已核对，状态无变化${answer.steps.length ? '：' + answer.steps.join('；') : ''}` : `已核对并修正：${answer.steps.join('；')}`);
      },
      onError,
    }),
  };
}
