import type { Order } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { formatFen } from '@blindbox/shared/src/money';

/** An order's lines, discount and total, as the server priced them (the client never computes an amount). */
export function OrderAmounts({ order, totalLabel, totalTestId, withSubtotal = false }: { order: Order; totalLabel: string; totalTestId: string; withSubtotal?: boolean }) {
  return (
    <>
      {order.items.map((item) => (
        <View key={item.boxId} className="line">
          <Text>
            {item.name} × {item.quantity}
          </Text>
          <Text>{formatFen(item.priceFen)}</Text>
        </View>
      ))}
      {withSubtotal && (
        <View className="line">
          <Text>商品金额</Text>
          <Text>{formatFen(order.subtotalFen)}</Text>
        </View>
      )}
      <View className="line">
        <Text>优惠</Text>
        <Text>-{formatFen(order.discountFen)}</Text>
      </View>
      <View className="line line--strong">
        <Text>{totalLabel}</Text>
        <Text className="price" data-testid={totalTestId}>
          {formatFen(order.totalFen)}
        </Text>
      </View>
    </>
  );
}
