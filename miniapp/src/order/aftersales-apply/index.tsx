import { AFTERSALES_KIND_LABELS, AFTERSALES_KINDS, AFTERSALES_PHOTOS_MAX, AFTERSALES_TEXT_MAX, createAftersalesRequestSchema, type AftersalesKind } from '@blindbox/shared/src/aftersales';
import { Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ActionButton } from '../../components/action-button';
import { ArtImage } from '../../components/art-image';
import { PhotoPicker } from '../../components/photo-picker';
import { ErrorState, Skeleton } from '../../components/page-state';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { useNoticeAsk } from '../../lib/order-notices';

/** What the shopper is asked to say for each kind, so the first message already answers staff's first question. */
const HINTS: Record<AftersalesKind, string> = {
  DAMAGED: '请描述破损的情况，例如哪一款、哪个部位破损，外包装是否完好',
  MISSING_ITEM: '请描述少了什么，例如少了几盒、缺少配件',
  WRONG_ITEM: '请描述收到的商品与订单有何不同',
  NOT_RECEIVED: '请描述物流情况，例如显示已签收但没有收到',
};

/** A new after-sales request on one line of a shipped order: what went wrong, in the shopper's words. */
export default function AftersalesApplyPage() {
  const { params } = useRouter();
  const [orderId] = useState(() => params.orderId ?? '');
  const [itemIndex] = useState(() => Number(params.itemIndex ?? '0'));
  const order = useResource(() => api.getOrder(orderId));
  const [kind, setKind] = useState<AftersalesKind | null>(null);
  const [description, setDescription] = useState('');
  const [photos, setPhotos] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Customer service's replies and the decision (and a refund's arrival), asked for in the tap that sends.
  const askNotices = useNoticeAsk((templates) => [templates.serviceUpdate, templates.refundSucceeded]);

  if (order.error) return <ErrorState message={order.error} onRetry={() => void order.reload()} />;
  if (!order.data) return <Skeleton kind="detail" />;
  const item = order.data.items[itemIndex];
  if (!item) return <ErrorState message="没有找到这件商品，请返回订单重试" />;

  async function submit() {
    setError(null);
    if (!kind) return setError('请选择遇到的问题');
    const parsed = createAftersalesRequestSchema.safeParse({ orderId, itemIndex, kind, description, photos });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? '填写的内容有误');
    // Still within the tap (checks above are synchronous), as WeChat's sheet requires.
    void askNotices();
    try {
      const created = await api.createAftersales(parsed.data);
      await Taro.redirectTo({ url: routes.aftersales(created.id) });
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <View className="page page--with-footer">
      <View className="card">
        <View className="order-card__line">
          <ArtImage url={item.coverUrl} className="order-card__thumb" size="list" />
          <Text className="order-card__item">{`${item.name} × ${item.quantity}`}</Text>
        </View>
      </View>

      <View className="card">
        <Text className="section-title">遇到了什么问题</Text>
        <View className="aftersales-kinds" role="radiogroup">
          {AFTERSALES_KINDS.map((choice) => (
            <View
              key={choice}
              role="radio"
              aria-checked={kind === choice}
              className={`choice aftersales-kinds__choice${kind === choice ? ' choice--active' : ''}`}
              data-testid={`aftersales-kind-${choice}`}
              onClick={() => {
                setKind(choice);
                setError(null);
              }}
            >
              <Text>{AFTERSALES_KIND_LABELS[choice]}</Text>
            </View>
          ))}
        </View>
      </View>

      <View className="card">
        <Text className="section-title">问题描述</Text>
        <Textarea
          className="aftersales-textarea"
          data-testid="aftersales-description"
          value={description}
          maxlength={AFTERSALES_TEXT_MAX}
          placeholder={kind ? HINTS[kind] : '请先选择问题，再描述具体情况（至少 5 个字）'}
          onInput={(event) => {
            setDescription(event.detail.value);
            setError(null);
          }}
        />
        <Text className="muted">{`${description.length}/${AFTERSALES_TEXT_MAX}`}</Text>
        <Text className="muted">拍下破损处和外包装（选填，最多 3 张）</Text>
        <PhotoPicker photos={photos} max={AFTERSALES_PHOTOS_MAX} onChange={setPhotos} onError={setError} />
        <Text className="muted">客服会在这里回复你，处理结果也会通知你。</Text>
      </View>

      {error && (
        <Text className="error-text" data-testid="aftersales-error">
          {error}
        </Text>
      )}
      <View className="footer-bar">
        <ActionButton testId="aftersales-submit" onTap={submit}>
          提交申请
        </ActionButton>
      </View>
    </View>
  );
}
