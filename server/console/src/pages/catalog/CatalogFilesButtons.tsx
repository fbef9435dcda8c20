import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Modal, Space, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { CATALOG_ZIP_MAX_BYTES, consoleCatalogImportSchema, type ConsoleBoxPlan, type ConsoleCatalogImport } from '@blindbox/shared';
import { apiUrl, errorMessage, uploadFile } from '../../api/client';
import { useCan } from '../../api/session';
import { VersionDiff } from './VersionDiff';

const ACTION_TAGS: Record<ConsoleBoxPlan['action'], (plan: ConsoleBoxPlan) => { color: string; text: string }> = {
  create: () => ({ color: 'green', text: '新建并上架' }),
  update: () => ({ color: 'blue', text: '更新' }),
  'new-version': (plan) => ({ color: 'orange', text: `发布概率版本 v${plan.after.version}` }),
  unchanged: () => ({ color: 'default', text: '无改动' }),
};

/**
 * 导出 / 导入系列文件: the zip `box export` writes for every series, and the import of one through the same
 * importer as `box import`. The zip is planned first and its plan shown; 确认导入 sends it again to be applied,
 * confirming the odds versions the plan showed (the server refuses any other).
 */
export function CatalogFilesButtons() {
  const can = useCan();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [plan, setPlan] = useState<ConsoleCatalogImport | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  const planned = useMutation({
    mutationFn: (zip: File) => uploadFile('/catalog/import', zip, consoleCatalogImportSchema),
    onSuccess: setPlan,
    onError: (error) => setRefusal(errorMessage(error)),
  });
  const applied = useMutation({
    mutationFn: ({ zip, confirm }: { zip: File; confirm: string }) => uploadFile('/catalog/import', zip, consoleCatalogImportSchema, { apply: true, confirm }),
    onSuccess: (result) => {
      const changed = result.boxes.filter((box) => box.action !== 'unchanged').length;
      message.success(`已导入：${changed} 个系列有改动`);
      for (const warning of result.boxes.flatMap((box) => box.warnings)) message.warning(warning, 8);
      void queryClient.invalidateQueries({ queryKey: ['catalog'] });
      close();
    },
    onError: (error) => setRefusal(errorMessage(error)),
  });

  function close() {
    setFile(null);
    setPlan(null);
    setRefusal(null);
  }

  const changes = plan?.boxes.filter((box) => box.action !== 'unchanged').length ?? 0;
  return (
    <Space>
      <Button icon={<DownloadOutlined />} href={apiUrl('/catalog/export')} download data-testid="catalog-export">
        导出系列文件
      </Button>
      {can('catalog.manage') && (
        <Upload
          accept=".zip,application/zip"
          showUploadList={false}
          beforeUpload={(zip) => {
            setRefusal(null);
            setPlan(null);
            setFile(zip);
            if (zip.size > CATALOG_ZIP_MAX_BYTES) setRefusal(`压缩包超过 ${CATALOG_ZIP_MAX_BYTES / 1024 / 1024} MB`);
            else planned.mutate(zip);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={planned.isPending} data-testid="catalog-import">
            导入系列文件
          </Button>
        </Upload>
      )}
      <Modal
        open={file !== null && (plan !== null || refusal !== null)}
        title={`导入 ${file?.name ?? ''}`}
        okText="确认导入"
        cancelText="取消"
        okButtonProps={{ disabled: plan === null || changes === 0, danger: plan?.confirm !== '' }}
        confirmLoading={applied.isPending}
        onOk={() => file && plan && applied.mutate({ zip: file, confirm: plan.confirm })}
        onCancel={close}
        width={720}
        data-testid="catalog-import-plan"
      >
        {refusal && <Alert type="error" showIcon style={{ marginBottom: 12, whiteSpace: 'pre-wrap' }} message={refusal} />}
        {plan && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Alert
              type={plan.confirm ? 'warning' : 'info'}
              showIcon
              message={
                changes === 0
                  ? '文件与当前系列一致，没有需要导入的改动。'
                  : plan.confirm
                    ? '以下在售系列的款式、权重或商品价值有改动，将作为新的概率版本发布，并使用新的抽取种子承诺；已下单的订单仍按原版本抽取。'
                    : `共 ${changes} 个系列有改动，确认后写入。`
              }
            />
            <Table
              size="small"
              rowKey="slug"
              pagination={false}
              dataSource={plan.boxes}
              columns={[
                {
                  title: '系列',
                  render: (_: unknown, box: ConsoleBoxPlan) => (
                    <Space size={4}>
                      {String(box.after.name ?? '')}
                      <Typography.Text type="secondary">{box.slug}</Typography.Text>
                    </Space>
                  ),
                },
                { title: '导入后', render: (_: unknown, box: ConsoleBoxPlan) => <Tag color={ACTION_TAGS[box.action](box).color}>{ACTION_TAGS[box.action](box).text}</Tag> },
                { title: '提醒', dataIndex: 'warnings', render: (warnings: string[]) => warnings.join('；') },
              ]}
              expandable={{ rowExpandable: (box) => box.action === 'new-version', expandedRowRender: (box) => <VersionDiff plan={box} />, defaultExpandAllRows: true }}
            />
          </Space>
        )}
      </Modal>
    </Space>
  );
}
