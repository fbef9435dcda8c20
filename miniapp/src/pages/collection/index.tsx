import type { CollectionItem, CollectionSeries } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { useState } from 'react';
import { api } from '../../api/session';
import { ArtImage } from '../../components/art-image';
import { Empty, ErrorState, Skeleton } from '../../components/page-state';
import { RARITY_LABELS, formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import './collection.css';

/** 盒柜: everything drawn, by series; what is still missing shows as a silhouette. */
export default function CollectionPage() {
  const collection = useResource(() => api.getCollection());
  const [selected, setSelected] = useState<CollectionItem | null>(null);

  // Back from an order (or a new draw elsewhere): show the current state.
  useDidShow(() => {
    if (collection.data) void collection.reload();
  });
  usePullDownRefresh(() => {
    void collection.reload().finally(() => Taro.stopPullDownRefresh());
  });

  if (collection.error) return <ErrorState message={collection.error} onRetry={() => void collection.reload()} />;
  if (!collection.data) return <Skeleton kind="list" rows={2} />;
  const { series, owned, total } = collection.data;
  if (series.length === 0) {
    return <Empty text="盒柜还是空的，开一个盲盒放进来吧" action={{ label: '去开盒', onClick: () => void Taro.reLaunch({ url: routes.boxes() }) }} />;
  }
  return (
    <View className="page">
      <View className="card collection-summary" data-testid="collection-summary">
        <Text className="toolbar__title">我的盒柜</Text>
        <Text className="collection-summary__count" data-testid="collection-count">
          已集齐 {owned} / {total} 款
        </Text>
        <Progress owned={owned} total={total} />
      </View>
      {series.map((entry) => (
        <Series key={entry.boxId} series={entry} onSelect={setSelected} />
      ))}
      {selected && <DrawsSheet item={selected} onClose={() => setSelected(null)} />}
    </View>
  );
}

function Progress({ owned, total }: { owned: number; total: number }) {
  return (
    <View className="progress" role="progressbar" aria-valuenow={owned} aria-valuemax={total}>
      <View className="progress__bar" style={{ width: `${total === 0 ? 0 : Math.round((owned / total) * 100)}%` }} />
    </View>
  );
}

function Series({ series, onSelect }: { series: CollectionSeries; onSelect: (item: CollectionItem) => void }) {
  const complete = series.owned === series.total;
  return (
    <View className="card" data-testid="collection-series" data-box-id={series.boxId}>
      <View className="collection-series__head">
        <ArtImage className="collection-series__cover" url={series.coverUrl} size="list" />
        <View className="collection-series__title">
          <Text className="section-title">{series.name}</Text>
          <Text className={complete ? 'collection-series__complete' : 'muted'} data-testid="collection-series-count">
            {complete ? `全部集齐 ${series.total} 款！` : `${series.owned} / ${series.total} 款`}
          </Text>
          <Progress owned={series.owned} total={series.total} />
        </View>
      </View>
      <View className="collection-grid">
        {series.items.map((item) => {
          const have = item.draws.length > 0;
          return (
            <View
              key={item.productId}
              className={`collection-item${have ? ` rarity-card--${item.rarity.toLowerCase()}` : ' collection-item--missing'}`}
              data-testid="collection-item"
              data-owned={have}
              data-rarity={item.rarity}
              onClick={() => (have ? onSelect(item) : void Taro.showToast({ title: '还没抽到这一款', icon: 'none' }))}
            >
              <ArtImage className="collection-item__image" url={item.imageUrl} size="list" />
              {item.draws.length > 1 && <Text className="collection-item__count">×{item.draws.length}</Text>}
              <Text className="collection-item__name">{item.name}</Text>
              <Text className={`rarity-tag rarity--${item.rarity.toLowerCase()}`}>{have ? RARITY_LABELS[item.rarity] : '未获得'}</Text>
            </View>
          );
        })}
      </View>
    </View>
  );
}

/** Which orders drew this item; each opens its order. */
function DrawsSheet({ item, onClose }: { item: CollectionItem; onClose: () => void }) {
  return (
    <View className="sheet" data-testid="collection-draws" onClick={onClose}>
      <View className="sheet__panel" onClick={(event) => event.stopPropagation()}>
        <View className="line">
          <Text className="section-title">{item.name}</Text>
          <View className="sheet__close" data-testid="collection-draws-close" role="button" aria-label="关闭" onClick={onClose}>
            <Text>×</Text>
          </View>
        </View>
        <Text className="muted">共抽到 {item.draws.length} 次</Text>
        {item.draws.map((draw, index) => (
          <View
            key={`${draw.orderId}-${index}`}
            className="choice sheet__row"
            data-testid="collection-draw-order"
            data-order-id={draw.orderId}
            onClick={() => void Taro.navigateTo({ url: routes.order(draw.orderId) })}
          >
            <Text>订单 …{draw.orderId.slice(-8)}</Text>
            <Text className="muted">{formatDateTime(draw.drawnAt)} 开出</Text>
          </View>
        ))}
      </View>
    </View>
  );
}
