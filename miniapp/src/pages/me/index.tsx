import type { Address, Profile } from '@blindbox/shared';
import { Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ActionButton } from '../../components/action-button';
import { AGE_LABELS, AgeSheet } from '../../components/age-sheet';
import { ErrorState, Skeleton } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { routes } from '../../lib/routes';
import { useResource } from '../../lib/use-resource';
import { AddressLines } from '../../components/address-lines';
import { PhoneAccount } from '../../components/phone-account';

async function loadMe(): Promise<{ profile: Profile; addresses: Address[] }> {
  const [profile, addresses] = await Promise.all([api.getProfile(), api.listAddresses()]);
  return { profile, addresses: addresses.items };
}

/** 我的: the account's phone number (bind in WeChat, sign in or out on the web), the declared age, saved addresses, the privacy policy, and the client seed under 高级设置. */
export default function MePage() {
  const me = useResource(loadMe);
  const [asking, setAsking] = useState(false);
  const [advanced, setAdvanced] = useState(false);
  const [seed, setSeed] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  // Coming back after a first order may find the age declared and an address saved.
  useDidShow(() => {
    if (me.data) void me.reload();
  });

  if (me.error) return <ErrorState message={me.error} onRetry={() => void me.reload()} />;
  if (!me.data) return <Skeleton kind="detail" />;
  const { profile, addresses } = me.data;

  async function saveSeed(next: string) {
    setMessage(null);
    try {
      await api.setClientSeed(next);
      setSeed(null);
      setMessage('客户端种子已更新，之后的新订单使用它');
      await me.reload();
    } catch (failure) {
      setMessage(describeError(failure));
    }
  }

  return (
    <View className="page" data-testid="me-page">
      {asking && (
        <AgeSheet
          onTab
          onDeclared={() => {
            setAsking(false);
            void me.reload();
          }}
        />
      )}
      <PhoneAccount phone={profile.phone} />
      <View className="card">
        <Text className="section-title">年龄段</Text>
        {profile.ageBracket ? (
          <Text data-testid="profile-age" data-bracket={profile.ageBracket}>
            {AGE_LABELS[profile.ageBracket]}（{profile.ageDeclaredAt ? `${formatDateTime(profile.ageDeclaredAt)} 声明` : '已声明'}，不可更改）
          </Text>
        ) : (
          <>
            <Text className="muted">第一次购买时会请你选择，也可以现在选择。</Text>
            <ActionButton variant="ghost" testId="me-declare-age" onTap={() => setAsking(true)}>
              选择年龄段
            </ActionButton>
          </>
        )}
        {profile.ageBracket === 'UNDER_8' && <Text className="error-text">根据规定，未满 8 周岁不能购买盲盒。</Text>}
        {profile.ageBracket === 'MINOR_8_17' && (
          <View className="stack" data-testid="profile-guardian">
            {profile.guardianConsentAt ? (
              <Text className="muted">监护人已于 {formatDateTime(profile.guardianConsentAt)} 同意</Text>
            ) : (
              <Text className="notice" data-testid="guardian-needed">
                8–17 周岁购买盲盒需要监护人本人确认同意，确认后才能下单。
              </Text>
            )}
            <ActionButton variant="ghost" testId="profile-guardian-link" onTap={() => Taro.navigateTo({ url: routes.guardian() })}>
              {profile.guardianConsentAt ? '查看或撤回监护人同意' : '请监护人填写“监护人同意”'}
            </ActionButton>
          </View>
        )}
      </View>

      <View className="card" data-testid="me-addresses">
        <Text className="section-title">收货地址</Text>
        {addresses.length === 0 ? (
          <Text className="muted">还没有收货地址，下单时填写一次即可保存。</Text>
        ) : (
          addresses.map((address) => (
            <View key={address.id} className="choice" data-testid="me-address">
              <AddressLines address={address} />
            </View>
          ))
        )}
      </View>

      <View className="card">
        <Text className="row-link" data-testid="me-privacy" onClick={() => void Taro.navigateTo({ url: routes.privacy() })}>
          隐私政策 →
        </Text>
        <Text className="row-link" data-testid="me-advanced" onClick={() => setAdvanced((open) => !open)}>
          高级设置 {advanced ? '▲' : '▼'}
        </Text>
        {advanced && (
          <View className="stack" data-testid="me-seed">
            <Text className="section-title">客户端种子</Text>
            <Text className="muted">你自己的一段随机文字，和商店的种子一起决定每一抽，让你能事后验证结果没有被操纵；不懂可以不改。</Text>
            <Input className="form-row__input" data-testid="client-seed-input" value={seed ?? profile.clientSeed} maxlength={64} onInput={(event) => setSeed(event.detail.value)} />
            <ActionButton variant="ghost" testId="client-seed-save" disabled={!seed} onTap={() => (seed ? saveSeed(seed) : undefined)}>
              保存种子
            </ActionButton>
          </View>
        )}
      </View>
      {message && (
        <Text className="notice" data-testid="profile-message">
          {message}
        </Text>
      )}
    </View>
  );
}
