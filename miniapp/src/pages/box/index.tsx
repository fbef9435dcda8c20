import type { Box } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { ActionButton } from '../../components/action-button';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { ApiError, describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ArtImage } from '../../components/art-image';
import { ErrorState, Skeleton } from '../../components/page-state';
import { DropCountdown, useDropState } from '../../components/drop-countdown';
import { RARITY_LABELS, formatOdds } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { formatFen } from '@blindbox/shared/src/money';
import { RARITIES, SHORT_OF_UNITS_CODES } from '@blindbox/shared/src/constants';
// Compliance (issue 34): item values and the minors' notice, each its own component.
import { ItemValues } from '../../components/item-values';
import { MinorsNotice } from '../../components/minors-notice';
import { DropReminderButton } from '../../components/drop-reminder-button';

function OddsTable({ box }: { box: Box }) {
  // Rarest last, as the published odds are usually read: "how likely is the secret one?"
  const products = [...box.products].sort((a, b) => RARITIES.indexOf(a.rarity) - RARITIES.indexOf(b.rarity));
  const rarities = RARITIES.filter((rarity) => products.some((product) => product.rarity === rarity));
  return (
    <View className="odds" data-testid="odds-table">
      <Text className="section-title">公示概率</Text>
      {/* The version of the odds on sale now: an order keeps the version it was placed under. */}
      {box.version !== undefined && (
        <Text className="muted" data-testid="odds-version">
          第 {box.version} 版概率 · 已抽完的款式不再抽出，概率按剩余款式计算
        </Text>
      )}
      <View className="odds__row odds__row--head">
        <Text className="odds__name">款式</Text>
        <Text className="odds__rarity">稀有度</Text>
        <Text className="odds__value">概率</Text>
      </View>
      {products.map((product) => (
        <View key={product.id} className="odds__row" data-testid="odds-row">
          <Text className="odds__name">
            {product.name}
            {product.soldOut ? '（已抽完）' : ''}
          </Text>
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

/** Every kind in the box, rarest last, each in its rarity's frame. */
function Gallery({ box }: { box: Box }) {
  const products = [...box.products].sort((a, b) => RARITIES.indexOf(a.rarity) - RARITIES.indexOf(b.rarity));
  return (
    <View className="gallery" data-testid="gallery">
      {products.map((product) => (
        <View key={product.id} className="gallery__item">
          <ArtImage className="gallery__image" url={product.imageUrl} size="list" />
          <Text className="gallery__name">{product.name}</Text>
          <Text className={`rarity-tag rarity--${product.rarity.toLowerCase()}`}>{RARITY_LABELS[product.rarity]}</Text>
        </View>
      ))}
    </View>
  );
}

/** A whole-set box has no odds to publish: its sets are fixed, committed before sale, and verifiable after. */
function SetRules({ box }: { box: Box }) {
  const positions = box.products.filter((product) => product.rarity !== 'SECRET').length;
  return (
    <View className="card" data-testid="set-rules">
      <Text className="section-title">端盒规则</Text>
      <Text className="muted">
        每盒 {positions} 个位置，常规款每款各一只，隐藏款可能替换其中一只。每盒的排列在开售前用密码学随机数打乱，并公布其 SHA-256 承诺；整盒售完后公布排列与盐，任何人都能验证。
      </Text>
    </View>
  );
}

/**
 * Refusals of a drop's one-tap claim that the confirm page answers with a form (an address to add, the age to
 * declare, a guardian's consent): the shopper goes on there, as a purchase outside a drop does.
 */
const CONFIRM_PAGE_ASKS = new Set(['ADDRESS_REQUIRED', 'AGE_NOT_DECLARED', 'AGE_RESTRICTED', 'GUARDIAN_CONSENT_REQUIRED', 'GUARDIAN_CONSENT_OUTDATED']);

export default function BoxDetailPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const box = useResource(() => api.getBox(id));
  const drop = useDropState(box.data);
  const [adding, setAdding] = useState(false);
  const [inCart, setInCart] = useState<number | null>(null);
  const [claiming, setClaiming] = useState(false);
  const [claimError, setClaimError] = useState<string | null>(null);

  /**
   * A drop's box is claimed on the first tap: one unit, to the shopper's first address, the order's payment window
   * shown on its page. Who comes too late hears sold out from this one request, with nothing of their own loaded;
   * at a drop's opening nearly everyone does (docs/capacity.md).
   */
  async function claim(boxId: string) {
    setClaiming(true);
    setClaimError(null);
    try {
      const order = await api.createOrder({ items: [{ boxId, quantity: 1 }] });
      await Taro.navigateTo({ url: routes.claimedOrder(order.id) });
    } catch (failure) {
      if (failure instanceof ApiError && CONFIRM_PAGE_ASKS.has(failure.code)) {
        await Taro.navigateTo({ url: routes.confirm(boxId) });
        return;
      }
      // The page then says sold out itself, from the box as the server now knows it.
      if (failure instanceof ApiError && SHORT_OF_UNITS_CODES.has(failure.code)) void box.reload();
      setClaimError(describeError(failure));
    } finally {
      setClaiming(false);
    }
  }

  async function addToCart(boxId: string) {
    setAdding(true);
    try {
      const cart = await api.addToCart(boxId, 1);
      setInCart(cart.count);
      await Taro.showToast({ title: '已加入购物车', icon: 'none' });
    } catch (failure) {
      await Taro.showToast({ title: describeError(failure), icon: 'none' });
    } finally {
      setAdding(false);
    }
  }

  if (box.error) return <ErrorState message={box.error} onRetry={() => void box.reload()} />;
  if (!box.data) return <Skeleton kind="detail" />;
  const { data } = box;
  const soldOut = data.stock === 0;
  const wholeSet = data.saleMode === 'SETS';
  // A scheduled drop (not a whole-set box, whose positions are picked on the grid): claimed on the first tap.
  const oneTap = data.onSaleAt !== null && !wholeSet;
  return (
    <View className="page page--with-footer">
      <ArtImage className="detail-cover" url={data.coverUrl} size="detail" />
      <View className="card">
        <Text className="detail-name" data-testid="box-detail-name">
          {data.name}
        </Text>
        <Text className="price price--large">{formatFen(data.priceFen)}</Text>
        <Text className={`stock-text${soldOut ? ' stock-text--sold-out' : ''}`} data-testid="box-detail-stock">
          {soldOut ? '已售罄' : data.stock <= 10 ? `仅剩 ${data.stock} 个` : '现货'}
        </Text>
        <Text className="detail-description">{data.description}</Text>
        <Text className="link link--block" data-testid="cart-link" onClick={() => void Taro.navigateTo({ url: routes.cart() })}>
          查看购物车{inCart ? `（${inCart} 件）` : ''} →
        </Text>
      </View>
      <DropCountdown box={data} drop={drop} />
      {/* Compliance (issue 34): in plain sight before the shopper decides to buy. */}
      <MinorsNotice />
      <ItemValues box={data} />
      {soldOut && (
        <Text className="notice" data-testid="sold-out-notice">
          这一盒已经卖完了，看看其他系列吧
        </Text>
      )}
      {claimError && !soldOut && (
        <Text className="error-text" data-testid="claim-error">
          {claimError}
        </Text>
      )}
      <View className="card">
        <Text className="section-title">全部款式</Text>
        <Gallery box={data} />
      </View>
      {wholeSet ? (
        <SetRules box={data} />
      ) : (
        <View className="card">
          <OddsTable box={data} />
          <Text className="link link--block" data-testid="rules-link" onClick={() => void Taro.navigateTo({ url: routes.rules(data.id) })}>
            {data.guarantee ? `保底：${data.guarantee.within} 抽内必出${RARITY_LABELS[data.guarantee.minRarity]}款 · ` : ''}规则、概率、限购与开盒验证 →
          </Text>
        </View>
      )}
      <View className="footer-bar">
        <Text className="footer-bar__total price price--large">{formatFen(data.priceFen)}</Text>
        {soldOut ? (
          <ActionButton variant="ghost" testId="sold-out-back" onTap={() => Taro.navigateBack().catch(() => Taro.switchTab({ url: routes.boxes() }))}>
            已售罄 · 看看别的
          </ActionButton>
        ) : drop.state !== 'OPEN' ? (
          <>
            {drop.state === 'SCHEDULED' && <DropReminderButton boxId={data.id} />}
            {/* Enabled by the countdown at the second the server opens the drop; the server refuses earlier orders anyway. */}
            <ActionButton testId="order-button" disabled onTap={() => undefined}>
              {drop.state === 'SCHEDULED' ? '即将开售' : '暂停发售'}
            </ActionButton>
          </>
        ) : (
          <>
            {!wholeSet && (
              <ActionButton variant="ghost" small testId="add-to-cart" busy={adding} onTap={() => addToCart(data.id)}>
                加入购物车
              </ActionButton>
            )}
            {oneTap ? (
              <ActionButton testId="order-button" busy={claiming} onTap={() => claim(data.id)}>
                立即抢购
              </ActionButton>
            ) : (
              <ActionButton testId="order-button" onTap={() => Taro.navigateTo({ url: wholeSet ? routes.setGrid(data.id) : routes.confirm(data.id) })}>
                {wholeSet ? '挑选位置' : '立即购买'}
              </ActionButton>
            )}
          </>
        )}
      </View>
    </View>
  );
}
