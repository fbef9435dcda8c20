import { boxProductOdds, exactOdds, type Box, type BoxFairness, type MyGuarantee } from '@blindbox/shared';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { api } from '../../api/session';
import { ErrorState, Loading } from '../../components/page-state';
import { RARITY_LABELS } from '../../lib/format';
import { openPage, routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { formatFen } from '@blindbox/shared/src/money';
// Compliance (issue 34): item values and the shop's commitments, each its own component.
import { ComplianceCommitments } from '../../components/compliance-commitments';
import { ItemValues } from '../../components/item-values';
import '../fair.css';

interface RulesData {
  box: Box;
  fairness: BoxFairness;
  /** Null when the shopper is not logged in (the page is public). */
  mine: MyGuarantee | null;
}

async function loadRules(boxId: string): Promise<RulesData> {
  const [box, fairness] = await Promise.all([api.getBox(boxId), api.getFairness(boxId)]);
  const mine = box.guarantee ? await api.myGuarantee(boxId).catch(() => null) : null;
  return { box, fairness, mine };
}

/** Everything the 盲盒经营行为规范指引 asks a shop to publish for a box (item values included), and how to check a draw. */
export default function BoxRulesPage() {
  const { params } = useRouter();
  const boxId = params.boxId ?? '';
  const rules = useResource(() => loadRules(boxId));
  if (rules.error) return <ErrorState message={rules.error} onRetry={() => void rules.reload()} />;
  if (!rules.data) return <Loading />;
  const { box, fairness, mine } = rules.data;
  // The draw's own odds: sold-out items take no tickets (shared drawOdds, as the draw and the verifier).
  const odds = boxProductOdds(box.products);
  const total = odds[0]?.total ?? 0;
  const current = fairness.seeds.find((seed) => seed.id === fairness.currentSeedId);
  const next = fairness.seeds.find((seed) => seed.generation === (current?.generation ?? 0) + 1);
  const revealed = fairness.seeds.filter((seed) => seed.seed !== null);

  return (
    <View className="page" data-testid="rules-page">
      <View className="card">
        <Text className="detail-name">{box.name}</Text>
        <Text className="section-title">款式与概率（精确值）</Text>
        {box.products.map((product, index) => {
          const row = exactOdds(odds[index]?.tickets ?? 0, total);
          return (
            <View key={product.id} className="odds__row" data-testid="rules-odds-row">
              <Text className="odds__name">{product.name}</Text>
              <Text className={`odds__rarity rarity--${product.rarity.toLowerCase()}`}>{RARITY_LABELS[product.rarity]}</Text>
              <Text className="odds__value" data-testid="rules-odds-fraction">
                {product.soldOut ? '已抽完 · ' : ''}
                {row.fraction}（{row.percent}）
              </Text>
            </View>
          );
        })}
        <Text className="muted">每一抽独立计算：概率 = 该款权重 / 仍有库存款式的总权重 {total}；已抽完的款式不再占票。</Text>
      </View>

      <ItemValues box={box} />

      <View className="card" data-testid="rules-guarantee">
        <Text className="section-title">保底规则</Text>
        {box.guarantee ? (
          <View>
            <Text>
              同一位顾客连续 {box.guarantee.within} 抽内，必出至少一个{RARITY_LABELS[box.guarantee.minRarity]}或更稀有的款式。第 {box.guarantee.within}{' '}
              抽仍未出时，该抽只在这些款式中按其权重抽取（开盒验证中标注为“保底”）。
            </Text>
            <Text data-testid="rules-guarantee-kept">
              保底绝不落空：保底款售罄后，保底即将触发的顾客不能再下单本盒；若付款时保底款恰好被别人抽完，该订单不开盒、全额原路退款，保底计数不变。
            </Text>
            {mine?.remaining != null && (
              <Text className="notice" data-testid="rules-my-count">
                你已连续 {mine.misses} 抽未出，最多再抽 {mine.remaining} 次必得{RARITY_LABELS[box.guarantee.minRarity]}款
              </Text>
            )}
          </View>
        ) : (
          <Text>本盒不设保底，每一抽均按上方概率独立抽取。</Text>
        )}
      </View>

      <View className="card">
        <Text className="section-title">购买限制</Text>
        <Text>每人每天累计消费不超过 {formatFen(fairness.limits.dailySpendCapFen)}</Text>
        <Text>每人每天本盒最多抽 {fairness.limits.dailyDrawCapPerBox} 次；本期每人限购 {fairness.limits.purchaseLimitPerDrop} 个</Text>
        <Text>未满 8 周岁不得购买；8–17 周岁须由父母或其他法定监护人本人在“监护人同意”页填写姓名、关系与手机号并确认声明后方可购买，上述限制同样适用；监护人可随时撤回，撤回后不能再下单、未付款订单自动取消。</Text>
        <Text className="muted" data-testid="rules-guardian-limits">
          本店目前不核验监护人身份：不做实名认证，也不通过短信验证码确认监护人手机号，无法排除未成年人自行填写。正式经营需接入实名认证与短信验证后再开放未成年人购买。
        </Text>
        <Text className="link link--block" data-testid="rules-profile-link" onClick={() => void openPage(routes.me())}>
          年龄段、监护人同意与客户端种子在“我的”中 →
        </Text>
      </View>

      <View className="card" data-testid="rules-verification">
        <Text className="section-title">如何验证每一抽</Text>
        <Text>1. 下单前，服务器已公布本盒当前服务器种子的 SHA-256：</Text>
        <Text className="muted proof-value" data-testid="rules-seed-hash">
          {current?.hash}
        </Text>
        {next && (
          <Text className="muted proof-value" data-testid="rules-next-seed-hash">
            下一个种子（提前一个周期公布，轮换后才启用）：{next.hash}
          </Text>
        )}
        <Text>2. 下单时订单记下该种子、你的客户端种子和订单号；第 i 抽的随机数 = HMAC-SHA256(服务器种子, "客户端种子:订单号:i")。</Text>
        <Text>3. 把摘要按 4 字节大端切成 8 个整数，丢弃 ≥ 2³² − (2³² mod 总权重) 的值（无取模偏差），首个保留值 mod 总权重即为票号；8 个都被丢弃时在消息末尾加 &quot;:1&quot;、&quot;:2&quot;… 再算。按款式顺序，每款占其权重张票（已抽完的款式、保底抽中不够稀有的款式占 0 张）。</Text>
        <Text>服务器种子以 64 位十六进制文本本身作为 HMAC 密钥和 SHA-256 的输入（UTF-8）。完整规范与算例见 docs/fairness.md，可据此自己写验证程序。</Text>
        <Text>4. 种子定期（或由管理员）轮换；轮换后、且使用它的订单都已过支付期限时公布原种子，你可核对其 SHA-256 并在“开盒验证”页或用 npm run verify-draw 重算结果。</Text>
        {revealed.length > 0 && (
          <Text className="muted proof-value" data-testid="rules-revealed-seeds">
            已公布的种子：{revealed.map((seed) => `#${seed.generation} ${seed.seed}`).join('；')}
          </Text>
        )}
      </View>

      <View className="card">
        <Text className="section-title">退款规则</Text>
        <Text>未支付订单在支付期限（{box.paymentWindowMinutes} 分钟）后自动关闭，库存与额度退回。</Text>
        <Text>订单关闭后才到账的付款、重复付款，系统自动全额原路退回。</Text>
        <Text>盲盒一经开盒不支持因款式不满意退换；商品质量问题可联系客服全额退款。</Text>
        <Text data-testid="rules-refund-guarantee">退款不改变保底计数：已退款订单的抽取照常计入（未出的仍算连续未出，出过的仍算已出），之后每一抽都由此接着计算，才能被公开验证。</Text>
      </View>

      <ComplianceCommitments box={box} limits={fairness.limits} />

      <Button className="btn btn--ghost" onClick={() => void Taro.navigateBack()}>
        返回
      </Button>
    </View>
  );
}
