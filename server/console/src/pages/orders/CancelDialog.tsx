import { Form, Input, Modal } from 'antd';
import { REFUND_REASON_MAX } from '@blindbox/shared';

/** Cancel an unpaid order (its units go back on sale), with a reason for the audit. */
export function CancelDialog({ open, pending, onClose, onSubmit }: { open: boolean; pending: boolean; onClose: () => void; onSubmit: (reason: string) => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  return (
    <Modal title="取消未付款订单" open={open} onCancel={onClose} okText="确认取消订单" cancelText="返回" okButtonProps={{ danger: true, loading: pending }} onOk={() => form.submit()} destroyOnHidden>
      <Form form={form} layout="vertical" preserve={false} onFinish={(values) => onSubmit(values.reason.trim())}>
        <Form.Item name="reason" label="取消原因" rules={[{ required: true, whitespace: true, message: '请填写取消原因' }, { max: REFUND_REASON_MAX, message: `最多 ${REFUND_REASON_MAX} 字` }]}>
          <Input.TextArea rows={2} maxLength={REFUND_REASON_MAX} showCount placeholder="例如：买家要求取消" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
