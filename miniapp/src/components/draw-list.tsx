import type { Draw } from '@blindbox/shared';
import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { RARITY_LABELS } from '../lib/format';
import { routes } from '../lib/routes';

/** The products the server drew for a paid order, each with a link to its proof. */
export function DrawList({ draws, orderId }: { draws: Draw[]; orderId: string }) {
  return (
    <View className="reveal" data-testid="reveal-list">
      {draws.map((draw, index) => (
        <View
          key={`${draw.productId}-${index}`}
          className={`reveal__item rarity-card--${draw.rarity.toLowerCase()}`}
          data-testid="reveal-item"
          data-rarity={draw.rarity}
        >
          <Image className="reveal__image" src={draw.imageUrl} mode="aspectFill" />
          <Text className="reveal__name" data-testid="reveal-name">
            {draw.name}
          </Text>
          <Text className={`reveal__rarity rarity--${draw.rarity.toLowerCase()}`}>{RARITY_LABELS[draw.rarity]}</Text>
          {draw.proof && (
            <Text className="link" data-testid="proof-link" onClick={() => void Taro.navigateTo({ url: routes.proof(orderId, index) })}>
              {draw.proof.forced ? '保底 · ' : ''}验证
            </Text>
          )}
        </View>
      ))}
    </View>
  );
}
