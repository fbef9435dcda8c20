import { Form, Input } from 'antd';
import { typedYuanToFen, yuan } from '../money';

/**
 * A refund typed in yuan, checked before it is sent against what may be refunded here (`capFen`, named by
 * `capLabel`) and the role's single-refund limit; the server checks both again.
 */
export function RefundAmountField({ capFen, capLabel, limitFen, testId }: { capFen: number; capLabel: string; limitFen: number | null; testId: string }) {
  return (
    <Form.Item
      name="amount"
      label="退款金额（元）"
      rules={[
        {
          validator: async (_, value: string | undefined) => {
            const fen = typedYuanToFen(value ?? '');
            if (fen === null || fen === 0) throw new Error('请输入金额，例如 12.50');
            if (fen > capFen) throw new Error(`不能超过${capLabel} ${yuan(capFen)}`);
            if (limitFen !== null && fen > limitFen) throw new Error(`超过您的单笔退款上限 ${yuan(limitFen)}，请联系店主`);
          },
        },
      ]}
    >
      <Input prefix="¥" inputMode="decimal" placeholder="0.00" style={{ width: 200 }} data-testid={testId} />
    </Form.Item>
  );
}
