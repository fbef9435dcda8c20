import { useEffect, useRef } from 'react';
import { Alert, Form, Input, Modal, Select, Typography } from 'antd';
import { REFUND_REASON_MAX, SHIPPING_CARRIERS, aftersalesResolveRequestSchema, shipRequestSchema, type AftersalesDetail, type AftersalesResolveRequest } from '@blindbox/shared';
import { zodRule } from '../../components/zod-rule';
import { RefundAmountField } from '../../components/RefundAmountField';
import { typedYuanToFen, yuan } from '../../money';

export type ResolveKind = AftersalesResolveRequest['kind'];

interface Values {
  amount?: string;
  carrier?: string;
  trackingNo?: string;
  note?: string;
  reason?: string;
}

const TITLES: Record<ResolveKind, string> = { REFUND: '售后退款', RESHIP: '补发', REFUSE: '不予处理' };

/**
 * One way to close the request. A refund is typed in yuan and checked against the request's cap (the line's
 * share of what was paid, at most what is left) and the role's limit before it is sent; the server checks again.
 */
export function ResolveDialog({ kind, request, limitFen, pending, onClose, onSubmit }: { kind: ResolveKind | null; request: AftersalesDetail; limitFen: number | null; pending: boolean; onClose: () => void; onSubmit: (body: AftersalesResolveRequest) => void }) {
  const [form] = Form.useForm<Values>();
  // One decision per opening: a double click on 确认 sends it once (the server would refuse the second anyway).
  const sent = useRef(false);
  useEffect(() => {
    // Free again once the answer is in (a refused decision may be corrected and sent).
    if (!pending) sent.current = false;
  }, [kind, pending]);
  const cap = request.order.refundCapFen;
  const toRequest = (values: Values): AftersalesResolveRequest | null => {
    const parsed = aftersalesResolveRequestSchema.safeParse(
      kind === 'REFUND'
        ? { kind, amountFen: typedYuanToFen(values.amount ?? '') ?? 0, note: values.note ?? '' }
        : kind === 'RESHIP'
          ? { kind, carrier: values.carrier, trackingNo: values.trackingNo ?? '', note: values.note ?? '' }
          : { kind, reason: values.reason ?? '' },
    );
    return parsed.success ? parsed.data : null;
  };

  return (
    <Modal
      title={kind ? TITLES[kind] : ''}
      // Closed once the request is no longer open: resolved here, or by a colleague meanwhile.
      open={kind !== null && request.allowed.resolve}
      onCancel={onClose}
      okText={kind === 'REFUND' ? '确认退款' : '确认'}
      okButtonProps={{ danger: kind === 'REFUND', loading: pending, 'data-testid': 'resolve-confirm' }}
      onOk={() => form.submit()}
      destroyOnHidden
      data-testid="resolve-dialog"
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ carrier: SHIPPING_CARRIERS[0].code }}
        onFinish={(values) => {
          const body = toRequest(values);
          if (!body || sent.current) return;
          sent.current = true;
          onSubmit(body);
        }}
      >
        {kind === 'REFUND' && (
          <>
            <Typography.Paragraph>
              本单商品「{request.item.name}」最多可退 <Typography.Text strong data-testid="resolve-cap">{yuan(cap)}</Typography.Text>（该商品实付金额，且不超过订单剩余可退）。退款原路退回，提交后不能撤回。
            </Typography.Paragraph>
            <RefundAmountField capFen={cap} capLabel="本次可退" limitFen={limitFen} testId="resolve-amount" />
          </>
        )}
        {kind === 'RESHIP' && (
          <>
            <Form.Item name="carrier" label="快递公司" rules={[{ required: true, message: '请选择快递公司' }]}>
              <Select options={SHIPPING_CARRIERS.map((carrier) => ({ value: carrier.code, label: carrier.name }))} data-testid="resolve-carrier" />
            </Form.Item>
            <Form.Item name="trackingNo" label="补发运单号" rules={[zodRule(shipRequestSchema.shape.trackingNo)]}>
              <Input placeholder="例如 SF1234567890" data-testid="resolve-tracking" />
            </Form.Item>
          </>
        )}
        {kind !== 'REFUSE' && (
          <Form.Item name="note" label="备注（买家可见，选填）" rules={[{ max: REFUND_REASON_MAX, message: `最多 ${REFUND_REASON_MAX} 字` }]}>
            <Input maxLength={REFUND_REASON_MAX} placeholder={kind === 'REFUND' ? '例如：破损补偿' : '例如：补发同款一盒'} data-testid="resolve-note" />
          </Form.Item>
        )}
        {kind === 'REFUSE' && (
          <>
            <Alert type="info" showIcon message="原因会展示给买家，请写清楚依据。" style={{ marginBottom: 16 }} />
            <Form.Item name="reason" label="不予处理的原因" rules={[zodRule(aftersalesResolveRequestSchema.options[2].shape.reason)]}>
              <Input.TextArea rows={3} maxLength={REFUND_REASON_MAX} showCount placeholder="例如：物流显示已本人签收" data-testid="resolve-reason" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
