import type { Box, BoxSet } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { verifySet } from '@blindbox/shared/src/fairness/set-verify';
import { api } from '../../api/session';
import { ArtImage } from '../../components/art-image';
import { ErrorState, Loading } from '../../components/page-state';
import { RARITY_LABELS, formatDateTime } from '../../lib/format';
import { useResource } from '../../lib/use-resource';
import '../sets.css';
import '../../fair/fair.css';

async function loadSet(setId: string) {
  const set = await api.getSet(setId);
  return { set, box: await api.getBox(set.boxId) };
}

const REASONS: Record<string, string> = {
  COMMITMENT_MISMATCH: '公布的排列与盐算出的 SHA-256 与开售前的承诺不符',
  WRONG_SIZE: '排列的位置数与这一盒不符',
  NOT_THE_SERIES: '排列不符合系列规则（常规款各一只，隐藏款至多替换一只）',
  UNKNOWN_POSITION: '有一笔销售的位置不在这一盒里',
  SOLD_TWICE: '有一个位置被卖了两次',
  SALE_MISMATCH: '有一笔销售交付的款式与该位置的排列不符',
};

/** Recomputed here, in the shopper's own client, with the same check `npm run verify-draw` runs. */
function Verdict({ set }: { set: BoxSet }) {
  const result = verifySet(set);
  if (result.ok) {
    return (
      <Text className="notice" data-testid="set-verdict" data-verdict="MATCH">
        ✓ 本机重算：排列与盐的 SHA-256 与开售前公布的承诺一致，{set.sales?.length ?? 0} 笔销售都交付了各自位置上的款式
      </Text>
    );
  }
  if (result.reason === 'NOT_REVEALED') {
    return (
      <Text className="muted" data-testid="set-verdict" data-verdict="PENDING">
        这一盒还在销售中：排列会在整盒售完（或下架）后公布，届时可在此验证。现在可以先记下它的承诺。
      </Text>
    );
  }
  return (
    <Text className="error-text" data-testid="set-verdict" data-verdict="MISMATCH">
      ✗ 验证失败：{REASONS[result.reason] ?? result.reason}
      {result.position !== undefined ? `（${result.position + 1} 号位）` : ''}
    </Text>
  );
}

function Arrangement({ set, box }: { set: BoxSet; box: Box }) {
  const product = (productId: string) => box.products.find((candidate) => candidate.id === productId);
  return (
    <View className="set-grid" data-testid="set-arrangement">
      {(set.arrangement ?? []).map((productId, position) => {
        const design = product(productId);
        const sold = set.sales?.some((sale) => sale.position === position);
        return (
          <View key={position} className="set-cell set-cell--free" data-testid="arranged-cell" data-product={productId}>
            <Text>{position + 1} 号位{sold ? '' : ' · 未售'}</Text>
            {design && <ArtImage className="set-cell__image" url={design.imageUrl} size="list" />}
            <Text className={design ? `rarity--${design.rarity.toLowerCase()}` : ''}>
              {design?.name ?? productId}
              {design ? ` · ${RARITY_LABELS[design.rarity]}` : ''}
            </Text>
          </View>
        );
      })}
    </View>
  );
}

export default function SetVerifyPage() {
  const { params } = useRouter();
  const resource = useResource(() => loadSet(params.setId ?? ''));
  if (resource.error) return <ErrorState message={resource.error} onRetry={() => void resource.reload()} />;
  if (!resource.data) return <Loading />;
  const { set, box } = resource.data;
  return (
    <View className="page" data-testid="set-verify-page">
      <View className="card">
        <Text className="section-title">
          {box.name} · 第 {set.number} 盒
        </Text>
        <Verdict set={set} />
        {set.arrangement && <Arrangement set={set} box={box} />}
      </View>
      <View className="card">
        <Text className="section-title">验证数据</Text>
        <View className="proof-row">
          <Text className="muted">承诺 SHA-256（{formatDateTime(set.committedAt)} 公布）</Text>
          <Text className="proof-value" data-testid="set-commitment">
            {set.commitment}
          </Text>
        </View>
        <View className="proof-row">
          <Text className="muted">盐</Text>
          <Text className="proof-value">{set.salt ?? '（售完后公布）'}</Text>
        </View>
        {set.sales && (
          <View className="proof-row">
            <Text className="muted">销售记录（位置 → 款式 · 订单指纹）</Text>
            {set.sales.map((sale) => (
              <Text key={sale.position} className="proof-value" data-testid="set-sale">
                {sale.position + 1} → {sale.productId} · {sale.orderRef}
              </Text>
            ))}
          </View>
        )}
        <Text className="muted">订单指纹 = SHA-256(订单号:位置) 的前 16 位，可用自己的订单号核对。把下面的 JSON 保存为 set.json，运行 npm run verify-draw -- set.json 离线验证：</Text>
        <Text className="muted proof-value" userSelect data-testid="set-json">
          {JSON.stringify(set)}
        </Text>
      </View>
    </View>
  );
}
