import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Space } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { auditResponseSchema } from '@blindbox/shared';
import { request } from '../api/client';
import { AuditTable } from '../components/AuditTable';
import { QueryError } from '../components/QueryError';
import { pageOf, useUrlFilters } from '../components/use-url-filters';
import { beijingDay, dayjs } from '../time';

const FILTERS = ['actor', 'target', 'from', 'to'] as const;
interface Values {
  actor?: string;
  target?: string;
  range?: [dayjs.Dayjs, dayjs.Dayjs] | null;
}

/** Every change staff and the CLI made, newest first; read only (the console cannot edit the audit). */
export default function AuditPage() {
  const { filters, update } = useUrlFilters(FILTERS);
  const { page, pageSize } = pageOf(filters);
  const query = { actor: filters.actor, target: filters.target, from: filters.from, to: filters.to, page, pageSize };
  const audit = useQuery({ queryKey: ['audit', query], queryFn: () => request('GET', '/audit', auditResponseSchema, { query }), placeholderData: keepPreviousData });
  const [form] = Form.useForm<Values>();
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Form
          form={form}
          layout="inline"
          style={{ rowGap: 12 }}
          initialValues={{ actor: filters.actor, target: filters.target, range: filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null }}
          onFinish={(values) => update({ actor: values.actor?.trim(), target: values.target?.trim(), from: values.range ? beijingDay(values.range[0]) : undefined, to: values.range ? beijingDay(values.range[1]) : undefined, page: undefined })}
        >
          <Form.Item name="actor" label="操作人">
            <Input allowClear placeholder="如 staff:alice、admin:root" style={{ width: 200 }} data-testid="audit-actor" />
          </Form.Item>
          <Form.Item name="target" label="对象">
            <Input allowClear placeholder="如 order:订单号、staff:用户名" style={{ width: 300 }} data-testid="audit-target" />
          </Form.Item>
          <Form.Item name="range">
            <DatePicker.RangePicker allowClear />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">
                查询
              </Button>
              <Button
                onClick={() => {
                  form.setFieldsValue({ actor: undefined, target: undefined, range: undefined });
                  update({ actor: undefined, target: undefined, from: undefined, to: undefined, page: undefined });
                }}
              >
                重置
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      {audit.isError && <QueryError error={audit.error} retry={() => audit.refetch()} />}
      <Card title="操作日志">
        <AuditTable
          entries={audit.data?.items}
          loading={audit.isFetching}
          pagination={{ current: page, pageSize, total: audit.data?.total ?? 0, showTotal: (total: number) => `共 ${total} 条`, onChange: (next: number, size: number) => update({ page: next === 1 ? undefined : next, pageSize: size === 20 ? undefined : size }) }}
        />
      </Card>
    </Space>
  );
}
