import { useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Layout, Menu, Space, Tag, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { AlertOutlined, ShopOutlined, AuditOutlined, DashboardOutlined, FileSearchOutlined, LogoutOutlined, ProfileOutlined, SafetyOutlined, TeamOutlined, CarOutlined, FieldTimeOutlined, AppstoreOutlined, GiftOutlined, LineChartOutlined } from '@ant-design/icons';
import { STAFF_ROLE_LABELS, type ConsoleAction } from '@blindbox/shared';
import { errorMessage, requestNoContent } from '../api/client';
import { storeSession, useMe } from '../api/session';

const MENU: { key: string; label: string; icon: React.ReactNode; action: ConsoleAction }[] = [
  { key: '/', label: '数据概览', icon: <DashboardOutlined />, action: 'dashboard.view' },
  { key: '/orders', label: '订单管理', icon: <ProfileOutlined />, action: 'orders.view' },
  { key: '/shipping', label: '发货管理', icon: <CarOutlined />, action: 'shipping.view' },
  { key: '/catalog', label: '系列商品', icon: <ShopOutlined />, action: 'catalog.view' },
  { key: '/complaints', label: '投诉处理', icon: <AlertOutlined />, action: 'complaints.view' },
  { key: '/drops', label: '开售排期', icon: <FieldTimeOutlined />, action: 'catalog.view' },
  { key: '/sets', label: '端盒', icon: <AppstoreOutlined />, action: 'catalog.view' },
  { key: '/coupons', label: '优惠券', icon: <GiftOutlined />, action: 'catalog.view' },
  { key: '/sales', label: '销售报表', icon: <LineChartOutlined />, action: 'sales.view' },
  { key: '/bills', label: '交易账单', icon: <FileSearchOutlined />, action: 'bills.view' },
  { key: '/audit', label: '操作日志', icon: <AuditOutlined />, action: 'audit.view' },
  { key: '/staff', label: '员工账号', icon: <TeamOutlined />, action: 'staff.view' },
];

/** The back office frame: the menu (what this role may open), who is signed in, and sign-out. */
export function AppShell() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [collapsed, setCollapsed] = useState(false);
  const logout = useMutation({
    mutationFn: () => requestNoContent('POST', '/auth/logout'),
    onSuccess: () => storeSession(client, null),
    onError: (error) => message.error(errorMessage(error)),
  });

  const items: MenuProps['items'] = MENU.filter((item) => me.permissions.includes(item.action)).map(({ key, label, icon }) => ({ key, label, icon }));
  const selected = MENU.map((item) => item.key)
    .filter((key) => (key === '/' ? location.pathname === '/' : location.pathname.startsWith(key)))
    .slice(-1);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider theme="dark" collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208} style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}>
        <div style={{ height: 56, display: 'flex', alignItems: 'center', justifyContent: 'center', color: '#fff', fontWeight: 600, fontSize: collapsed ? 14 : 17 }}>
          {collapsed ? '盲盒' : '盲盒商城 · 后台'}
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={selected} items={items} onClick={({ key }) => navigate(key)} data-testid="main-menu" />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', borderBottom: '1px solid #f0f0f0' }}>
          <Space size="middle">
            {!me.totpEnabled && (
              <Button type="link" icon={<SafetyOutlined />} onClick={() => navigate('/setup')} data-testid="enrol-totp">
                绑定两步验证
              </Button>
            )}
            <Typography.Text data-testid="current-staff">{me.displayName || me.username}</Typography.Text>
            <Tag color="orange">{STAFF_ROLE_LABELS[me.role]}</Tag>
            <Button icon={<LogoutOutlined />} onClick={() => logout.mutate()} loading={logout.isPending}>
              退出登录
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
