import type { Draw } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { RARITY_LABELS } from '../lib/format';
import { routes } from '../lib/routes';
import { ArtImage } from './art-image';

/**
 * The products the server drew for a paid order, each with a link to its proof (the reveal's own full-width
 * cards are in reveal.tsx).
 */
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
          <ArtImage className="reveal__image" url={draw.imageUrl} size="list" />
          <Text className="reveal__name" data-testid="reveal-name">
            {draw.name}
          </Text>
          <Text className={`rarity-tag rarity--${draw.rarity.toLowerCase()}`}>{RARITY_LABELS[draw.rarity]}</Text>
          {draw.set && (
            <Text className="link" data-testid="set-verify-link" onClick={() => void Taro.navigateTo({ url: routes.setVerify(draw.set?.setId ?? '') })}>
              第 {draw.set.number} 盒 · {draw.set.position + 1} 号位 · 验证
            </Text>
          )}
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
