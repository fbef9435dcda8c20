import type { Box } from '@blindbox/shared';
import { shelfSectionOf, stockWordOf, type ShelfSection } from '@blindbox/shared/src/shelf';
import { Button, Text, View } from '@tarojs/components';
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { DevUserBar } from '../../components/dev-user-bar';
import { ArtImage } from '../../components/art-image';
import { ComingSoonBadge } from '../../components/drop-countdown';
import { Empty, ErrorState, Loading, Skeleton } from '../../components/page-state';
import { routes } from '../../lib/routes';
import { formatFen } from '@blindbox/shared/src/money';
import './shelf.css';

const PAGE_SIZE = 10;

const SECTIONS: { section: ShelfSection; title: string; note?: string }[] = [
  { section: 'NEW', title: '新品' },
  { section: 'COMING', title: '即将开售', note: '北京时间' },
  { section: 'ON_SALE', title: '全部在售' },
];

/** The server's clock when the box was answered: the shelf's sections never follow the phone's own clock. */
const serverNow = (box: Box) => new Date(box.serverTime);

function ShelfCard({ box }: { box: Box }) {
  const stock = stockWordOf(box.stock);
  const soldOut = stock.kind === 'SOLD_OUT';
  return (
    <View
      className={`shelf-card${soldOut ? ' shelf-card--sold-out' : ''}`}
      data-testid="box-item"
      data-box-id={box.id}
      onClick={() => void Taro.navigateTo({ url: routes.box(box.id) })}
    >
      <View className="shelf-card__cover-wrap">
        <ArtImage className="shelf-card__cover" url={box.coverUrl} size="list" />
        {box.saleMode === 'SETS' && (
          <Text className="shelf-tag shelf-tag--set" data-testid="set-box-tag">
            端盒
          </Text>
        )}
        {soldOut ? <Text className="sold-out-badge">已售罄</Text> : <ComingSoonBadge box={box} />}
      </View>
      <View className="shelf-card__body">
        <Text className="shelf-card__name" data-testid="box-name">
          {box.name}
        </Text>
        <View className="shelf-card__meta">
          <Text className="price" data-testid="box-price">
            {formatFen(box.priceFen)}
            {box.saleMode === 'SETS' ? ' /只' : ''}
          </Text>
          {stock.text && (
            <Text className={`shelf-card__stock${soldOut ? ' shelf-card__stock--sold-out' : ''}`} data-testid="box-stock">
              {stock.text}
            </Text>
          )}
        </View>
      </View>
    </View>
  );
}

export default function BoxListPage() {
  const [boxes, setBoxes] = useState<Box[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);

  const load = useCallback(async (nextPage: number) => {
    if (busy.current) return;
    busy.current = true;
    setLoading(true);
    setError(null);
    try {
      const result = await api.listBoxes(nextPage, PAGE_SIZE);
      setBoxes((previous) => (nextPage === 1 ? result.items : [...previous, ...result.items]));
      setTotal(result.total);
      setPage(nextPage);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(1);
  }, [load]);

  usePullDownRefresh(() => {
    void load(1).finally(() => Taro.stopPullDownRefresh());
  });

  const hasMore = boxes.length < total;
  useReachBottom(() => {
    if (hasMore) void load(page + 1);
  });

  const firstLoad = loading && boxes.length === 0;
  return (
    <View className="page">
      <View className="toolbar">
        <Text className="toolbar__title">全部盲盒</Text>
        <View className="toolbar__links">
          <Text className="pill" data-testid="my-cart" onClick={() => void Taro.navigateTo({ url: routes.cart() })}>
            购物车
          </Text>
        </View>
      </View>
      <DevUserBar />
      {SECTIONS.map(({ section, title, note }) => {
        const shelf = boxes.filter((box) => shelfSectionOf(box, serverNow(box)) === section);
        if (shelf.length === 0) return null;
        return (
          <View key={section} className="shelf-section" data-testid="shelf-section" data-section={section}>
            <Text className="shelf-section__title">
              {title}
              {note && <Text className="shelf-section__note">{note}</Text>}
            </Text>
            <View className="shelf-grid">
              {shelf.map((box) => (
                <ShelfCard key={box.id} box={box} />
              ))}
            </View>
          </View>
        );
      })}
      {firstLoad && <Skeleton kind="list" inline />}
      {loading && !firstLoad && <Loading />}
      {error && <ErrorState message={error} onRetry={() => void load(boxes.length === 0 ? 1 : page + 1)} />}
      {!loading && !error && boxes.length === 0 && <Empty text="暂无盲盒，下拉刷新试试" />}
      {!loading && !error && hasMore && (
        <Button className="btn btn--ghost" data-testid="load-more" onClick={() => void load(page + 1)}>
          加载更多
        </Button>
      )}
      {!loading && !error && boxes.length > 0 && !hasMore && <Text className="end-note">没有更多了</Text>}
    </View>
  );
}
