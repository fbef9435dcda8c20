import type { AgeBracket, Profile } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { describeError } from '../api/api-error';
import { api } from '../api/session';
import { ActionButton } from './action-button';

export const AGE_BRACKETS: Array<{ value: AgeBracket; label: string }> = [
  { value: 'ADULT', label: '18 周岁及以上' },
  { value: 'MINOR_8_17', label: '8–17 周岁' },
  { value: 'UNDER_8', label: '未满 8 周岁' },
];

export const AGE_LABELS = Object.fromEntries(AGE_BRACKETS.map((item) => [item.value, item.label])) as Record<AgeBracket, string>;

/** What choosing a bracket means for buying, said before the shopper commits to it. */
const CONSEQUENCE: Record<AgeBracket, string | null> = {
  ADULT: null,
  MINOR_8_17: '选择后需要监护人同意才能购买，且年龄段不能再更改。',
  UNDER_8: '选择后将无法购买盲盒，且年龄段不能再更改。',
};

/**
 * The age question, asked once as a sheet on the first purchase (the server refuses orders without it).
 * Answers that stop or hold up buying need a second confirmation, since no answer can be changed later.
 */
export function AgeSheet({ onDeclared }: { onDeclared: (profile: Profile) => void }) {
  const [choice, setChoice] = useState<AgeBracket | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function declare(bracket: AgeBracket) {
    setError(null);
    try {
      onDeclared(await api.declareAge({ bracket }));
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  const consequence = choice ? CONSEQUENCE[choice] : null;
  return (
    <View className="sheet" data-testid="age-sheet">
      <View className="sheet__panel">
        <Text className="sheet__title">请选择你的年龄段</Text>
        <Text className="muted">按照盲盒经营的相关规定，盲盒不向未满 8 周岁的儿童销售，8–17 周岁需监护人同意。只需选择一次，选择后不能更改。</Text>
        {confirming && choice && consequence ? (
          <View data-testid="age-second-confirm">
            <Text className="notice">
              你选择了“{AGE_LABELS[choice]}”。{consequence}确定吗？
            </Text>
            <ActionButton testId="age-confirm-final" onTap={() => declare(choice)}>
              确定，不再更改
            </ActionButton>
            <ActionButton testId="age-back" variant="ghost" onTap={() => setConfirming(false)}>
              返回重选
            </ActionButton>
          </View>
        ) : (
          <>
            {AGE_BRACKETS.map((item) => (
              <View
                key={item.value}
                className={`choice${choice === item.value ? ' choice--active' : ''}`}
                data-testid={`age-${item.value}`}
                role="radio"
                aria-checked={choice === item.value}
                onClick={() => setChoice(item.value)}
              >
                <Text>{item.label}</Text>
              </View>
            ))}
            <ActionButton testId="age-confirm" disabled={!choice} onTap={() => (choice && consequence ? setConfirming(true) : choice ? declare(choice) : undefined)}>
              确认
            </ActionButton>
          </>
        )}
        {error && (
          <Text className="error-text" data-testid="age-error">
            {error}
          </Text>
        )}
      </View>
    </View>
  );
}
