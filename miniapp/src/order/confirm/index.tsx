import type { Box, Cart, Coupon, CreateOrderRequest, Order, Profile } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { ApiError, describeError } from '../../api/api-error';
import { api } from '../../api/session';
import type { QuoteResponse } from '@blindbox/shared';
import { ActionButton } from '../../components/action-button';
import { AgeSheet } from '../../components/age-sheet';
import { Empty, ErrorState, Loading, Skeleton } from '../../components/page-state';
import { PayNoticeText } from '../../components/pay-notice';
import { PrivacyPopup } from '../../components/privacy-popup';
import { Stepper } from '../../components/stepper';
import { couponOffText, formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { useQrPay } from '../../platform/qr-pay';
import { usePayActions } from '../use-pay-actions';
import { useAddressChoice } from '../use-address-choice';
import { useOrderNotices } from '../../lib/order-notices';
// Compliance (issue 34): the minors' notice where the shopper decides to buy.
import { MinorsNotice } from '../../components/minors-notice';
import { minorsNoticeFor } from '@blindbox/shared/src/compliance';
import { formatFen } from '@blindbox/shared/src/money';
import { MAX_QUANTITY_PER_ITEM } from '@blindbox/shared/src/constants';
import { rememberCommitments } from '../../lib/seen-commitments';

/** One box bought now (its quantity chosen here), or the whole cart (quantities chosen in the cart). */
type Goods = { kind: 'box'; box: Box } | { kind: 'cart'; cart: Cart };

/**
 * What the page shows. One box is loaded first, and when it is sold out that is all that is loaded: at a drop's
 * opening most shoppers reaching this page have lost, and their addresses, coupons, profile and coupon quotes would
 * cost the shop four reads or more each just to say so (the box comes from the server's memory, at no read).
 */
async function loadCheckout(boxId: string, fromCart: boolean, pick: ReturnType<typeof pickOf>) {
  const box = fromCart ? null : await api.getBox(boxId);
  if (box && box.stock === 0) return { soldOut: box } as const;
  const goods: Promise<Goods> = box ? Promise.resolve({ kind: 'box', box }) : api.getCart().then((cart) => ({ kind: 'cart', cart }));
  const [bought, addresses, coupons, profile] = await Promise.all([goods, api.listAddresses(), api.listCoupons(), api.getProfile()]);
  const usable = coupons.items.filter((coupon) => coupon.status === 'AVAILABLE');
  return { soldOut: null, goods: bought, addresses: addresses.items, coupons: usable, profile, bestCouponId: await bestCoupon(bought, pick, usable) };
}

/**
 * The coupon that takes the most off the first quote, asked of the server for each (the discount rules are its
 * own); a coupon the order cannot use (below its minimum spend) answers an error and is skipped.
 */
async function bestCoupon(goods: Goods, pick: ReturnType<typeof pickOf>, coupons: Coupon[]): Promise<string | undefined> {
  const items = itemsOf(goods, 1, pick);
  const quotes = await Promise.all(coupons.map((coupon) => api.quoteOrder({ items, couponId: coupon.id }).then((quote) => ({ id: coupon.id, off: quote.discountFen }), () => null)));
  const best = quotes.reduce<{ id: string; off: number } | null>((top, quote) => (quote && quote.off > (top?.off ?? 0) ? quote : top), null);
  return best?.id;
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

/** Why the order cannot be placed for this shopper's declared age, or null when it can. */
function AgeHold({ profile }: { profile: Profile }) {
  if (profile.ageBracket === 'UNDER_8') {
    return (
      <Text className="error-text" data-testid="age-blocked">
        根据规定，未满 8 周岁不能购买盲盒。
      </Text>
    );
  }
  if (profile.ageBracket === 'MINOR_8_17' && !profile.guardianConsentAt) {
    return (
      <View className="notice" data-testid="guardian-needed">
        <Text>8–17 周岁购买盲盒需要监护人本人确认同意，确认后才能下单。</Text>
        <Text className="link link--block" data-testid="guardian-link" onClick={() => void Taro.navigateTo({ url: routes.guardian() })}>
          请监护人填写“监护人同意” →
        </Text>
      </View>
    );
  }
  return null;
}

export default function ConfirmPage() {
  const { params } = useRouter();
  const boxId = params.boxId ?? '';
  const fromCart = params.from === 'cart';
  const pick = pickOf(params);
  const checkout = useResource(() => loadCheckout(boxId, fromCart, pick));
  const [quantity, setQuantity] = useState(1);
  const address = useAddressChoice();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [couponId, setCouponId] = useState<string | undefined>(undefined);
  const [quote, setQuote] = useState<QuoteResponse | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [pickLost, setPickLost] = useState(false);
  const quoteGeneration = useRef(0);
  const { paying, notice, payWithWechat, wechatInApp } = usePayActions();
  const qrPay = useQrPay();
  const askOrderNotices = useOrderNotices();

  const ready = checkout.data?.soldOut === null ? checkout.data : null;
  useEffect(() => {
    if (!ready) return;
    address.load(ready.addresses);
    setProfile(ready.profile);
    setCouponId(ready.bestCouponId);
  }, [ready]);

  useEffect(() => {
    if (!ready) return;
    // Every change re-asks the server; a slow answer for an older selection must not overwrite a newer one.
    const current = ++quoteGeneration.current;
    setQuote(null);
    setQuoteError(null);
    api.quoteOrder({ items: itemsOf(ready.goods, quantity, pick), couponId }).then(
      (result) => current === quoteGeneration.current && setQuote(result),
      (failure: unknown) => current === quoteGeneration.current && setQuoteError(describeError(failure)),
    );
  }, [ready, quantity, couponId]);

  if (checkout.error) return <ErrorState message={checkout.error} onRetry={() => void checkout.reload()} />;
  const soldOut = checkout.data?.soldOut;
  if (soldOut) {
    return (
      <Empty text={`「${soldOut.name}」已售罄，看看其他系列吧`} action={{ label: '返回首页', onClick: () => void Taro.switchTab({ url: routes.boxes() }) }} />
    );
  }
  if (!ready || !profile) return <Skeleton kind="detail" />;
  const { goods, coupons } = ready;
  if (goods.kind === 'cart' && goods.cart.lines.length === 0) {
    return <Empty text="购物车是空的" action={{ label: '返回首页', onClick: () => void Taro.switchTab({ url: routes.boxes() }) }} />;
  }

  /** 提交并支付: one tap places the order and opens the pay sheet. */
  async function submitAndPay() {
    // WeChat's subscribe sheet opens only from the tap itself; the order is placed meanwhile.
    const noticesAsked = askOrderNotices();
    setSubmitError(null);
    const chosen = await address.addressToUse(setSubmitError);
    if (!chosen) return;
    let order: Order;
    try {
      // The cart's checkout orders what the server's cart holds, at the catalog's prices.
      order = goods.kind === 'cart' ? await api.checkoutCart({ addressId: chosen, couponId }) : await api.createOrder({ items: itemsOf(goods, quantity, pick), addressId: chosen, couponId });
      rememberCommitments(order);
    } catch (failure) {
      setSubmitError(describeError(failure));
      setPickLost(failure instanceof ApiError && PICK_LOST.has(failure.code));
      return;
    }
    // A desktop browser pays by QR code, shown on the order's page; a browser without WeChat's sheet there by Alipay.
    if (qrPay || !wechatInApp) {
      await Taro.redirectTo({ url: routes.order(order.id) });
      return;
    }
    const placed = order;
    // One WeChat sheet at a time: the pay sheet follows the subscribe sheet's answer.
    await noticesAsked;
    const told = await payWithWechat(async () => ({ params: await api.payJsapi(placed.id), totalFen: placed.totalFen }), () => Taro.redirectTo({ url: routes.result(placed.id) }));
    // Cancelled or failed: the order is placed and stays payable from its page (a second submit would order twice).
    if (told) await Taro.redirectTo({ url: routes.order(placed.id, told.kind) });
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

  const maxQuantity = goods.kind === 'box' ? Math.min(MAX_QUANTITY_PER_ITEM, goods.box.stock, goods.box.purchaseLimit) : 0;
  const ageHold = profile.ageBracket !== null && <AgeHold profile={profile} />;
  const cannotBuy = profile.ageBracket === 'UNDER_8' || (profile.ageBracket === 'MINOR_8_17' && !profile.guardianConsentAt);
  return (
    <View className="page page--with-footer">
      {!profile.ageBracket && <AgeSheet onDeclared={setProfile} />}
      <PrivacyPopup />
      {ageHold}
      {/* Compliance (issue 34): the age sheet and hold above show the other cases; a minor with consent is reminded. */}
      {minorsNoticeFor(profile) === 'GUARDIAN_CONSENTED' && <MinorsNotice profile={profile} />}
      {goods.kind === 'box' ? (
        <View className="card">
          <Text className="section-title">{goods.box.name}</Text>
          <Text className="muted">单价 {formatFen(goods.box.priceFen)}</Text>
          {pick ? (
            <Text data-testid="confirm-pick">
              {pick.whole ? `整盒 ${pick.positions.length} 只` : `位置 ${pick.positions.map((position) => position + 1).join('、')} 号`}
            </Text>
          ) : (
            <>
              <View className="line">
                <Text>数量</Text>
                <Stepper value={quantity} min={1} max={maxQuantity} onChange={setQuantity} />
              </View>
              {quantity >= maxQuantity && (
                <Text className="muted" data-testid="quantity-cap">
                  {maxQuantity === goods.box.purchaseLimit ? `每人本期限购 ${goods.box.purchaseLimit} 个` : maxQuantity === goods.box.stock ? `仅剩 ${goods.box.stock} 个` : `每单最多 ${MAX_QUANTITY_PER_ITEM} 个`}
                </Text>
              )}
            </>
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
        {address.view}
      </View>

      {coupons.length > 0 && (
        <View className="card">
          <Text className="section-title">优惠券</Text>
          {couponRow(null)}
          {coupons.map(couponRow)}
        </View>
      )}

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
      <PayNoticeText notice={notice} />
      {pickLost && (
        <ActionButton variant="ghost" testId="pick-again" onTap={() => Taro.navigateBack().catch(() => Taro.redirectTo({ url: routes.setGrid(boxId) }))}>
          重新选择位置
        </ActionButton>
      )}
      <View className="footer-bar">
        <Text className="footer-bar__total">
          应付 <Text className="price" data-testid="quote-total">{quote ? formatFen(quote.totalFen) : '—'}</Text>
        </Text>
        <ActionButton testId="submit-order" busy={paying} disabled={!quote || !profile.ageBracket || cannotBuy} onTap={submitAndPay}>
          提交并支付
        </ActionButton>
      </View>
    </View>
  );
}
