import type { Draw } from '@blindbox/shared';
import { Image, Text, View } from '@tarojs/components';
import { RARITY_LABELS } from '../lib/format';

/** The products the server drew for a paid order. */
export function DrawList({ draws }: { draws: Draw[] }) {
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
        </View>
      ))}
    </View>
  );
}
