import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { createStaffRequestSchema, oneTimePasswordResponseSchema, STAFF_ROLE_LABELS, STAFF_ROLES, staffListResponseSchema, staffRowSchema, staffSessionsResponseSchema, type StaffRole, type StaffRow } from '@blindbox/shared';
import { z } from 'zod';
import { errorMessage, request, requestNoContent } from '../../api/client';
import { useCan, useMe } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { zodRule } from '../../components/zod-rule';
import { formatTime } from '../../time';

const roleOptions = STAFF_ROLES.map((role) => ({ value: role, label: STAFF_ROLE_LABELS[role] }));
const ROLE_HINT = '店主：全部权限与员工管理；运营：发货、批量导入、商品；客服：查单、核对、限额内退款、发货；只读：仅查看';
type Session = z.infer<typeof staffSessionsResponseSchema>['items'][number];

/** Owner only: accounts and roles, one-time passwords, 2FA resets, unlocks, and everyone's live sessions. */
export default function StaffPage() {
  const me = useMe();
  const can = useCan();
  const manage = can('staff.manage');
  const client = useQueryClient();
  const { message } = App.useApp();
  const staff = useQuery({ queryKey: ['staff'], queryFn: () => request('GET', '/staff', staffListResponseSchema) });
  const sessions = useQuery({ queryKey: ['staff', 'sessions'], queryFn: () => request('GET', '/staff/sessions', staffSessionsResponseSchema) });
  const [creating, setCreating] = useState(false);
  const [password, setPassword] = useState<{ username: string; oneTimePassword: string } | null>(null);

  const done = (text: string) => {
    message.success(text);
    void client.invalidateQueries({ queryKey: ['staff'] });
  };
  const onError = (error: unknown) => message.error(errorMessage(error));
  const update = useMutation({ mutationFn: ({ id, body }: { id: string; body: { role?: StaffRole; disabled?: boolean } }) => request('PATCH', `/staff/${id}`, staffRowSchema, { body }), onSuccess: () => done('已保存'), onError });
  const resetPassword = useMutation({
    mutationFn: (id: string) => request('POST', `/staff/${id}/reset-password`, oneTimePasswordResponseSchema),
    onSuccess: (answer) => {
      done('已重置密码，对方的登录已全部退出');
      setPassword({ username: answer.staff.username, oneTimePassword: answer.oneTimePassword });
    },
    onError,
  });
  const reset2fa = useMutation({ mutationFn: (id: string) => request('POST', `/staff/${id}/reset-2fa`, staffRowSchema), onSuccess: () => done('已重置两步验证，对方下次登录时重新绑定'), onError });
  const unlock = useMutation({ mutationFn: (id: string) => request('POST', `/staff/${id}/unlock`, staffRowSchema), onSuccess: () => done('已解锁'), onError });
  const revoke = useMutation({ mutationFn: (id: string) => requestNoContent('POST', `/staff/sessions/${id}/revoke`), onSuccess: () => done('已强制下线'), onError });
  const create = useMutation({
    mutationFn: (body: z.infer<typeof createStaffRequestSchema>) => request('POST', '/staff', oneTimePasswordResponseSchema, { body }),
    onSuccess: (answer) => {
      done(`已创建 ${answer.staff.username}`);
      setCreating(false);
      setPassword({ username: answer.staff.username, oneTimePassword: answer.oneTimePassword });
    },
    onError,
  });

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title="员工账号"
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              添加员工
            </Button>
          )
        }
      >
        <Typography.Paragraph type="secondary">{ROLE_HINT}</Typography.Paragraph>
        {staff.isError && <QueryError error={staff.error} retry={() => staff.refetch()} />}
        <Table<StaffRow>
          rowKey="id"
          size="middle"
          loading={staff.isFetching}
          dataSource={staff.data?.items}
          pagination={false}
          data-testid="staff-table"
          columns={[
            { title: '用户名', dataIndex: 'username', render: (name: string, row) => (row.displayName && row.displayName !== name ? `${name}（${row.displayName}）` : name) },
            {
              title: '角色',
              dataIndex: 'role',
              width: 130,
              render: (role: StaffRole, row) =>
                manage && row.id !== me.id ? <Select size="small" value={role} options={roleOptions} style={{ width: 100 }} onChange={(next) => update.mutate({ id: row.id, body: { role: next } })} /> : STAFF_ROLE_LABELS[role],
            },
            {
              title: '状态',
              key: 'state',
              render: (_, row) => (
                <Space size={4} wrap>
                  {row.disabled ? <Tag>已停用</Tag> : <Tag color="green">启用</Tag>}
                  {row.lockedAt && <Tag color="red">已锁定 {formatTime(row.lockedAt)}</Tag>}
                  {row.totpEnabled ? <Tag color="blue">两步验证</Tag> : <Tag color="orange">未绑定两步验证</Tag>}
                  {row.passwordChangeRequired && <Tag>待改初始密码</Tag>}
                </Space>
              ),
            },
            { title: '连续失败', dataIndex: 'failedLogins', align: 'right', width: 90 },
            { title: '最近登录', dataIndex: 'lastLoginAt', width: 170, render: formatTime },
            {
              title: '操作',
              key: 'actions',
              render: (_, row) =>
                manage &&
                row.id !== me.id && (
                  <Space size={0} wrap>
                    {row.lockedAt && (
                      <Button type="link" size="small" onClick={() => unlock.mutate(row.id)}>
                        解锁
                      </Button>
                    )}
                    <Popconfirm title={`重置 ${row.username} 的密码？将生成一次性密码并让其退出登录`} okText="重置" cancelText="取消" onConfirm={() => resetPassword.mutate(row.id)}>
                      <Button type="link" size="small">
                        重置密码
                      </Button>
                    </Popconfirm>
                    {row.totpEnabled && (
                      <Popconfirm title={`重置 ${row.username} 的两步验证？其需要重新绑定`} okText="重置" cancelText="取消" onConfirm={() => reset2fa.mutate(row.id)}>
                        <Button type="link" size="small">
                          重置两步验证
                        </Button>
                      </Popconfirm>
                    )}
                    <Popconfirm title={row.disabled ? `启用 ${row.username}？` : `停用 ${row.username}？其登录将全部失效`} okText="确定" cancelText="取消" onConfirm={() => update.mutate({ id: row.id, body: { disabled: !row.disabled } })}>
                      <Button type="link" size="small" danger={!row.disabled}>
                        {row.disabled ? '启用' : '停用'}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
            },
          ]}
        />
      </Card>
      <Card title="在线会话">
        {sessions.isError && <QueryError error={sessions.error} retry={() => sessions.refetch()} />}
        <Table<Session>
          rowKey="id"
          size="small"
          loading={sessions.isFetching}
          dataSource={sessions.data?.items}
          pagination={false}
          columns={[
            { title: '员工', dataIndex: 'username', render: (name: string, row) => (row.current ? <Space>{name}<Tag color="blue">当前会话</Tag></Space> : name) },
            { title: '登录时间', dataIndex: 'createdAt', render: formatTime },
            { title: '最近活动', dataIndex: 'lastSeenAt', render: formatTime },
            { title: '最晚到期', dataIndex: 'expiresAt', render: formatTime },
            { title: 'IP', dataIndex: 'ip' },
            { title: '浏览器', dataIndex: 'userAgent', ellipsis: true },
            {
              title: '操作',
              key: 'revoke',
              render: (_, row) =>
                manage &&
                !row.current && (
                  <Popconfirm title="强制该会话下线？" okText="下线" cancelText="取消" onConfirm={() => revoke.mutate(row.id)}>
                    <Button type="link" size="small" danger>
                      强制下线
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <CreateStaffDialog open={creating} pending={create.isPending} onClose={() => setCreating(false)} onSubmit={(body) => create.mutate(body)} />
      <Modal title="一次性密码" open={password !== null} onCancel={() => setPassword(null)} footer={<Button onClick={() => setPassword(null)}>我已记下</Button>}>
        <Typography.Paragraph>
          请把下面的一次性密码当面或通过可靠渠道交给 <Typography.Text strong>{password?.username}</Typography.Text>，它只显示这一次；对方首次登录时须改成自己的密码。
        </Typography.Paragraph>
        <Typography.Paragraph>
          <Typography.Text code copyable style={{ fontSize: 18 }}>
            {password?.oneTimePassword}
          </Typography.Text>
        </Typography.Paragraph>
      </Modal>
    </Space>
  );
}

function CreateStaffDialog({ open, pending, onClose, onSubmit }: { open: boolean; pending: boolean; onClose: () => void; onSubmit: (body: z.infer<typeof createStaffRequestSchema>) => void }) {
  const [form] = Form.useForm<{ username: string; displayName?: string; role: StaffRole }>();
  return (
    <Modal title="添加员工" open={open} onCancel={onClose} okText="创建" cancelText="取消" onOk={() => form.submit()} okButtonProps={{ loading: pending }} destroyOnHidden>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ role: 'support' }} onFinish={(values) => onSubmit(createStaffRequestSchema.parse(values))}>
        <Form.Item name="username" label="用户名" rules={[zodRule(createStaffRequestSchema.shape.username)]} extra="用于登录，创建后不能修改">
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label="姓名" rules={[{ max: 40, message: '最多 40 字' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="role" label="角色" extra={ROLE_HINT}>
          <Select options={roleOptions} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
