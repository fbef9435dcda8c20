import type { DrawProof } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { beijingMonthDayTime } from '@blindbox/shared/src/beijing-time';
import { messageKeyOf, verifyDraw } from '@blindbox/shared/src/fairness/fair-draw';
import { api } from '../../api/session';
import { ErrorState, Loading } from '../../components/page-state';
import { RARITY_LABELS, formatDateTime, formatOdds } from '../../lib/format';
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

const nameIn = (proof: DrawProof) => (productId: string | undefined) => proof.products.find((product) => product.productId === productId)?.name ?? '另一款';

/** Why a recomputation can disagree, in a shopper's words. */
const MISMATCH_REASONS: Record<string, string> = {
  SEED_HASH_MISMATCH: '公布的服务器种子与开盒前公布的指纹不符',
  PRODUCT_MISMATCH: '重算得到的款式与开盒结果不同',
  FORCED_MISMATCH: '保底记录与重算结果不符',
};

/** One draw's proof, recomputed here in the shopper's own client with the same algorithm the server used. */
function Verdict({ proof }: { proof: DrawProof }) {
  // Checked against the hash this device saw before paying, when it has it: not only the one served with the reveal.
  const seen = seenCommitment(proof.orderId, proof.boxId);
  if (seen !== null && seen !== proof.serverSeedHash) {
    return (
      <Text className="error-text" data-testid="proof-verdict" data-verdict="MISMATCH">
        ✗ 验证未通过：本抽所用种子的指纹，与你下单时看到的承诺不同。请联系客服并保留本页。
      </Text>
    );
  }
  const result = verifyDraw({ ...proof, key: messageKeyOf(proof), recordedProductId: proof.productId, recordedForced: proof.forced });
  const name = nameIn(proof);
  if (result.ok) {
    return (
      <Text className="notice" data-testid="proof-verdict" data-verdict="MATCH" data-product={result.productId}>
        ✓ 已验证：本机按公开的规则重算，结果就是「{name(result.productId)}」，开盒前公布的种子指纹也对得上。
      </Text>
    );
  }
  if (result.reason === 'SEED_NOT_REVEALED') {
    return (
      <View className="proof-pending" data-testid="proof-verdict" data-verdict="PENDING">
        <Text className="proof-pending__when" data-testid="proof-verify-after">
          {proof.revealAfter ? `可在 ${beijingMonthDayTime(new Date(proof.revealAfter))} 后验证` : '稍后即可验证'}
        </Text>
        <Text className="muted">
          抽取用的服务器种子开盒前就公布了指纹，但种子本身要等使用它的订单都付完款才公布，免得有人先算出结果再决定付不付。到时回到这里，本机就能重算这一抽。
        </Text>
      </View>
    );
  }
  return (
    <Text className="error-text" data-testid="proof-verdict" data-verdict="MISMATCH">
      ✗ 验证未通过：{MISMATCH_REASONS[result.reason] ?? '重算结果不一致'}
      {result.expected ? `（重算为「${name(result.expected)}」）` : ''}。请联系客服并保留本页。
    </Text>
  );
}

/** The raw inputs, for someone who wants to recompute the draw themself: folded away from shoppers. */
function DeveloperDetails({ proof }: { proof: DrawProof }) {
  const [open, setOpen] = useState(false);
  const name = nameIn(proof);
  return (
    <View className="card">
      <View className="fold" data-testid="proof-developer-toggle" role="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        <Text className="section-title">开发者验证</Text>
        <Text className="muted">{open ? '收起' : '展开'}</Text>
      </View>
      {open && (
        <View data-testid="proof-developer">
          <Row label="订单号" value={proof.orderId} />
          {proof.messageVersion === 2 ? (
            <Row label="本盒第几单 (nonce) / 单内第几抽" value={`${proof.nonce ?? ''} / ${proof.unit ?? ''}`} testId="proof-nonce" />
          ) : (
            <Row label="第几抽 (i)" value={String(proof.unitIndex)} />
          )}
          <Row label="客户端种子" value={proof.clientSeed} testId="proof-client-seed" />
          <Row label="服务器种子 SHA-256" value={proof.serverSeedHash} testId="proof-seed-hash" />
          <Row label="SHA-256 公布时间 / 下单时间" value={`${formatDateTime(proof.seedCommittedAt)} / ${formatDateTime(proof.orderPlacedAt)}`} />
          <Row label="服务器种子" value={proof.serverSeed ?? '（尚未公布）'} testId="proof-seed" />
          <Row label="HMAC 消息" value={proof.message} />
          <Row label="保底前连续未出" value={proof.guarantee ? `${proof.missesBefore} / ${proof.guarantee.within}` : '本盒无保底'} />
          {proof.exhausted.length > 0 && <Row label="已抽完（不参与本抽）" value={proof.exhausted.map(name).join('、')} testId="proof-exhausted" />}
          <Row label="开盒时间" value={formatDateTime(proof.drawnAt)} />
          <Row label="款式顺序与权重" value={proof.products.map((item) => `${item.productId}×${item.weight}`).join(', ')} />
          <Text className="muted">可把下面的 JSON 保存为 proof.json，运行 npm run verify-draw -- proof.json 离线重算：</Text>
          <Text className="muted proof-value" userSelect data-testid="proof-json">
            {JSON.stringify(proof)}
          </Text>
        </View>
      )}
    </View>
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
  // The odds this draw had: items already gone took no tickets (as in the draw itself, shared/fairness).
  const live = data.products.filter((item) => !data.exhausted.includes(item.productId));
  const liveTotal = live.reduce((sum, item) => sum + item.weight, 0);
  return (
    <View className="page" data-testid="proof-page">
      <View className="card">
        <Text className="section-title">这一抽公平吗？</Text>
        <Text data-testid="proof-product">
          第 {data.unitIndex + 1} 抽：{product?.name}（{product ? RARITY_LABELS[product.rarity] : ''}）{data.forced ? ' · 保底' : ''}
        </Text>
        {data.forced && data.guarantee && (
          <Text className="muted">
            此前已连续 {data.missesBefore} 抽未出{RARITY_LABELS[data.guarantee.minRarity]}及以上，第 {data.guarantee.within} 抽保底，只在这些款式中按权重抽取。
          </Text>
        )}
        <Verdict proof={data} />
      </View>
      <View className="card">
        <Text className="section-title">这一抽的概率</Text>
        {live.map((item) => (
            <View key={item.productId} className="proof-odds" data-testid="proof-odds">
              <Text>{item.name}</Text>
              <Text className={`rarity--${item.rarity.toLowerCase()}`}>{RARITY_LABELS[item.rarity]}</Text>
              <Text className="proof-odds__value">{formatOdds(item.weight / liveTotal)}</Text>
            </View>
          ))}
        {data.exhausted.length > 0 && <Text className="muted">已抽完的款式不参与：{data.exhausted.map(nameIn(data)).join('、')}</Text>}
      </View>
      <DeveloperDetails proof={data} />
    </View>
  );
}
