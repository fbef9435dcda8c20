import type { Box } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { averageValueFen, valueRangeFen } from '@blindbox/shared/src/compliance';
import { RARITIES } from '@blindbox/shared/src/constants';
import { formatFen } from '@blindbox/shared/src/money';
import { RARITY_LABELS } from '../lib/format';
import './compliance.css';

/**
 * 商品价值公示: every item's value, the series' range and what a draw yields on average beside the price, before
 * purchase (《盲盒经营行为规范指引（试行）》: the value of the goods in the box is published prominently beforehand;
 * shared/compliance.ts). An item stored before values were kept shows 待公示 rather than nothing.
 */
export function ItemValues({ box }: { box: Pick<Box, 'priceFen' | 'products'> }) {
  // Rarest last, as the odds table reads.
  const products = [...box.products].sort((a, b) => RARITIES.indexOf(a.rarity) - RARITIES.indexOf(b.rarity));
  const valued = { priceFen: box.priceFen, items: box.products.map((product) => ({ id: product.id, valueFen: product.valueFen, weight: product.weight })) };
  const range = valueRangeFen(valued);
  const average = averageValueFen(valued);
  return (
    <View className="card" data-testid="item-values">
      <Text className="section-title">商品价值公示</Text>
      <View className="item-values__summary">
        <Text data-testid="item-values-range">
          单款价值 <Text className="item-values__range">{range ? (range.min === range.max ? formatFen(range.min) : `${formatFen(range.min)} – ${formatFen(range.max)}`) : '待公示'}</Text>
        </Text>
        <Text>售价 {formatFen(box.priceFen)}</Text>
      </View>
      {average !== null && (
        <Text className="muted" data-testid="item-values-average">
          按公示概率，每抽所得商品的平均价值为 {formatFen(average)}
        </Text>
      )}
      <View className="odds__row odds__row--head">
        <Text className="odds__name">款式</Text>
        <Text className="odds__rarity">稀有度</Text>
        <Text className="odds__value">商品价值</Text>
      </View>
      {products.map((product) => (
        <View key={product.id} className="odds__row" data-testid="item-value-row">
          <Text className="odds__name">{product.name}</Text>
          <Text className={`odds__rarity rarity--${product.rarity.toLowerCase()}`}>{RARITY_LABELS[product.rarity]}</Text>
          <Text className="odds__value" data-testid="item-value">
            {product.valueFen === null ? '待公示' : formatFen(product.valueFen)}
          </Text>
        </View>
      ))}
      <Text className="muted">商品价值为该款单独销售时的零售价。抽中的商品不支持折现或由本店回购。</Text>
    </View>
  );
}
