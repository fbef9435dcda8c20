import type { AgeBracket, Profile } from '@blindbox/shared';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ErrorState, Loading } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';

const BRACKETS: Array<{ value: AgeBracket; label: string }> = [
  { value: 'UNDER_8', label: '未满 8 周岁' },
  { value: 'MINOR_8_17', label: '8–17 周岁' },
  { value: 'ADULT', label: '18 周岁及以上' },
];

/** Declared once, enforced by the server at every order; and the shopper's own input to their draws. */
export default function ShopperProfilePage() {
  const profile = useResource(() => api.getProfile());
  const [bracket, setBracket] = useState<AgeBracket | null>(null);
  const [seed, setSeed] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  if (profile.error) return <ErrorState message={profile.error} onRetry={() => void profile.reload()} />;
  if (!profile.data) return <Loading />;
  const data: Profile = profile.data;

  async function save(action: () => Promise<Profile>, done: string) {
    setMessage(null);
    try {
      await action();
      setMessage(done);
      await profile.reload();
    } catch (failure) {
      setMessage(describeError(failure));
    }
  }

  return (
    <View className="page" data-testid="profile-page">
      <View className="card">
        <Text className="section-title">年龄声明</Text>
        {data.ageBracket ? (
          <View>
            <Text data-testid="profile-age" data-bracket={data.ageBracket}>
              已声明：{BRACKETS.find((item) => item.value === data.ageBracket)?.label}（{data.ageDeclaredAt ? formatDateTime(data.ageDeclaredAt) : ''}）
            </Text>
            {data.ageBracket === 'MINOR_8_17' && (
              <View data-testid="profile-guardian">
                <Text className={data.guardianConsentAt ? 'muted' : 'error-text'}>
                  {data.guardianConsentAt ? `监护人已于 ${formatDateTime(data.guardianConsentAt)} 同意` : '需监护人本人确认同意后才能购买'}
                </Text>
                <Button className="btn btn--ghost btn--small" data-testid="profile-guardian-link" onClick={() => void Taro.navigateTo({ url: routes.guardian() })}>
                  {data.guardianConsentAt ? '查看或撤回监护人同意' : '请监护人填写“监护人同意”'}
                </Button>
              </View>
            )}
            {data.ageBracket === 'UNDER_8' && <Text className="error-text">根据规定，未满 8 周岁不能购买盲盒。</Text>}
          </View>
        ) : (
          <View>
            <Text className="muted">只能声明一次，之后不可更改。</Text>
            {BRACKETS.map((item) => (
              <Button
                key={item.value}
                className={`choice ${bracket === item.value ? 'choice--active' : ''}`}
                data-testid={`age-${item.value}`}
                onClick={() => setBracket(item.value)}
              >
                {item.label}
              </Button>
            ))}
          </View>
        )}
        {!data.ageBracket && bracket === 'MINOR_8_17' && <Text className="muted">声明后，还需监护人本人在“监护人同意”页确认，才能购买。</Text>}
        {!data.ageBracket && (
          <Button
            className="btn btn--primary"
            data-testid="age-submit"
            disabled={!bracket}
            onClick={() => bracket && void save(() => api.declareAge({ bracket }), '已保存')}
          >
            确认声明
          </Button>
        )}
      </View>

      <View className="card">
        <Text className="section-title">客户端种子</Text>
        <Text className="muted">参与每一抽的计算；新订单使用下单时的种子。</Text>
        <Input
          className="form-row__input"
          data-testid="client-seed-input"
          value={seed ?? data.clientSeed}
          maxlength={64}
          onInput={(event) => setSeed(event.detail.value)}
        />
        <Button className="btn btn--ghost" data-testid="client-seed-save" disabled={!seed} onClick={() => seed && void save(() => api.setClientSeed(seed), '客户端种子已更新')}>
          保存种子
        </Button>
      </View>
      {message && (
        <Text className="notice" data-testid="profile-message">
          {message}
        </Text>
      )}
    </View>
  );
}
