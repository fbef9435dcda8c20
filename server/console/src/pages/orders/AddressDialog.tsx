import { Alert, Form, Input, Modal } from 'antd';
import { REFUND_REASON_MAX, addressInputSchema, staffAddressRequestSchema, type OrderDetail, type StaffAddressRequest } from '@blindbox/shared';
import { zodRule } from '../../components/zod-rule';

type Values = StaffAddressRequest['address'] & { reason: string };

/**
 * Where an order not shipped yet goes instead (a shopper who moved asks customer service): the address as it is
 * now to start from, each field by the shared schema's rule in its words, and why, for the order's history.
 */
export function AddressDialog({ order, open, pending, onClose, onSubmit }: { order: OrderDetail; open: boolean; pending: boolean; onClose: () => void; onSubmit: (body: StaffAddressRequest) => void }) {
  const [form] = Form.useForm<Values>();
  const field = addressInputSchema.shape;
  return (
    <Modal title="修改收货地址" open={open} onCancel={onClose} okText="保存地址" cancelText="返回" onOk={() => form.submit()} okButtonProps={{ loading: pending, 'data-testid': 'address-confirm' }} destroyOnHidden>
      {order.status !== 'TO_BE_PAID' && <Alert type="info" showIcon message="订单已付款、尚未发货：保存后按新地址发货。" style={{ marginBottom: 16 }} />}
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ ...order.address, reason: '' }}
        onFinish={({ reason, ...address }) => onSubmit({ address: { name: address.name.trim(), phone: address.phone.trim(), region: address.region.trim(), detail: address.detail.trim() }, reason: reason.trim() })}
      >
        <Form.Item name="name" label="收货人" rules={[zodRule(field.name)]}>
          <Input data-testid="address-name" />
        </Form.Item>
        <Form.Item name="phone" label="手机号" rules={[zodRule(field.phone)]}>
          <Input inputMode="numeric" data-testid="address-phone" />
        </Form.Item>
        <Form.Item name="region" label="所在地区" rules={[zodRule(field.region)]}>
          <Input placeholder="例如：上海市 上海市 徐汇区" data-testid="address-region" />
        </Form.Item>
        <Form.Item name="detail" label="详细地址" rules={[zodRule(field.detail)]}>
          <Input placeholder="街道、门牌号" data-testid="address-detail" />
        </Form.Item>
        <Form.Item name="reason" label="修改原因" rules={[zodRule(staffAddressRequestSchema.shape.reason)]}>
          <Input.TextArea rows={2} maxLength={REFUND_REASON_MAX} showCount placeholder="例如：顾客来电，已搬家" data-testid="address-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
