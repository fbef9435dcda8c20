import { AFTERSALES_KIND_LABELS, AFTERSALES_STATUS_LABELS, AFTERSALES_TEXT_MAX, aftersalesMessageRequestSchema, type AftersalesView } from '@blindbox/shared/src/aftersales';
import { formatFen } from '@blindbox/shared/src/money';
import { Image, Text, Textarea, View } from '@tarojs/components';
import { pictureVariantUrl } from '@blindbox/shared/src/pictures';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ActionButton } from '../../components/action-button';
import { ArtImage } from '../../components/art-image';
import { ErrorState, Skeleton } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { imageSrc } from '../../lib/image-url';
import { openPage, routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { useNoticeAsk } from '../../lib/order-notices';

const REFUND_STATUS_TEXT: Record<string, string> = { PENDING: '退款处理中', PROCESSING: '退款处理中', SUCCESS: '已原路退回', CLOSED: '退款未成功，客服会联系你', ABNORMAL: '退款未成功，客服会联系你' };

/** A message's photos: thumbnails that open the full picture in WeChat's viewer. */
function Photos({ urls }: { urls: string[] }) {
  if (urls.length === 0) return null;
  const full = urls.map((url) => imageSrc(url));
  return (
    <View className="bubble__photos">
      {urls.map((url, index) => (
        <Image key={url} className="bubble__photo" src={imageSrc(pictureVariantUrl(url, 'list'))} mode="aspectFill" data-testid="aftersales-photo" onClick={() => void Taro.previewImage({ urls: full, current: full[index] })} />
      ))}
    </View>
  );
}

/** What was decided, in the shopper's words: the refund and where it stands, the reshipment's parcel, or why not. */
function Resolution({ request }: { request: AftersalesView }) {
  const resolution = request.resolution;
  if (!resolution) return null;
  return (
    <View className="card" data-testid="aftersales-resolution">
      <Text className="section-title">处理结果</Text>
      {resolution.kind === 'REFUND' && (
        <>
          <View className="line">
            <Text>退款金额</Text>
            <Text className="price">{formatFen(resolution.amountFen)}</Text>
          </View>
          <Text className="muted">{request.status === 'RESOLVING' ? '退款处理中' : (REFUND_STATUS_TEXT[resolution.refundStatus ?? 'PENDING'] ?? '退款处理中')}，退回原支付账户</Text>
          {resolution.note && <Text className="muted">{`备注：${resolution.note}`}</Text>}
        </>
      )}
      {resolution.kind === 'RESHIP' && (
        <>
          <Text>已为你补发</Text>
          <View className="aftersales-line">
            <Text className="muted aftersales-line__text" data-testid="aftersales-tracking">{`${resolution.carrierName} ${resolution.trackingNo}`}</Text>
            <ActionButton variant="ghost" small testId="aftersales-copy-tracking" onTap={() => Taro.setClipboardData({ data: resolution.trackingNo })}>
              复制单号
            </ActionButton>
          </View>
          {resolution.note && <Text className="muted">{`备注：${resolution.note}`}</Text>}
        </>
      )}
      {resolution.kind === 'REFUSE' && (
        <>
          <Text>客服未能按你的申请处理</Text>
          <Text className="muted">{`原因：${resolution.reason}`}</Text>
          <Text className="muted">如有新的情况，可以重新申请售后。</Text>
        </>
      )}
      <Text className="muted">{`处理时间 ${formatDateTime(resolution.at)}`}</Text>
    </View>
  );
}

/** One after-sales request: where it stands, what was decided, and the thread with customer service. */
export default function AftersalesPage() {
  const { params } = useRouter();
  const [id] = useState(() => params.id ?? '');
  const request = useResource(() => api.getAftersales(id));
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  // Customer service's replies and the decision (and a refund's arrival), asked for in the tap that sends.
  const askNotices = useNoticeAsk((templates) => [templates.serviceUpdate, templates.refundSucceeded]);

  // Back from elsewhere (a notice opened the order page): staff may have answered meanwhile.
  useDidShow(() => {
    if (request.data) void request.reload();
  });

  if (request.error) return <ErrorState message={request.error} onRetry={() => void request.reload()} />;
  if (!request.data) return <Skeleton kind="detail" />;
  const data = request.data;
  const open = data.status !== 'RESOLVED';

  async function send() {
    setError(null);
    const parsed = aftersalesMessageRequestSchema.safeParse({ text, photos: [] });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? '填写的内容有误');
    // Still within the tap (the check above is synchronous), as WeChat's sheet requires.
    void askNotices();
    try {
      await api.sendAftersalesMessage(id, parsed.data);
      setText('');
      await request.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <View className={open ? 'page page--with-footer' : 'page'}>
      <View className="card">
        <View className="line">
          <Text className="section-title">{AFTERSALES_KIND_LABELS[data.kind]}</Text>
          <Text className={`status aftersales-status aftersales-status--${data.status.toLowerCase()}`} data-testid="aftersales-status" data-status={data.status}>
            {AFTERSALES_STATUS_LABELS[data.status]}
          </Text>
        </View>
        <View className="order-card__line">
          <ArtImage url={data.item.coverUrl} className="order-card__thumb" size="list" />
          <Text className="order-card__item">{`${data.item.name} × ${data.item.quantity}`}</Text>
        </View>
        <Text className="muted">{`申请时间 ${formatDateTime(data.createdAt)}`}</Text>
        <View className="row-link aftersales-link" role="button" data-testid="aftersales-order-link" onClick={() => void openPage(routes.order(data.orderId))}>
          <Text>查看订单 ›</Text>
        </View>
      </View>

      <Resolution request={data} />

      <View className="card" data-testid="aftersales-thread">
        <Text className="section-title">沟通记录</Text>
        <View className="bubble bubble--mine">
          <Text className="bubble__who">{`我 · ${formatDateTime(data.createdAt)}`}</Text>
          <Text className="bubble__text">{data.description}</Text>
          <Photos urls={data.photos} />
        </View>
        {data.messages.map((message, index) => (
          <View key={`${message.at}-${index}`} className={`bubble ${message.from === 'SHOPPER' ? 'bubble--mine' : 'bubble--staff'}`} data-testid="aftersales-message">
            <Text className="bubble__who">{`${message.from === 'SHOPPER' ? '我' : '客服'} · ${formatDateTime(message.at)}`}</Text>
            <Text className="bubble__text">{message.text}</Text>
            <Photos urls={message.photos} />
          </View>
        ))}
        {data.messages.length === 0 && open && <Text className="muted">客服会尽快回复，请留意通知。</Text>}
      </View>

      {error && (
        <Text className="error-text" data-testid="aftersales-error">
          {error}
        </Text>
      )}
      {open && (
        <View className="footer-bar aftersales-reply">
          <Textarea
            className="aftersales-reply__input"
            data-testid="aftersales-reply-text"
            value={text}
            maxlength={AFTERSALES_TEXT_MAX}
            autoHeight
            placeholder="补充说明或回复客服"
            onInput={(event) => setText(event.detail.value)}
          />
          <ActionButton small testId="aftersales-reply-send" onTap={send}>
            发送
          </ActionButton>
        </View>
      )}
    </View>
  );
}
