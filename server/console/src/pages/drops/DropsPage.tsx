import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Form, InputNumber, Modal, Popconfirm, Space, Table, Typography } from 'antd';
import { DROP_PAYMENT_WINDOW_MINUTES, DROP_PURCHASE_LIMIT, dropBoxSchema, type DropBox } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';
import { useDropList } from '../../api/drops';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { DropStateTag } from '../../components/labels';
import { yuan } from '../../money';
import { dayjs, formatMinute, formatTime, fromBeijingWall, toBeijingWall } from '../../time';

interface DropForm {
  onSaleAt: dayjs.Dayjs;
  paymentWindowMinutes: number;
  purchaseLimit: number;
}

/** Every box's drop: schedule one (Beijing time), call it off, or watch it live. */
export default function DropsPage() {
  const can = useCan();
  const drops = useDropList();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [scheduling, setScheduling] = useState<DropBox | null>(null);
  const done = (text: string) => {
    message.success(text);
    void client.invalidateQueries({ queryKey: ['drops'] });
  };
  const cancel = useMutation({
    mutationFn: (box: DropBox) => request('POST', `/drops/${box.boxId}/cancel`, dropBoxSchema),
    onSuccess: (box) => done(`已取消「${box.name}」的开售`),
    onError: (error) => message.error(errorMessage(error)),
  });

  return (
    <Card title="开售排期" data-testid="drops-page">
      <Typography.Paragraph type="secondary">
        开售时间一律按北京时间，以服务器时钟为准（服务器当前时间 <span data-testid="server-time">{formatTime(drops.data?.serverTime)}</span>）。每次排期都是一轮新的开售，每人限购从零重新计算；付款时限是该系列订单的付款时间。
      </Typography.Paragraph>
      {drops.isError && <QueryError error={drops.error} retry={() => drops.refetch()} />}
      <Table<DropBox>
        rowKey="boxId"
        size="middle"
        data-testid="drops-table"
        loading={drops.isFetching}
        dataSource={drops.data?.items}
        pagination={false}
        columns={[
          { title: '系列', dataIndex: 'name', render: (name: string, box) => <Space direction="vertical" size={0}><span>{name}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{box.slug}{box.saleMode === 'SETS' ? ' · 端盒' : ''}</Typography.Text></Space> },
          { title: '单价', dataIndex: 'priceFen', align: 'right', render: yuan },
          { title: '状态', dataIndex: 'state', render: (state: DropBox['state']) => <DropStateTag state={state} /> },
          { title: '开售时间（北京）', dataIndex: 'onSaleAt', render: formatMinute },
          { title: '付款时限', dataIndex: 'paymentWindowMinutes', align: 'right', render: (minutes: number) => `${minutes} 分钟` },
          { title: '每人限购', dataIndex: 'purchaseLimit', align: 'right', render: (limit: number) => `${limit} 件` },
          { title: '可售', dataIndex: 'available', align: 'right' },
          {
            title: '操作',
            key: 'actions',
            render: (_, box) => (
              <Space size={0} wrap>
                <Link to={`/drops/${box.boxId}`} data-testid={`drop-live-${box.slug}`}>
                  <Button type="link">实时</Button>
                </Link>
                {can('catalog.manage') && (
                  <Button type="link" data-testid={`drop-schedule-${box.slug}`} onClick={() => setScheduling(box)}>
                    排期开售
                  </Button>
                )}
                {can('catalog.manage') && box.state === 'SCHEDULED' && (
                  <Popconfirm title={`取消「${box.name}」${formatMinute(box.onSaleAt)} 的开售？`} description="取消后该系列不可购买，直到重新排期。" okText="取消开售" okButtonProps={{ danger: true }} cancelText="不取消" onConfirm={() => cancel.mutate(box)}>
                    <Button type="link" danger data-testid={`drop-cancel-${box.slug}`}>
                      取消开售
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {scheduling && (
        <ScheduleDialog
          box={scheduling}
          serverTime={drops.data?.serverTime ?? new Date().toISOString()}
          onClose={() => setScheduling(null)}
          onDone={(box) => {
            setScheduling(null);
            done(`「${box.name}」将于北京时间 ${formatMinute(box.onSaleAt)} 开售`);
          }}
        />
      )}
    </Card>
  );
}

function ScheduleDialog({ box, serverTime, onClose, onDone }: { box: DropBox; serverTime: string; onClose: () => void; onDone: (box: DropBox) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<DropForm>();
  const now = toBeijingWall(serverTime);
  const schedule = useMutation({
    mutationFn: (values: DropForm) =>
      request('POST', `/drops/${box.boxId}`, dropBoxSchema, {
        body: { onSaleAt: fromBeijingWall(values.onSaleAt.second(0).millisecond(0)), paymentWindowMinutes: values.paymentWindowMinutes, purchaseLimit: values.purchaseLimit },
      }),
    onSuccess: onDone,
    onError: (error) => message.error(errorMessage(error)),
  });
  return (
    <Modal open title={`排期开售：${box.name}`} okText="确定排期" cancelText="取消" onCancel={onClose} onOk={() => form.submit()} confirmLoading={schedule.isPending} okButtonProps={{ 'data-testid': 'drop-confirm' }} destroyOnHidden>
      <Form<DropForm>
        form={form}
        layout="vertical"
        initialValues={{ paymentWindowMinutes: box.paymentWindowMinutes, purchaseLimit: box.purchaseLimit, onSaleAt: box.state === 'SCHEDULED' && box.onSaleAt ? toBeijingWall(box.onSaleAt) : undefined }}
        onFinish={(values) => schedule.mutate(values)}
      >
        <Form.Item
          name="onSaleAt"
          label="开售时间（北京时间）"
          extra={`服务器当前时间 ${now.format('YYYY-MM-DD HH:mm:ss')}`}
          rules={[
            { required: true, message: '请选择开售时间' },
            { validator: async (_, value?: dayjs.Dayjs) => { if (value && !value.second(0).isAfter(now)) throw new Error('开售时间必须晚于当前时间'); } },
          ]}
        >
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} disabledDate={(date) => date.isBefore(now, 'day')} data-testid="drop-at" placeholder="选择日期和时间" />
        </Form.Item>
        <Space size={16}>
          <Form.Item name="paymentWindowMinutes" label="付款时限（分钟）" rules={[{ required: true, message: '请填写付款时限' }]}>
            <InputNumber min={DROP_PAYMENT_WINDOW_MINUTES.min} max={DROP_PAYMENT_WINDOW_MINUTES.max} precision={0} style={{ width: 160 }} data-testid="drop-window" />
          </Form.Item>
          <Form.Item name="purchaseLimit" label="每人限购（件）" rules={[{ required: true, message: '请填写每人限购' }]}>
            <InputNumber min={DROP_PURCHASE_LIMIT.min} max={DROP_PURCHASE_LIMIT.max} precision={0} style={{ width: 160 }} data-testid="drop-limit" />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
