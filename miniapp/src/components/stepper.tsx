import { Text, View } from '@tarojs/components';

/** − value +, each a 96px square with a real glyph; a disabled end is greyed and ignores taps. */
export function Stepper({ value, min, max, onChange }: { value: number; min: number; max: number; onChange: (next: number) => void }) {
  const button = (delta: -1 | 1, glyph: string, label: string, testId: string) => {
    const disabled = delta < 0 ? value <= min : value >= max;
    return (
      <View
        className={`stepper__button${disabled ? ' stepper__button--disabled' : ''}`}
        data-testid={testId}
        data-disabled={disabled}
        role="button"
        aria-label={label}
        aria-disabled={disabled}
        onClick={() => !disabled && onChange(value + delta)}
      >
        <Text>{glyph}</Text>
      </View>
    );
  };
  return (
    <View className="stepper">
      {button(-1, '−', '减少数量', 'quantity-minus')}
      <Text className="stepper__value" data-testid="quantity" aria-live="polite">
        {value}
      </Text>
      {button(1, '+', '增加数量', 'quantity-plus')}
    </View>
  );
}
