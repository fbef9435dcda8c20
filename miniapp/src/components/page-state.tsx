import { Button, Text, View } from '@tarojs/components';

export function Loading({ text = '加载中…' }: { text?: string }) {
  return (
    <View className="state state--loading" data-testid="state-loading">
      <Text>{text}</Text>
    </View>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <View className="state state--error" data-testid="state-error">
      <Text className="state__message">{message}</Text>
      {onRetry && (
        <Button className="btn btn--ghost" size="mini" onClick={onRetry}>
          重试
        </Button>
      )}
    </View>
  );
}

export function Empty({ text }: { text: string }) {
  return (
    <View className="state state--empty" data-testid="state-empty">
      <Text>{text}</Text>
    </View>
  );
}
