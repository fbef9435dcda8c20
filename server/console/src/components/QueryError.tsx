import { Alert, Button } from 'antd';
import { errorMessage } from '../api/client';

/** A query that failed: the Chinese message and a retry. */
export function QueryError({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <Alert
      type="error"
      showIcon
      message="加载失败"
      description={errorMessage(error)}
      action={retry && <Button onClick={retry}>重试</Button>}
      style={{ marginBottom: 16 }}
      data-testid="query-error"
    />
  );
}
