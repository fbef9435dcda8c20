import type { DrawProof } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { verifyDraw } from '@blindbox/shared/src/fairness/fair-draw';
import { api } from '../../api/session';
import { ErrorState, Loading } from '../../components/page-state';
import { RARITY_LABELS, formatDateTime } from '../../lib/format';
import { useResource } from '../../lib/use-resource';
import { seenCommitment } from '../../lib/seen-commitments';
import '../fair.css';

function Row({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <View className="proof-row">
      <Text className="muted">{label}</Text>
      <Text className="proof-value" data-testid={testId}>
        {value}
      </Text>
    </View>
  );
}

/** One draw's proof, recomputed here in the shopper's own client with the same algorithm the server used. */
function Recomputed({ proof }: { proof: DrawProof }) {
  // Checked against the hash this device saw before paying, when it has it: not only the one served with the reveal.
  const seen = seenCommitment(proof.orderId, proof.boxId);
  if (seen !== null && seen !== proof.serverSeedHash) {
    return (
      <Text className="error-text" data-testid="proof-verdict" data-verdict="MISMATCH">
        ✗ 验证失败：本抽所用种子的 SHA-256 与你下单时看到的承诺（{seen}）不同
      </Text>
    );
  }
  const result = verifyDraw({ ...proof, recordedProductId: proof.productId, recordedForced: proof.forced });
  const name = (productId: string | undefined) => proof.products.find((product) => product.productId === productId)?.name ?? productId ?? '';
  if (result.ok) {
    return (
      <Text className="notice" data-testid="proof-verdict" data-verdict="MATCH" data-product={result.productId}>
        ✓ 本机重算得到「{name(result.productId)}」，与开盒结果一致，服务器种子与预先公布的 SHA-256 相符
      </Text>
    );
  }
  if (result.reason === 'SEED_NOT_REVEALED') {
    return (
      <Text className="muted" data-testid="proof-verdict" data-verdict="PENDING">
        服务器种子尚未公布：它会在轮换、且使用它的订单都过了支付期限后公布，届时可在此重算。现在可先记下它的 SHA-256。
      </Text>
    );
  }
  return (
    <Text className="error-text" data-testid="proof-verdict" data-verdict="MISMATCH">
      ✗ 验证失败（{result.reason}）{result.expected ? `：重算结果为「${name(result.expected)}」` : ''}
    </Text>
  );
}

export default function DrawProofPage() {
  const { params } = useRouter();
  const orderId = params.orderId ?? '';
  const unitIndex = Number(params.unit ?? '0');
  const proof = useResource(() => api.getProof(orderId, unitIndex));
  if (proof.error) return <ErrorState message={proof.error} onRetry={() => void proof.reload()} />;
  if (!proof.data) return <Loading />;
  const { data } = proof;
  const product = data.products.find((candidate) => candidate.productId === data.productId);
  return (
    <View className="page" data-testid="proof-page">
      <View className="card">
        <Text className="section-title">开盒结果</Text>
        <Text data-testid="proof-product">
          {product?.name}（{product ? RARITY_LABELS[product.rarity] : ''}）{data.forced ? ' · 保底' : ''}
        </Text>
        {data.forced && data.guarantee && (
          <Text className="muted">
            此前已连续 {data.missesBefore} 抽未出{RARITY_LABELS[data.guarantee.minRarity]}及以上，第 {data.guarantee.within} 抽保底，只在这些款式中按权重抽取。
          </Text>
        )}
        <Recomputed proof={data} />
      </View>
      <View className="card">
        <Text className="section-title">验证数据</Text>
        <Row label="订单号" value={data.orderId} />
        <Row label="第几抽 (i)" value={String(data.unitIndex)} />
        <Row label="客户端种子" value={data.clientSeed} testId="proof-client-seed" />
        <Row label="服务器种子 SHA-256" value={data.serverSeedHash} testId="proof-seed-hash" />
        <Row label="SHA-256 公布时间 / 下单时间" value={`${formatDateTime(data.seedCommittedAt)} / ${formatDateTime(data.orderPlacedAt)}`} />
        <Row label="服务器种子" value={data.serverSeed ?? '（尚未公布）'} testId="proof-seed" />
        <Row label="HMAC 消息" value={data.message} />
        <Row label="保底前连续未出" value={data.guarantee ? `${data.missesBefore} / ${data.guarantee.within}` : '本盒无保底'} />
        {data.exhausted.length > 0 && (
          <Row
            label="已抽完（不参与本抽）"
            value={data.exhausted.map((id) => data.products.find((candidate) => candidate.productId === id)?.name ?? id).join('、')}
            testId="proof-exhausted"
          />
        )}
        <Row label="开盒时间" value={formatDateTime(data.drawnAt)} />
        <Text className="muted">款式顺序与权重：{data.products.map((item) => `${item.productId}×${item.weight}`).join(', ')}</Text>
        <Text className="muted">可把下面的 JSON 保存为 proof.json，运行 npm run verify-draw -- proof.json 离线重算：</Text>
        <Text className="muted proof-value" userSelect data-testid="proof-json">
          {JSON.stringify(data)}
        </Text>
      </View>
    </View>
  );
}
