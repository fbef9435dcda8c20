import type { Box, BoxFairness } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { formatFen } from '@blindbox/shared/src/money';
import { RARITY_LABELS } from '../lib/format';
import { openPage, routes } from '../lib/routes';
import './compliance.css';

interface Commitment {
  what: string;
  /** Where the shop enforces it, in the shopper's words. */
  how: string;
  link?: { text: string; url: string };
}

/**
 * The shop's commitments under 《盲盒经营行为规范指引（试行）》 and 《上海市盲盒经营活动合规指引》 in plain Chinese,
 * each with where it is enforced (docs/compliance.md maps them to the code).
 */
export function ComplianceCommitments({ box, limits }: { box: Pick<Box, 'guarantee' | 'saleMode'>; limits: BoxFairness['limits'] }) {
  const commitments: Commitment[] = [
    {
      what: '购买前公示款式、商品价值、抽取规则与精确概率',
      how: '本页与商品页公示；开售后改动概率或商品价值会发布新版本，已下的订单按下单时的版本抽取并留存记录。',
    },
    {
      what: '抽取结果可验证，不在后台操纵',
      how: '每一抽由开售前承诺的服务器种子与你的客户端种子决定，见本页“如何验证每一抽”。',
    },
    {
      what: box.saleMode === 'SETS' ? '端盒整盒排列开售前承诺' : '保底',
      how:
        box.saleMode === 'SETS'
          ? '整盒购买即得全套常规款；每盒排列开售前公布承诺。'
          : box.guarantee
            ? `连续 ${box.guarantee.within} 抽内必出${RARITY_LABELS[box.guarantee.minRarity]}或更稀有的款式，由服务器在抽取时执行。`
            : '本盒不设保底，每抽独立按公示概率抽取。',
    },
    {
      what: '引导理性消费：金额与次数上限',
      how: `每人每天累计消费不超过 ${formatFen(limits.dailySpendCapFen)}，每天本盒最多 ${limits.dailyDrawCapPerBox} 抽，本期限购 ${limits.purchaseLimitPerDrop} 个；下单时由服务器校验。`,
    },
    {
      what: '保护未成年人',
      how: '不向未满 8 周岁的儿童销售；8–17 周岁须经监护人同意。下单时由服务器按年龄声明校验。',
      link: { text: '年龄声明（我的）→', url: routes.me() },
    },
    {
      what: '不折现、不回购、不炒作',
      how: '抽中的商品不提供折现或回购，本店不经营转售市场、不参与二级市场炒作。',
    },
  ];
  return (
    <View className="card" data-testid="compliance-commitments">
      <Text className="section-title">本店合规承诺</Text>
      {commitments.map((commitment) => (
        <View key={commitment.what} className="commitments__row">
          <Text className="commitments__what">{commitment.what}</Text>
          <Text className="muted">{commitment.how}</Text>
          {commitment.link && (
            <Text className="compliance-link" data-testid="commitment-link" onClick={() => void openPage(commitment.link!.url)}>
              {commitment.link.text}
            </Text>
          )}
        </View>
      ))}
    </View>
  );
}
