import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Button, Space, Typography } from 'antd';
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';

/**
 * The top of one record's page (an order, an after-sales request, a complaint): back to its list, what it is, its
 * status, then the actions staff may take and 刷新. The record's summary goes below it, in the same card.
 */
export function DetailHeader({ back, title, copyText, status, actions, refresh }: {
  back: { to: string; label: string };
  title: string;
  /** The record's id to copy beside the title (absent: the title is not copyable). */
  copyText?: string;
  /** The status tag(s), with their test ids. */
  status: ReactNode;
  actions: ReactNode;
  refresh: { run: () => void; pending: boolean };
}) {
  return (
    <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: 12 }}>
      <Space size="middle" wrap>
        <Link to={back.to}>
          <ArrowLeftOutlined /> {back.label}
        </Link>
        <Typography.Title level={4} style={{ margin: 0 }} copyable={copyText ? { text: copyText } : false}>
          {title}
        </Typography.Title>
        {status}
      </Space>
      <Space wrap>
        {actions}
        <Button icon={<ReloadOutlined />} onClick={refresh.run} loading={refresh.pending}>
          刷新
        </Button>
      </Space>
    </div>
  );
}
