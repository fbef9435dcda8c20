import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { couponTemplateListSchema, type CouponTemplateRow } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { yuan } from '../../money';
import { formatMinute } from '../../time';
import { CreateCouponDialog } from './CreateCouponDialog';
import { GrantCouponDialog } from './GrantCouponDialog';

export function couponTerms(t: Pick<CouponTemplateRow, 'amountOffFen' | 'percentOffBp' | 'maxOffFen' | 'minSpendFen'>): string {
  const off = t.percentOffBp !== null ? `${(10_000 - t.percentOffBp) / 1000} 折${t.maxOffFen ? `，最高减 ${yuan(t.maxOffFen)}` : ''}` : `减 ${yuan(t.amountOffFen)}`;
  return t.minSpendFen > 0 ? `满 ${yuan(t.minSpendFen)} ${off}` : `无门槛 ${off}`;
}

/** Coupon templates: what each gives, has granted and has left; making one, the welcome coupon, a grant. */
export default function CouponsPage() {
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const templates = useQuery({ queryKey: ['coupons'], queryFn: () => request('GET', '/coupons', couponTemplateListSchema) });
  const [creating, setCreating] = useState(false);
  const [granting, setGranting] = useState<CouponTemplateRow | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: ['coupons'] });
  const welcome = useMutation({
    mutationFn: (code: string | null) => request('POST', '/coupons/welcome', couponTemplateListSchema, { body: { code } }),
    onSuccess: (_, code) => {
      message.success(code ? `新用户首次登录将获得 ${code}` : '已停发新人券');
      refresh();
    },
    onError: (error) => message.error(errorMessage(error)),
  });

  return (
    <Card
      title="优惠券"
      data-testid="coupons-page"
      extra={
        can('catalog.manage') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="coupon-create">
            新建优惠券
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">每张优惠券模板可发放多次：新人券在新用户首次登录时自动发放，其余由员工发给指定用户。发放数量不会超过模板的总量。</Typography.Paragraph>
      {templates.isError && <QueryError error={templates.error} retry={() => templates.refetch()} />}
      <Table<CouponTemplateRow>
        rowKey="code"
        size="middle"
        data-testid="coupon-table"
        loading={templates.isFetching}
        dataSource={templates.data?.items}
        pagination={false}
        columns={[
          {
            title: '券码 / 名称',
            dataIndex: 'code',
            render: (code: string, t) => (
              <Space direction="vertical" size={0}>
                <Space size={4}>
                  <Typography.Text strong>{code}</Typography.Text>
                  {t.welcome && <Tag color="orange">新人券</Tag>}
                </Space>
                <Typography.Text type="secondary">{t.title}</Typography.Text>
              </Space>
            ),
          },
          { title: '优惠', key: 'terms', render: (_, t) => couponTerms(t) },
          { title: '有效期', key: 'validity', render: (_, t) => (t.validUntil ? `至 ${formatMinute(t.validUntil)}` : `领取后 ${t.validDays} 天`) },
          { title: '总量', dataIndex: 'quantity', align: 'right', render: (quantity: number | null) => quantity ?? '不限' },
          { title: '已发放', dataIndex: 'granted', align: 'right' },
          { title: '剩余', dataIndex: 'remaining', align: 'right', render: (remaining: number | null) => (remaining === null ? '不限' : remaining === 0 ? <Tag color="red">已发完</Tag> : remaining) },
          {
            title: '操作',
            key: 'actions',
            render: (_, t) => (
              <Space size={0} wrap>
                {can('coupons.grant') && (
                  <Button type="link" disabled={t.remaining === 0} onClick={() => setGranting(t)} data-testid={`coupon-grant-${t.code}`}>
                    发放
                  </Button>
                )}
                {can('catalog.manage') &&
                  (t.welcome ? (
                    <Popconfirm title="停发新人券？新用户将不再自动获得优惠券。" okText="停发" cancelText="取消" onConfirm={() => welcome.mutate(null)}>
                      <Button type="link" danger>
                        停发新人券
                      </Button>
                    </Popconfirm>
                  ) : (
                    <Popconfirm title={`把 ${t.code} 设为新人券？原新人券将停发。`} okText="设为新人券" cancelText="取消" onConfirm={() => welcome.mutate(t.code)}>
                      <Button type="link">设为新人券</Button>
                    </Popconfirm>
                  ))}
              </Space>
            ),
          },
        ]}
      />
      {creating && (
        <CreateCouponDialog
          onClose={() => setCreating(false)}
          onDone={(t) => {
            setCreating(false);
            message.success(`已创建 ${t.code}：${t.title}`);
            refresh();
          }}
        />
      )}
      {granting && (
        <GrantCouponDialog
          template={granting}
          onClose={() => setGranting(null)}
          onDone={(left) => {
            message.success(`已发放 ${granting.code}${left === null ? '' : `，剩余 ${left} 张`}`);
            setGranting(null);
            refresh();
          }}
        />
      )}
    </Card>
  );
}
