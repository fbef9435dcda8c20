import { Button, Text, View } from '@tarojs/components';

/** A small wait inside a page (a total being recalculated); whole pages use a skeleton instead. */
export function Loading({ text = '加载中…' }: { text?: string }) {
  return (
    <View className="inline-loading" data-testid="state-loading">
      <View className="spinner" />
      <Text>{text}</Text>
    </View>
  );
}

/**
 * A page waiting for its first answer, drawn in the shape of what will come: a list of cards or one detail.
 * `inline` when it sits inside a page's own layout (below a toolbar), rather than being the whole page.
 */
export function Skeleton({ kind, rows = 3, inline = false }: { kind: 'list' | 'detail'; rows?: number; inline?: boolean }) {
  return (
    <View className={inline ? 'skeleton' : 'page skeleton'} data-testid="state-loading" aria-busy="true">
      {kind === 'detail' && <View className="skeleton__block skeleton__hero" />}
      {Array.from({ length: kind === 'detail' ? 2 : rows }, (_, index) => (
        <View key={index} className={`skeleton__card${kind === 'detail' ? ' skeleton__card--column' : ''}`}>
          {kind === 'list' && <View className="skeleton__block skeleton__cover" />}
          <View className="skeleton__lines">
            <View className="skeleton__block skeleton__line" />
            <View className="skeleton__block skeleton__line skeleton__line--short" />
            <View className="skeleton__block skeleton__line skeleton__line--short" />
          </View>
        </View>
      ))}
    </View>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <View className="state state--error" data-testid="state-error">
      <Text className="state__icon">!</Text>
      <Text className="state__title">出了点问题</Text>
      <Text className="state__message">{message}</Text>
      {onRetry && (
        <Button className="btn btn--primary" data-testid="state-retry" onClick={onRetry}>
          重试
        </Button>
      )}
    </View>
  );
}

export function Empty({ text, action }: { text: string; action?: { label: string; onClick: () => void } }) {
  return (
    <View className="state state--empty" data-testid="state-empty">
      <Text className="state__icon">?</Text>
      <Text className="state__message">{text}</Text>
      {action && (
        <Button className="btn btn--ghost" data-testid="state-empty-action" onClick={action.onClick}>
          {action.label}
        </Button>
      )}
    </View>
  );
}
