import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { consoleBoxListSchema, pictureVariantUrl } from '@blindbox/shared';
import { request } from '../../api/client';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { yuan } from '../../money';
import { CatalogFilesButtons } from './CatalogFilesButtons';

/** Every series: its cover, price, odds version and units available; open one to edit it or its stock; catalog files out and in. */
export default function SeriesListPage() {
  const can = useCan();
  const navigate = useNavigate();
  const boxes = useQuery({ queryKey: ['catalog', 'boxes'], queryFn: () => request('GET', '/catalog/boxes', consoleBoxListSchema) });
  if (boxes.isError) return <QueryError error={boxes.error} />;
  return (
    <Card
      title="系列商品"
      extra={
        <Space>
          <CatalogFilesButtons />
          {can('catalog.manage') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/catalog/new')} data-testid="series-new">
              新建系列
            </Button>
          )}
        </Space>
      }
    >
      <Table
        rowKey="id"
        loading={boxes.isPending}
        dataSource={boxes.data?.items}
        pagination={false}
        data-testid="series-table"
        columns={[
          { title: '封面', dataIndex: 'coverUrl', width: 72, render: (url: string) => <img src={pictureVariantUrl(url, 'list')} alt="" width={48} height={48} style={{ objectFit: 'cover', borderRadius: 4 }} /> },
          { title: '名称', dataIndex: 'name', render: (name: string, box) => <Link to={`/catalog/${box.slug}`}>{name}</Link> },
          { title: '标识', dataIndex: 'slug' },
          { title: '售价', dataIndex: 'priceFen', render: (fen: number) => yuan(fen) },
          { title: '方式', dataIndex: 'saleMode', render: (mode: string) => (mode === 'SETS' ? '端盒' : '随机抽取') },
          { title: '概率版本', dataIndex: 'version', render: (version: number) => `v${version}` },
          { title: '可售', dataIndex: 'available' },
          {
            title: '状态',
            render: (_: unknown, box) => (box.retired ? <Tag>已下架</Tag> : box.active ? <Tag color="green">在售</Tag> : <Tag color="orange">未开售</Tag>),
          },
          {
            title: '操作',
            render: (_: unknown, box) => (
              <Space>
                {box.saleMode === 'WEIGHTED' && <Link to={`/catalog/${box.slug}`}>编辑</Link>}
                <Link to={`/catalog/${box.slug}/stock`}>库存</Link>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
