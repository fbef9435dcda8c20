import type { Address, Order } from '@blindbox/shared';
import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useRef } from 'react';
import { formatFen } from '@blindbox/shared/src/money';
import { api } from '../../api/session';
import { ActionButton } from '../../components/action-button';
import { PayNoticeText } from '../../components/pay-notice';
import { rarestDraw } from '../../components/reveal';
import { routes } from '../../lib/routes';
import { ShareButton } from '../../platform/share-button';
import { usePayActions } from '../use-pay-actions';

/** The saved address the order was sent to (the order keeps a copy, not the id), else the newest one saved. */
function addressFor(order: Order, saved: readonly Address[]): Address | undefined {
  const same = (address: Address) => (['name', 'phone', 'region', 'detail'] as const).every((field) => address[field] === order.address[field]);
  return saved.find(same) ?? saved[0];
}

/**
 * 再来一个: one more of the same box, to the same address, straight to the pay sheet (no confirm page: the
 * shopper just saw the price). A whole-set box needs a position picked, so it goes back to the grid. A sheet
 * cancelled leaves the new order payable; the next tap pays that order instead of placing another one.
 */
export function OneMoreAndShare({ order }: { order: Order }) {
  const { paying, notice, payWithWechat } = usePayActions();
  const placed = useRef<Order | null>(null);
  const item = order.items[0];
  const isSetBox = order.draws.some((draw) => draw.set);
  const canRepeat = order.items.length === 1 && item !== undefined;

  async function oneMore() {
    if (!item) return;
    if (isSetBox) {
      void Taro.navigateTo({ url: routes.setGrid(item.boxId) });
      return;
    }
    await payWithWechat(
      async () => {
        let next = placed.current;
        if (!next || next.status !== 'TO_BE_PAID') {
          const address = addressFor(order, (await api.listAddresses()).items);
          if (!address) throw new Error('请先添加收货地址');
          next = await api.createOrder({ items: [{ boxId: item.boxId, quantity: 1 }], addressId: address.id });
          placed.current = next;
        }
        const created = next;
        return { params: await api.payJsapi(created.id), totalFen: created.totalFen, orderId: created.id };
      },
      ({ orderId }) => Taro.redirectTo({ url: routes.result(orderId) }),
    );
  }

  const best = rarestDraw(order.draws);
  return (
    <>
      <View className="reveal-actions">
        {canRepeat && (
          <ActionButton testId="one-more" busy={paying} onTap={oneMore}>
            {isSetBox ? '再挑一个' : `再来一个 ${formatFen(item.priceFen)}`}
          </ActionButton>
        )}
        {best && <ShareButton draw={best} boxName={item?.name ?? ''} />}
      </View>
      <PayNoticeText notice={notice} />
    </>
  );
}
