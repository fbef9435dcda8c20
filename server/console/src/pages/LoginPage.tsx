import { useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input } from 'antd';
import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { consoleSessionResponseSchema, STAFF_USERNAME_PATTERN, type ConsoleLoginRequest } from '@blindbox/shared';
import { ConsoleApiError, errorMessage, request } from '../api/client';
import { storeSession, useSession } from '../api/session';
import { AuthCard } from '../layout/AuthCard';

/** Username and password; the two-step code field appears once the server says the account has one. */
export function LoginPage() {
  const session = useSession();
  const client = useQueryClient();
  const location = useLocation();
  const [form] = Form.useForm<ConsoleLoginRequest>();
  const [needsTotp, setNeedsTotp] = useState(false);
  const login = useMutation({
    mutationFn: (values: ConsoleLoginRequest) => request('POST', '/auth/login', consoleSessionResponseSchema, { body: { ...values, totp: values.totp || undefined } }),
    // With the session stored, this page renders the way back (below).
    onSuccess: (answer) => storeSession(client, answer),
    onError: (error) => {
      if (error instanceof ConsoleApiError && (error.code === 'TOTP_REQUIRED' || error.code === 'TOTP_INVALID')) setNeedsTotp(true);
    },
  });

  // Back to the page that asked for the login (a link a colleague sent), else the dashboard.
  const from = (location.state as { from?: string } | null)?.from;
  if (session.data) return <Navigate to={from && !from.startsWith('/login') ? from : '/'} replace />;
  const showError = login.error && !(login.error instanceof ConsoleApiError && login.error.code === 'TOTP_REQUIRED');
  return (
    <AuthCard title="员工登录">
      <Form form={form} layout="vertical" onFinish={(values) => login.mutate(values)} requiredMark={false} size="large" data-testid="login-form">
        <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }, { pattern: STAFF_USERNAME_PATTERN, message: '用户名为小写字母、数字、点、横线或下划线' }]} normalize={(value: string) => value.trim().toLowerCase()}>
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
        </Form.Item>
        <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
        </Form.Item>
        {needsTotp && (
          <Form.Item name="totp" label="两步验证码" extra="打开身份验证器 App，输入显示的 6 位数字" rules={[{ required: true, message: '请输入两步验证码' }, { pattern: /^\d{6}$/, message: '验证码为 6 位数字' }]}>
            <Input prefix={<SafetyOutlined />} inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus data-testid="login-totp" />
          </Form.Item>
        )}
        {showError && <Alert type="error" showIcon message={errorMessage(login.error)} style={{ marginBottom: 16 }} data-testid="login-error" />}
        {needsTotp && !showError && <Alert type="info" showIcon message="该账号已启用两步验证，请输入验证码" style={{ marginBottom: 16 }} />}
        <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
          登录
        </Button>
      </Form>
    </AuthCard>
  );
}
