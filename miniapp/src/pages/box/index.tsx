import type { Box } from '@blindbox/shared';
import { Button, Image, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { api } from '../../api/session';
import { ErrorState, Loading } from '../../components/page-state';
import { RARITY_LABELS, formatOdds } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { formatFen } from '@blindbox/shared/src/money';
import { RARITIES } from '@blindbox/shared/src/constants';

function OddsTable({ box }: { box: Box }) {
  // Rarest last, as the published odds are usually read: "how likely is the secret one?"
  const products = [...box.products].sort((a, b) => RARITIES.indexOf(a.rarity) - RARITIES.indexOf(b.rarity));
  const rarities = RARITIES.filter((rarity) => products.some((product) => product.rarity === rarity));
  return (
    <View className="odds" data-testid="odds-table">
      <Text className="section-title">公示概率</Text>
      <View className="odds__row odds__row--head">
        <Text className="odds__name">款式</Text>
        <Text className="odds__rarity">稀有度</Text>
        <Text className="odds__value">概率</Text>
      </View>
      {products.map((product) => (
        <View key={product.id} className="odds__row" data-testid="odds-row">
          <Text className="odds__name">{product.name}</Text>
          <Text className={`odds__rarity rarity--${product.rarity.toLowerCase()}`}>{RARITY_LABELS[product.rarity]}</Text>
          <Text className="odds__value" data-testid="odds-value">
            {formatOdds(product.odds)}
          </Text>
        </View>
      ))}
      {rarities.map((rarity) => (
        <View key={rarity} className="odds__row odds__row--total" data-testid="odds-rarity-total">
          <Text className="odds__name">{RARITY_LABELS[rarity]}合计</Text>
          <Text className={`odds__rarity rarity--${rarity.toLowerCase()}`}>{RARITY_LABELS[rarity]}</Text>
          <Text className="odds__value">
            {formatOdds(
              products.filter((product) => product.rarity === rarity).reduce((sum, product) => sum + product.odds, 0),
            )}
          </Text>
        </View>
      ))}
    </View>
  );
}

export default function BoxDetailPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const box = useResource(() => api.getBox(id));

  if (box.error) return <ErrorState message={box.error} onRetry={() => void box.reload()} />;
  if (!box.data) return <Loading />;
  const { data } = box;
  return (
    <View className="page page--with-footer">
      <Image className="detail-cover" src={data.coverUrl} mode="aspectFill" />
      <View className="card">
        <Text className="detail-name" data-testid="box-detail-name">
          {data.name}
        </Text>
        <Text className="price price--large">{formatFen(data.priceFen)}</Text>
        <Text className="muted">{data.stock > 0 ? `库存 ${data.stock}` : '已售罄'}</Text>
        <Text className="detail-description">{data.description}</Text>
      </View>
      <View className="card">
        <OddsTable box={data} />
        <Text className="link" data-testid="rules-link" onClick={() => void Taro.navigateTo({ url: routes.rules(data.id) })}>
          {data.guarantee ? `保底：${data.guarantee.within} 抽内必出${RARITY_LABELS[data.guarantee.minRarity]}款 · ` : ''}规则、概率、限购与开盒验证 →
        </Text>
      </View>
      <View className="footer-bar">
        <Button
          className="btn btn--primary"
          data-testid="order-button"
          disabled={data.stock === 0}
          onClick={() => void Taro.navigateTo({ url: routes.confirm(data.id) })}
        >
          {data.stock > 0 ? '立即购买' : '已售罄'}
        </Button>
      </View>
    </View>
  );
}
