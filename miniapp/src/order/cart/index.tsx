import type { Cart, CartLine } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { ActionButton } from '../../components/action-button';
import Taro, { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ArtImage } from '../../components/art-image';
import { Empty, ErrorState, Skeleton } from '../../components/page-state';
import { Stepper } from '../../components/stepper';
import { routes } from '../../lib/routes';
import { formatFen } from '@blindbox/shared/src/money';
import { MAX_QUANTITY_PER_ITEM } from '@blindbox/shared/src/constants';

/** The cart lives on the server: every change is the server's answer, priced from the catalog. */
export default function CartPage() {
  const [cart, setCart] = useState<Cart | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [changeError, setChangeError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    setError(null);
    try {
      setCart(await api.getCart());
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  // Back from the confirm page (ordered, or not), the cart shows what is left.
  useDidShow(() => {
    void load();
  });

  async function change(action: () => Promise<Cart>) {
    setBusy(true);
    setChangeError(null);
    try {
      setCart(await action());
    } catch (failure) {
      setChangeError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  if (error) return <ErrorState message={error} onRetry={() => void load()} />;
  if (!cart) return <Skeleton kind="list" rows={2} />;
  if (cart.lines.length === 0) {
    return <Empty text="购物车是空的" action={{ label: '去挑一个盲盒', onClick: () => void Taro.switchTab({ url: routes.boxes() }) }} />;
  }
  const unavailable = cart.lines.some((line) => !line.available);

  function lineView(line: CartLine) {
    return (
      <View key={line.boxId} className="card cart-line" data-testid="cart-line" data-box-id={line.boxId}>
        <View className="order-card__line">
          <ArtImage className="order-card__thumb" url={line.coverUrl} size="list" />
          <View className="cart-line__text">
            <Text className="order-card__item" data-testid="cart-line-name">
              {line.name}
            </Text>
            <Text className="muted">单价 {formatFen(line.priceFen)}</Text>
            {!line.available && (
              <Text className="error-text" data-testid="cart-line-unavailable">
                {line.stock === 0 ? '已售罄' : line.quantity > line.limit ? `每人限购 ${line.limit} 个，请减少数量` : line.stock < line.quantity ? `仅剩 ${line.stock} 个，请减少数量` : '暂不能购买（未开售或已下架）'}
              </Text>
            )}
            {line.available && line.quantity >= Math.min(line.limit, line.stock) && (
              <Text className="muted" data-testid="cart-line-cap">
                {line.quantity >= line.limit ? `每人限购 ${line.limit} 个` : `仅剩 ${line.stock} 个`}
              </Text>
            )}
          </View>
        </View>
        <View className="line">
          <Stepper
            value={line.quantity}
            min={1}
            max={Math.max(1, Math.min(MAX_QUANTITY_PER_ITEM, line.limit, line.stock))}
            onChange={(quantity) => void change(() => api.setCartQuantity(line.boxId, quantity))}
          />
          <Text className="footer-bar__link cart-line__remove" data-testid="cart-line-remove" onClick={() => void change(() => api.removeFromCart(line.boxId))}>
            删除
          </Text>
        </View>
      </View>
    );
  }

  return (
    <View className="page page--with-footer">
      {cart.lines.map(lineView)}
      {changeError && (
        <Text className="error-text" data-testid="cart-error">
          {changeError}
        </Text>
      )}
      {unavailable && <Text className="notice">有盲盒暂不能购买，请调整数量或删除后再结算</Text>}
      <View className="footer-bar">
        <Text className="footer-bar__total">
          共 <Text data-testid="cart-count">{cart.count}</Text> 件 · 合计{' '}
          <Text className="price" data-testid="cart-total">
            {formatFen(cart.totalFen)}
          </Text>
        </Text>
        <ActionButton testId="cart-checkout" busy={busy} disabled={unavailable} onTap={() => Taro.navigateTo({ url: routes.confirmCart() })}>
          去结算
        </ActionButton>
      </View>
    </View>
  );
}
