import { useState } from 'react';
import { App, Button, Space, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { consolePictureUploadSchema, PICTURE_FORMATS_TEXT, pictureVariantUrl } from '@blindbox/shared';
import { errorMessage, uploadFile } from '../../api/client';

/** A picture field: uploads the file as it is (the server checks and sizes it) and keeps the URL it is served at. */
export function PictureInput({ value, onChange, disabled, testId, size = 64 }: { value: string | null; onChange: (url: string) => void; disabled?: boolean; testId: string; size?: number }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  return (
    <Space>
      {value ? (
        <img src={pictureVariantUrl(value, 'list')} alt="" width={size} height={size} style={{ objectFit: 'cover', borderRadius: 6, border: '1px solid #eee' }} data-testid={`${testId}-preview`} />
      ) : (
        <div style={{ width: size, height: size, borderRadius: 6, border: '1px dashed #ccc' }} />
      )}
      <Upload
        accept="image/jpeg,image/png,image/webp,image/svg+xml"
        showUploadList={false}
        disabled={disabled}
        beforeUpload={(file) => {
          setBusy(true);
          uploadFile('/pictures', file, consolePictureUploadSchema)
            .then((answer) => onChange(answer.imageUrl))
            .catch((error: unknown) => message.error(errorMessage(error)))
            .finally(() => setBusy(false));
          return false;
        }}
      >
        <Button size="small" icon={<UploadOutlined />} loading={busy} disabled={disabled} title={PICTURE_FORMATS_TEXT} data-testid={testId}>
          {value ? '更换' : '上传'}
        </Button>
      </Upload>
    </Space>
  );
}
