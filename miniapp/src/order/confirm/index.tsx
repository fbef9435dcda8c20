import type { Address, Box, Cart, Coupon, CreateOrderRequest } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { ApiError, describeError } from '../../api/api-error';
import { api } from '../../api/session';
import type { QuoteResponse } from '@blindbox/shared';
import { Empty, ErrorState, Loading, Skeleton } from '../../components/page-state';
import { Stepper } from '../../components/stepper';
import { couponOffText, formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { AddressForm } from './address-form';
import { formatFen } from '@blindbox/shared/src/money';
import { MAX_QUANTITY_PER_ITEM } from '@blindbox/shared/src/constants';
import { rememberCommitments } from '../../lib/seen-commitments';

/** One box bought now (its quantity chosen here), or the whole cart (quantities chosen in the cart). */
type Goods = { kind: 'box'; box: Box } | { kind: 'cart'; cart: Cart };

async function loadCheckout(boxId: string, fromCart: boolean) {
  const goods: Promise<Goods> = fromCart ? api.getCart().then((cart) => ({ kind: 'cart', cart })) : api.getBox(boxId).then((box) => ({ kind: 'box', box }));
  const [bought, addresses, coupons] = await Promise.all([goods, api.listAddresses(), api.listCoupons()]);
  return { goods: bought, addresses: addresses.items, coupons: coupons.items.filter((coupon) => coupon.status === 'AVAILABLE') };
}

/** A whole-set box's pick, from the grid page: positions of one set, or the whole set. */
function pickOf(params: Record<string, string | undefined>) {
  if (!params.setId) return null;
  const positions = (params.positions ?? '').split(',').filter(Boolean).map(Number);
  return { setId: params.setId, positions, whole: params.whole === '1' };
}

function itemsOf(goods: Goods, quantity: number, pick: ReturnType<typeof pickOf>): CreateOrderRequest['items'] {
  if (goods.kind === 'cart') return goods.cart.lines.map(({ boxId, quantity: units }) => ({ boxId, quantity: units }));
  if (!pick) return [{ boxId: goods.box.id, quantity }];
  const setPick = pick.whole ? { setId: pick.setId, wholeSet: true as const } : { setId: pick.setId, positions: pick.positions };
  return [{ boxId: goods.box.id, quantity: pick.positions.length, setPick }];
}

/** Someone else was quicker: the shopper goes back to the grid, which shows it as it is now. */
const PICK_LOST = new Set(['POSITION_TAKEN', 'SET_NOT_ON_SALE']);

export default function ConfirmPage() {
  const { params } = useRouter();
  const boxId = params.boxId ?? '';
  const fromCart = params.from === 'cart';
  const pick = pickOf(params);
  const checkout = useResource(() => loadCheckout(boxId, fromCart));
  const [quantity, setQuantity] = useState(1);
  const [addresses, setAddresses] = useState<Address[]>([]);
  const [addressId, setAddressId] = useState<string | null>(null);
  const [addingAddress, setAddingAddress] = useState(false);
  const [couponId, setCouponId] = useState<string | undefined>(undefined);
  const [quote, setQuote] = useState<QuoteResponse | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [pickLost, setPickLost] = useState(false);
  const quoteGeneration = useRef(0);

  useEffect(() => {
    if (!checkout.data) return;
    setAddresses(checkout.data.addresses);
    setAddressId((current) => current ?? checkout.data?.addresses[0]?.id ?? null);
    setAddingAddress(checkout.data.addresses.length === 0);
  }, [checkout.data]);

  useEffect(() => {
    if (!checkout.data) return;
    // Every change re-asks the server; a slow answer for an older selection must not overwrite a newer one.
    const current = ++quoteGeneration.current;
    setQuote(null);
    setQuoteError(null);
    api.quoteOrder({ items: itemsOf(checkout.data.goods, quantity, pick), couponId }).then(
      (result) => current === quoteGeneration.current && setQuote(result),
      (failure: unknown) => current === quoteGeneration.current && setQuoteError(describeError(failure)),
    );
  }, [checkout.data, quantity, couponId]);

  if (checkout.error) return <ErrorState message={checkout.error} onRetry={() => void checkout.reload()} />;
  if (!checkout.data) return <Skeleton kind="detail" />;
  const { goods, coupons } = checkout.data;
  if (goods.kind === 'box' && goods.box.stock === 0) {
    return <Empty text={`${goods.box.name}已售罄，看看其他系列吧`} action={{ label: '返回盲盒列表', onClick: () => void Taro.reLaunch({ url: routes.boxes() }) }} />;
  }
  if (goods.kind === 'cart' && goods.cart.lines.length === 0) {
    return <Empty text="购物车是空的" action={{ label: '返回盲盒列表', onClick: () => void Taro.reLaunch({ url: routes.boxes() }) }} />;
  }

  async function submit() {
    if (!addressId) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      // The cart's checkout orders what the server's cart holds, at the catalog's prices.
      const order = goods.kind === 'cart' ? await api.checkoutCart({ addressId, couponId }) : await api.createOrder({ items: itemsOf(goods, quantity, pick), addressId, couponId });
      rememberCommitments(order);
      await Taro.redirectTo({ url: routes.pay(order.id) });
    } catch (failure) {
      setSubmitError(describeError(failure));
      setPickLost(failure instanceof ApiError && PICK_LOST.has(failure.code));
    } finally {
      setSubmitting(false);
    }
  }

  function couponRow(coupon: Coupon | null) {
    const id = coupon?.id;
    return (
      <View
        key={id ?? 'none'}
        className={`choice${couponId === id ? ' choice--active' : ''}`}
        data-testid={coupon ? 'coupon-option' : 'coupon-none'}
        onClick={() => setCouponId(id)}
      >
        {coupon ? (
          <>
            <Text>{coupon.title}</Text>
            <Text className="muted">
              满 {formatFen(coupon.minSpendFen)} {couponOffText(coupon)} · {formatDateTime(coupon.expiresAt)} 到期
            </Text>
          </>
        ) : (
          <Text>不使用优惠券</Text>
        )}
      </View>
    );
  }

  return (
    <View className="page page--with-footer">
      {goods.kind === 'box' ? (
        <View className="card">
          <Text className="section-title">{goods.box.name}</Text>
          <Text className="muted">单价 {formatFen(goods.box.priceFen)}</Text>
          {pick ? (
            <Text data-testid="confirm-pick">
              {pick.whole ? `整盒 ${pick.positions.length} 只` : `位置 ${pick.positions.map((position) => position + 1).join('、')} 号`}
            </Text>
          ) : (
            <View className="line">
              <Text>数量</Text>
              <Stepper value={quantity} min={1} max={Math.min(MAX_QUANTITY_PER_ITEM, goods.box.stock, goods.box.purchaseLimit)} onChange={setQuantity} />
            </View>
          )}
        </View>
      ) : (
        <View className="card" data-testid="confirm-cart">
          {goods.cart.lines.map((line) => (
            <View key={line.boxId} className="line" data-testid="confirm-cart-line">
              <Text>
                {line.name} × {line.quantity}
              </Text>
              <Text className="muted">{formatFen(line.lineTotalFen)}</Text>
            </View>
          ))}
        </View>
      )}

      <View className="card">
        <Text className="section-title">收货地址</Text>
        {addresses.map((address) => (
          <View
            key={address.id}
            className={`choice${addressId === address.id ? ' choice--active' : ''}`}
            data-testid="address-option"
            onClick={() => setAddressId(address.id)}
          >
            <Text>
              {address.name} {address.phone}
            </Text>
            <Text className="muted">
              {address.region} {address.detail}
            </Text>
          </View>
        ))}
        {addingAddress ? (
          <AddressForm
            onSaved={(address) => {
              setAddresses((previous) => [...previous, address]);
              setAddressId(address.id);
              setAddingAddress(false);
            }}
          />
        ) : (
          <Text className="footer-bar__link" data-testid="address-add" onClick={() => setAddingAddress(true)}>
            + 新增地址
          </Text>
        )}
      </View>

      <View className="card">
        <Text className="section-title">优惠券</Text>
        {couponRow(null)}
        {coupons.map(couponRow)}
      </View>

      <View className="card" data-testid="quote">
        {quote ? (
          <>
            <View className="line">
              <Text>商品金额</Text>
              <Text data-testid="quote-subtotal">{formatFen(quote.subtotalFen)}</Text>
            </View>
            <View className="line">
              <Text>优惠</Text>
              <Text data-testid="quote-discount">-{formatFen(quote.discountFen)}</Text>
            </View>
          </>
        ) : quoteError ? (
          <Text className="error-text" data-testid="quote-error">
            {quoteError}
          </Text>
        ) : (
          <Loading text="正在计算金额…" />
        )}
      </View>

      {submitError && <Text className="error-text" data-testid="submit-error">{submitError}</Text>}
      {pickLost && (
        <Button className="btn btn--ghost" data-testid="pick-again" onClick={() => void Taro.navigateBack().catch(() => Taro.redirectTo({ url: routes.setGrid(boxId) }))}>
          重新选择位置
        </Button>
      )}
      <View className="footer-bar">
        <Text className="footer-bar__total">
          实付 <Text className="price" data-testid="quote-total">{quote ? formatFen(quote.totalFen) : '—'}</Text>
        </Text>
        <Button
          className="btn btn--primary"
          data-testid="submit-order"
          loading={submitting}
          disabled={!quote || !addressId || submitting}
          onClick={() => void submit()}
        >
          提交订单
        </Button>
      </View>
    </View>
  );
}
