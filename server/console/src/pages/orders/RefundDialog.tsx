import { useState } from 'react';
import { Alert, Descriptions, Form, Input, InputNumber, Modal, Radio, Table, Typography } from 'antd';
import { REFUND_REASON_MAX, refundRequestSchema, type OrderDetail, type RefundRequest } from '@blindbox/shared';
import { RefundAmountField } from '../../components/RefundAmountField';
import { typedYuanToFen, yuan } from '../../money';

interface Values {
  mode: RefundRequest['mode'];
  units?: Record<number, number>;
  amount?: string;
  reason?: string;
}

/**
 * Partial refund by unit (a damaged figure of a three-box order) or by amount, or all that is left, with a
 * reason; shows what is left refundable, the role's limit, and asks once more before money moves.
 */
export function RefundDialog({ order, limitFen, open, pending, onClose, onSubmit }: { order: OrderDetail; limitFen: number | null; open: boolean; pending: boolean; onClose: () => void; onSubmit: (body: RefundRequest) => void }) {
  const [form] = Form.useForm<Values>();
  const mode = Form.useWatch('mode', form) ?? 'units';
  const units = Form.useWatch('units', form) ?? {};
  const amount = Form.useWatch('amount', form);
  const [confirming, setConfirming] = useState<RefundRequest | null>(null);
  const left = order.refundable.amountFen;
  const itemName = (index: number) => order.items.find((item) => item.index === index)?.name ?? `第 ${index + 1} 行`;

  const unitsFen = order.refundable.units.reduce((total, line) => total + (units[line.itemIndex] ?? 0) * line.unitFen, 0);
  const amountFen = mode === 'units' ? unitsFen : mode === 'amount' ? (typedYuanToFen(amount ?? '') ?? 0) : left;

  const toRequest = (values: Values): RefundRequest => {
    const reason = values.reason ?? '';
    if (values.mode === 'units') {
      const chosen = Object.entries(values.units ?? {})
        .filter(([, quantity]) => (quantity ?? 0) > 0)
        .map(([itemIndex, quantity]) => ({ itemIndex: Number(itemIndex), quantity }));
      return { mode: 'units', units: chosen, reason };
    }
    if (values.mode === 'amount') return { mode: 'amount', amountFen: typedYuanToFen(values.amount ?? '') ?? 0, reason };
    return { mode: 'full', reason };
  };

  return (
    <>
      <Modal
        title="退款"
        open={open && !confirming}
        onCancel={onClose}
        okText="下一步"
        onOk={() => form.submit()}
        width={640}
        destroyOnHidden
        data-testid="refund-dialog"
      >
        <Descriptions size="small" column={2} style={{ marginBottom: 16 }}>
          <Descriptions.Item label="实付">{yuan(order.totalFen)}</Descriptions.Item>
          <Descriptions.Item label="剩余可退">
            <Typography.Text strong data-testid="refundable-left">
              {yuan(left)}
            </Typography.Text>
          </Descriptions.Item>
          {limitFen !== null && <Descriptions.Item label="您的单笔退款上限">{yuan(limitFen)}</Descriptions.Item>}
        </Descriptions>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ mode: 'units' }}
          preserve={false}
          onFinish={(values) => {
            const body = toRequest(values);
            const parsed = refundRequestSchema.safeParse(body);
            if (!parsed.success) {
              form.setFields([{ name: 'reason', errors: [parsed.error.issues[0]?.message ?? '输入有误'] }]);
              return;
            }
            setConfirming(parsed.data);
          }}
        >
          <Form.Item name="mode" label="退款方式">
            <Radio.Group
              optionType="button"
              options={[
                { value: 'units', label: '按件退', disabled: order.refundable.units.length === 0 },
                { value: 'amount', label: '按金额退' },
                { value: 'full', label: '全部退' },
              ]}
            />
          </Form.Item>
          {mode === 'units' && (
            <Form.Item
              label="退款件数"
              required
              name="unitsCheck"
              rules={[{ validator: () => (unitsFen > 0 ? Promise.resolve() : Promise.reject(new Error('请至少选择 1 件'))) }]}
              extra={`合计 ${yuan(unitsFen)}`}
            >
              <Table
                size="small"
                rowKey="itemIndex"
                pagination={false}
                dataSource={order.refundable.units}
                columns={[
                  { title: '商品', dataIndex: 'itemIndex', render: itemName },
                  { title: '单价（实付）', dataIndex: 'unitFen', align: 'right', render: yuan },
                  { title: '可退件数', dataIndex: 'quantity', align: 'right' },
                  {
                    title: '本次退',
                    key: 'refund',
                    width: 120,
                    render: (_, line) => (
                      <Form.Item name={['units', line.itemIndex]} noStyle>
                        <InputNumber min={0} max={line.quantity} precision={0} style={{ width: 90 }} data-testid={`refund-units-${line.itemIndex}`} onChange={() => void form.validateFields(['unitsCheck']).catch(() => undefined)} />
                      </Form.Item>
                    ),
                  },
                ]}
              />
            </Form.Item>
          )}
          {mode === 'amount' && <RefundAmountField capFen={left} capLabel="剩余可退" limitFen={limitFen} testId="refund-amount" />}
          {mode === 'full' && <Alert type="warning" showIcon message={`将退回剩余全部 ${yuan(left)}`} style={{ marginBottom: 16 }} />}
          <Form.Item name="reason" label="退款原因" rules={[{ required: true, whitespace: true, message: '请填写退款原因' }, { max: REFUND_REASON_MAX, message: `最多 ${REFUND_REASON_MAX} 字` }]}>
            <Input.TextArea rows={2} maxLength={REFUND_REASON_MAX} showCount placeholder="例如：收到的手办破损" data-testid="refund-reason" />
          </Form.Item>
          {limitFen !== null && amountFen > limitFen && <Alert type="error" showIcon message={`超过您的单笔退款上限 ${yuan(limitFen)}，请联系店主`} />}
          {amountFen > left && <Alert type="error" showIcon message={`超过剩余可退 ${yuan(left)}`} />}
        </Form>
      </Modal>
      <Modal
        title="确认退款"
        open={open && confirming !== null}
        onCancel={() => setConfirming(null)}
        cancelText="返回修改"
        okText="确认退款"
        okButtonProps={{ danger: true, loading: pending, 'data-testid': 'refund-confirm' }}
        onOk={() => {
          if (confirming) onSubmit(confirming);
        }}
      >
        <Typography.Paragraph>
          将向买家原路退回 <Typography.Text strong>{yuan(amountFen)}</Typography.Text>，退款提交后不能撤回。
        </Typography.Paragraph>
        {confirming?.mode === 'units' && <Typography.Paragraph>退款商品：{confirming.units.map((line) => `${itemName(line.itemIndex)} × ${line.quantity}`).join('，')}</Typography.Paragraph>}
        <Typography.Paragraph>原因：{confirming?.reason}</Typography.Paragraph>
      </Modal>
    </>
  );
}
