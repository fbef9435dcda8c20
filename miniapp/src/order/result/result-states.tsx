import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { routes } from '../../lib/routes';

/** The callback usually lands within a second or two; until then the payment is neither paid nor failed. */
export function PendingState() {
  return (
    <View className="state" data-testid="result-pending">
      <View className="spinner" />
      <Text className="state__title">正在确认支付结果…</Text>
      <Text className="state__message">微信支付的通知到达后马上为你开盒，请不要重复支付。</Text>
    </View>
  );
}

export function TimeoutState({ onRetry, onViewOrder }: { onRetry: () => void; onViewOrder: () => void }) {
  return (
    <View className="state" data-testid="result-timeout">
      <Text className="state__icon">…</Text>
      <Text className="state__title">暂未确认到支付结果</Text>
      <Text className="state__message">如已支付，请稍后在订单中查看，无需重复支付。</Text>
      <Button className="btn btn--primary" data-testid="result-retry" onClick={onRetry}>
        再次查询
      </Button>
      <Button className="btn btn--ghost" onClick={onViewOrder}>
        查看订单
      </Button>
    </View>
  );
}

/**
 * Where a shopper goes after the last reveal: the collection, the order(s), or back to the shop. `secondary`: the
 * page has its own first choice (再来一个), so the collection is not a second red button beside it.
 */
export function AfterReveal({ onViewOrder, secondary = false }: { onViewOrder: () => void; secondary?: boolean }) {
  return (
    <>
      <Button className={`btn ${secondary ? 'btn--ghost' : 'btn--primary'}`} data-testid="result-collection" onClick={() => void Taro.switchTab({ url: routes.collection() })}>
        放进盒柜
      </Button>
      <Button className="btn btn--ghost" data-testid="result-view-order" onClick={onViewOrder}>
        查看订单
      </Button>
      <Button className="btn btn--ghost" onClick={() => void Taro.switchTab({ url: routes.boxes() })}>
        继续逛逛
      </Button>
    </>
  );
}
