import type { ReactNode } from 'react';
import { Card, Typography } from 'antd';

/** The centred card the login and first-login setup pages share. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(135deg, #fff7ed 0%, #f5f5f5 60%)' }}>
      <div style={{ width: 400 }}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginBottom: 24 }}>
          盲盒商城 · 管理后台
        </Typography.Title>
        <Card title={title}>{children}</Card>
      </div>
    </div>
  );
}
