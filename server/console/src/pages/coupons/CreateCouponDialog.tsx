import { useMutation } from '@tanstack/react-query';
import { App, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Radio, Space } from 'antd';
import { couponTemplateRowSchema, createCouponTemplateRequestSchema, type CouponTemplateRow } from '@blindbox/shared';
import type { z } from 'zod';
import { errorMessage, request } from '../../api/client';
import { zodRule } from '../../components/zod-rule';
import { typedYuanToFen } from '../../money';
import { dayjs, fromBeijingWall } from '../../time';

interface CouponForm {
  code: string;
  title?: string;
  kind: 'amount' | 'percent';
  amountOffYuan?: number;
  /** Percent off, 10 = 九折. */
  percentOff?: number;
  maxOffYuan?: number | null;
  minSpendYuan?: number | null;
  validity: 'days' | 'until';
  validDays?: number;
  validUntil?: dayjs.Dayjs;
  quantity?: number | null;
  welcome: boolean;
}

const fen = (yuan: number | null | undefined) => (yuan === null || yuan === undefined ? undefined : (typedYuanToFen(String(yuan)) ?? undefined));

/** A new coupon template; amounts typed in yuan, stored in fen. */
export function CreateCouponDialog({ onClose, onDone }: { onClose: () => void; onDone: (template: CouponTemplateRow) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<CouponForm>();
  const kind = Form.useWatch('kind', form);
  const validity = Form.useWatch('validity', form);
  const create = useMutation({
    mutationFn: (body: z.input<typeof createCouponTemplateRequestSchema>) => request('POST', '/coupons', couponTemplateRowSchema, { body }),
    onSuccess: onDone,
    onError: (error) => message.error(errorMessage(error)),
  });
  const submit = (values: CouponForm) =>
    create.mutate({
      code: values.code.trim(),
      title: values.title?.trim() || undefined,
      ...(values.kind === 'amount' ? { amountOffFen: fen(values.amountOffYuan) } : { percentOffBp: Math.round((values.percentOff ?? 0) * 100), maxOffFen: fen(values.maxOffYuan) ?? null }),
      minSpendFen: fen(values.minSpendYuan) ?? 0,
      ...(values.validity === 'days' ? { validDays: values.validDays } : { validUntil: values.validUntil ? fromBeijingWall(values.validUntil.endOf('day')) : null }),
      quantity: values.quantity ?? null,
      welcome: values.welcome,
    });
  return (
    <Modal open title="新建优惠券" okText="创建" cancelText="取消" onCancel={onClose} onOk={() => form.submit()} confirmLoading={create.isPending} width={560} destroyOnHidden>
      <Form<CouponForm> form={form} layout="vertical" initialValues={{ kind: 'amount', validity: 'days', validDays: 30, welcome: false }} onFinish={submit}>
        <Space size={16} align="start">
          <Form.Item name="code" label="券码" rules={[{ required: true, message: '请填写券码' }, zodRule(createCouponTemplateRequestSchema.shape.code)]} style={{ width: 200 }}>
            <Input placeholder="如 SORRY10" data-testid="coupon-code" />
          </Form.Item>
          <Form.Item name="title" label="名称（可选）" extra="不填则自动生成，如「满¥50.00减¥10.00」" style={{ width: 280 }}>
            <Input maxLength={40} data-testid="coupon-title" />
          </Form.Item>
        </Space>
        <Form.Item name="kind" label="优惠方式">
          <Radio.Group options={[{ value: 'amount', label: '满减（减固定金额）' }, { value: 'percent', label: '折扣（按比例减）' }]} />
        </Form.Item>
        {kind === 'percent' ? (
          <Space size={16} align="start">
            <Form.Item name="percentOff" label="减免比例（%）" extra="10% 即九折" rules={[{ required: true, message: '请填写减免比例' }]}>
              <InputNumber min={0.01} max={99.99} precision={2} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="maxOffYuan" label="最高减（元，可选）">
              <InputNumber min={0.01} precision={2} style={{ width: 160 }} />
            </Form.Item>
          </Space>
        ) : (
          <Form.Item name="amountOffYuan" label="减免金额（元）" rules={[{ required: true, message: '请填写减免金额' }]}>
            <InputNumber min={0.01} precision={2} style={{ width: 160 }} data-testid="coupon-amount" />
          </Form.Item>
        )}
        <Space size={16} align="start">
          <Form.Item name="minSpendYuan" label="最低消费（元）" extra="不填为无门槛">
            <InputNumber min={0} precision={2} style={{ width: 160 }} data-testid="coupon-min-spend" />
          </Form.Item>
          <Form.Item name="quantity" label="发放总量" extra="不填为不限量">
            <InputNumber min={0} precision={0} style={{ width: 160 }} data-testid="coupon-quantity" />
          </Form.Item>
        </Space>
        <Form.Item name="validity" label="有效期">
          <Radio.Group options={[{ value: 'days', label: '领取后若干天' }, { value: 'until', label: '截止到某日（北京时间当天结束）' }]} />
        </Form.Item>
        {validity === 'until' ? (
          <Form.Item name="validUntil" rules={[{ required: true, message: '请选择截止日期' }]}>
            <DatePicker disabledDate={(date) => date.isBefore(dayjs(), 'day')} />
          </Form.Item>
        ) : (
          <Form.Item name="validDays" rules={[{ required: true, message: '请填写有效天数' }]}>
            <InputNumber min={1} max={3650} precision={0} addonAfter="天" style={{ width: 160 }} />
          </Form.Item>
        )}
        <Form.Item name="welcome" valuePropName="checked">
          <Checkbox>设为新人券（新用户首次登录自动获得，原新人券停发）</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
