import { Navigate, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, QRCode, Space, Typography } from 'antd';
import { changePasswordRequestSchema, consoleSessionResponseSchema, totpEnrolResponseSchema } from '@blindbox/shared';
import { errorMessage, request } from '../api/client';
import { storeSession, useSession } from '../api/session';
import { AuthCard } from '../layout/AuthCard';
import { PageLoading } from '../components/PageLoading';
import { zodRule } from '../components/zod-rule';

/**
 * First login: change the one-time password, then (owner and operator, where required) bind an authenticator
 * app by scanning a QR code and typing its first code. Others may bind one here too, or skip.
 */
export function SetupPage() {
  const session = useSession();
  if (session.isPending) return <PageLoading />;
  if (!session.data) return <Navigate to="/login" replace />;
  const { staff } = session.data;
  if (staff.passwordChangeRequired) return <ChangePassword />;
  if (!staff.totpEnabled) return <EnrolTotp required={staff.totpEnrolmentRequired} />;
  return <Navigate to="/" replace />;
}

function ChangePassword() {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: (values: { currentPassword: string; newPassword: string }) => request('POST', '/auth/password', consoleSessionResponseSchema, { body: values }),
    onSuccess: (answer) => storeSession(client, answer),
  });
  return (
    <AuthCard title="修改初始密码">
      <Typography.Paragraph type="secondary">首次登录请先把店主给的一次性密码改成只有您知道的密码。</Typography.Paragraph>
      <Form layout="vertical" onFinish={(values: { currentPassword: string; newPassword: string }) => change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword })} requiredMark={false}>
        <Form.Item name="currentPassword" label="一次性密码" rules={[{ required: true, message: '请输入一次性密码' }]}>
          <Input.Password autoComplete="current-password" data-testid="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label="新密码" rules={[zodRule(changePasswordRequestSchema.shape.newPassword)]} hasFeedback>
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label="再次输入新密码"
          dependencies={['newPassword']}
          rules={[({ getFieldValue }) => ({ validator: (_, value) => (value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致'))) })]}
        >
          <Input.Password autoComplete="new-password" data-testid="confirm-password" />
        </Form.Item>
        {change.error && <Alert type="error" showIcon message={errorMessage(change.error)} style={{ marginBottom: 16 }} />}
        <Button type="primary" htmlType="submit" block loading={change.isPending} data-testid="password-submit">
          保存新密码
        </Button>
      </Form>
    </AuthCard>
  );
}

function EnrolTotp({ required }: { required: boolean }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const enrol = useMutation({ mutationFn: () => request('POST', '/auth/totp/enrol', totpEnrolResponseSchema) });
  const confirm = useMutation({
    mutationFn: (code: string) => request('POST', '/auth/totp/confirm', consoleSessionResponseSchema, { body: { code } }),
    onSuccess: (answer) => {
      storeSession(client, answer);
      navigate('/', { replace: true });
    },
  });
  return (
    <AuthCard title="绑定两步验证">
      <Typography.Paragraph type="secondary">
        {required ? '您的角色可以动用资金，必须启用两步验证后才能使用后台。' : '启用两步验证后，登录时除密码外还需输入手机上的验证码。'}
        请用身份验证器 App（如 Google Authenticator、Microsoft Authenticator、腾讯身份验证器）扫描二维码。
      </Typography.Paragraph>
      {!enrol.data ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          {enrol.error && <Alert type="error" showIcon message={errorMessage(enrol.error)} />}
          <Button type="primary" block onClick={() => enrol.mutate()} loading={enrol.isPending} data-testid="totp-start">
            开始绑定
          </Button>
          {!required && (
            <Button block onClick={() => navigate('/', { replace: true })}>
              暂不启用
            </Button>
          )}
        </Space>
      ) : (
        <Form layout="vertical" onFinish={(values: { code: string }) => confirm.mutate(values.code.trim())} requiredMark={false}>
          <div style={{ display: 'flex', justifyContent: 'center', marginBottom: 12 }}>
            <QRCode value={enrol.data.otpauthUrl} size={180} data-testid="totp-qr" />
          </div>
          <Typography.Paragraph style={{ textAlign: 'center' }}>
            无法扫码时手动输入密钥：
            <Typography.Text code copyable data-testid="totp-secret">
              {enrol.data.secret}
            </Typography.Text>
          </Typography.Paragraph>
          <Form.Item name="code" label="App 显示的 6 位验证码" rules={[{ required: true, message: '请输入验证码' }, { pattern: /^\s*\d{6}\s*$/, message: '验证码为 6 位数字' }]}>
            <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} data-testid="totp-code" />
          </Form.Item>
          {confirm.error && <Alert type="error" showIcon message={errorMessage(confirm.error)} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block loading={confirm.isPending} data-testid="totp-confirm">
            确认绑定
          </Button>
        </Form>
      )}
    </AuthCard>
  );
}
