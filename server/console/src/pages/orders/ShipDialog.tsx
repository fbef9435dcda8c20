import { Form, Input, Modal, Select } from 'antd';
import { SHIPPING_CARRIERS, shipRequestSchema, type ShipRequest } from '@blindbox/shared';
import { zodRule } from '../../components/zod-rule';

/** Tracking number and carrier for one order (the shared schema's rules, in its words). */
export function ShipDialog({ open, pending, defaultCarrier, onClose, onSubmit }: { open: boolean; pending: boolean; defaultCarrier?: string; onClose: () => void; onSubmit: (body: ShipRequest) => void }) {
  const [form] = Form.useForm<ShipRequest>();
  return (
    <Modal title="发货" open={open} onCancel={onClose} okText="确认发货" onOk={() => form.submit()} okButtonProps={{ loading: pending, 'data-testid': 'ship-confirm' }} destroyOnHidden>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ carrier: defaultCarrier ?? SHIPPING_CARRIERS[0].code }} onFinish={(values) => onSubmit({ trackingNo: values.trackingNo.trim(), carrier: values.carrier })}>
        <Form.Item name="carrier" label="快递公司" rules={[{ required: true, message: '请选择快递公司' }]}>
          <Select options={SHIPPING_CARRIERS.map((carrier) => ({ value: carrier.code, label: carrier.name }))} data-testid="ship-carrier" />
        </Form.Item>
        <Form.Item name="trackingNo" label="运单号" rules={[zodRule(shipRequestSchema.shape.trackingNo)]}>
          <Input placeholder="例如 SF1234567890" autoFocus data-testid="ship-tracking" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
