import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Input, Space, Table, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { SHIPPING_CARRIERS, SHIPPING_IMPORT_MAX_ROWS, shippingImportResponseSchema, type ShippingImportResponse } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';

const EXAMPLE = 'order_id,tracking_no,carrier\n6750a1b2c3d4e5f601234567,SF1234567890,SF';

/**
 * Tracking numbers for many orders at once: check first (every row, errors by line), then apply; the server
 * applies all rows or none, so a file with one wrong line changes nothing.
 */
export function ShippingImport() {
  const client = useQueryClient();
  const { message } = App.useApp();
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<{ dryRun: boolean; answer: ShippingImportResponse } | null>(null);
  const run = useMutation({
    mutationFn: (dryRun: boolean) => request('POST', '/shipping/import', shippingImportResponseSchema, { body: { csv, dryRun } }),
    onSuccess: (answer, dryRun) => {
      setResult({ dryRun, answer });
      if (!dryRun && answer.ok) {
        message.success(`已发货 ${answer.applied} 单`);
        void client.invalidateQueries({ queryKey: ['shipping'] });
        void client.invalidateQueries({ queryKey: ['orders'] });
      }
    },
    onError: (error) => message.error(errorMessage(error)),
  });
  const checkedOk = result?.dryRun && result.answer.ok;
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        CSV 首行为表头 <Typography.Text code>order_id,tracking_no,carrier</Typography.Text>，快递公司编码可省略（用默认快递）：
        {SHIPPING_CARRIERS.map((carrier) => `${carrier.code} ${carrier.name}`).join('、')}。每次最多 {SHIPPING_IMPORT_MAX_ROWS} 行；任何一行有误则全部不导入。
      </Typography.Paragraph>
      <Upload
        accept=".csv,text/csv"
        showUploadList={false}
        beforeUpload={(file) => {
          void file.text().then((text) => {
            setCsv(text.replace(/^\uFEFF/, ''));
            setResult(null);
          });
          return false;
        }}
      >
        <Button icon={<UploadOutlined />}>选择 CSV 文件</Button>
      </Upload>
      <Input.TextArea
        rows={8}
        value={csv}
        placeholder={EXAMPLE}
        onChange={(event) => {
          setCsv(event.target.value);
          setResult(null);
        }}
        style={{ fontFamily: 'monospace' }}
        data-testid="import-csv"
      />
      <Space>
        <Button onClick={() => run.mutate(true)} disabled={!csv.trim()} loading={run.isPending && run.variables === true} data-testid="import-check">
          检查
        </Button>
        <Button type="primary" onClick={() => run.mutate(false)} disabled={!checkedOk} loading={run.isPending && run.variables === false} data-testid="import-apply">
          确认导入
        </Button>
      </Space>
      {result && result.answer.ok && (
        <Alert type="success" showIcon message={result.dryRun ? `检查通过：共 ${result.answer.rows} 行，可以导入` : `导入完成：${result.answer.applied} 单已发货`} data-testid="import-ok" />
      )}
      {result && !result.answer.ok && (
        <>
          <Alert type="error" showIcon message={`有 ${result.answer.errors.length} 行有误，未导入任何一行；请改正后重新检查`} />
          <Table
            size="small"
            rowKey={(error) => `${error.row}-${error.message}`}
            pagination={false}
            dataSource={result.answer.errors}
            data-testid="import-errors"
            columns={[
              { title: '行号', dataIndex: 'row', width: 80 },
              { title: '订单号', dataIndex: 'orderId', width: 240, render: (id: string | null) => id ?? '—' },
              { title: '问题', dataIndex: 'message' },
            ]}
          />
        </>
      )}
    </Space>
  );
}
