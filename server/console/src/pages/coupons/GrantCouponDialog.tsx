import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Input, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import { grantCouponResponseSchema, shopperLookupResponseSchema, type CouponTemplateRow, type ShopperMatch } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';
import { QueryError } from '../../components/QueryError';
import { formatMinute } from '../../time';
import { couponTerms } from './CouponsPage';

const MATCHED_BY: Record<ShopperMatch['matchedBy'], string> = { openid: 'openid', userId: '用户编号', phone: '收货手机号' };

/** One coupon to one shopper, found by openid, user id or a phone they shipped to. */
export function GrantCouponDialog({ template, onClose, onDone }: { template: CouponTemplateRow; onClose: () => void; onDone: (left: number | null) => void }) {
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const shoppers = useQuery({
    queryKey: ['shoppers', q],
    enabled: q.length > 0,
    queryFn: () => request('GET', '/shoppers', shopperLookupResponseSchema, { query: { q } }),
  });
  const grant = useMutation({
    mutationFn: (userId: string) => request('POST', `/coupons/${encodeURIComponent(template.code)}/grants`, grantCouponResponseSchema, { body: { userId } }),
    onSuccess: (answer) => onDone(answer.template.remaining),
    onError: (error) => message.error(errorMessage(error)),
  });
  const matches = shoppers.data?.items ?? [];
  return (
    <Modal open title={`发放优惠券：${template.code}`} okText="发放" cancelText="取消" onCancel={onClose} onOk={() => chosen && grant.mutate(chosen)} okButtonProps={{ disabled: !chosen, 'data-testid': 'grant-confirm' }} confirmLoading={grant.isPending} width={640} destroyOnHidden>
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        <Typography.Text>
          {template.title} · {couponTerms(template)} · 剩余 {template.remaining ?? '不限'}
        </Typography.Text>
        <Input.Search
          placeholder="openid、用户编号或收货手机号"
          enterButton="查找"
          allowClear
          data-testid="grant-search"
          onSearch={(value) => {
            setChosen(null);
            setQ(value.trim());
          }}
        />
        {shoppers.isError && <QueryError error={shoppers.error} />}
        {q && shoppers.isSuccess && matches.length === 0 && <Alert type="warning" showIcon message="没有找到该用户" description="手机号只能找到在订单中填写过该收货手机号的用户。" />}
        {matches.length > 0 && (
          <Radio.Group value={chosen} onChange={(event) => setChosen(event.target.value as string)} style={{ width: '100%' }}>
            <Table<ShopperMatch>
              rowKey="userId"
              size="small"
              pagination={false}
              dataSource={matches}
              data-testid="grant-matches"
              onRow={(row) => ({ onClick: () => setChosen(row.userId) })}
              columns={[
                { title: '', key: 'pick', width: 40, render: (_, row) => <Radio value={row.userId} /> },
                { title: 'openid', dataIndex: 'openid', render: (openid: string) => <Typography.Text copyable>{openid}</Typography.Text> },
                { title: '找到方式', dataIndex: 'matchedBy', render: (by: ShopperMatch['matchedBy']) => <Tag>{MATCHED_BY[by]}</Tag> },
                { title: '注册', dataIndex: 'createdAt', render: formatMinute },
                { title: '最近登录', dataIndex: 'lastLoginAt', render: formatMinute },
              ]}
            />
          </Radio.Group>
        )}
      </Space>
    </Modal>
  );
}
