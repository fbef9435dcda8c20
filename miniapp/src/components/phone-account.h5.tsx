import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { api } from '../api/session';
import { routes } from '../lib/routes';
import { ActionButton } from './action-button';
import type { PhoneAccountProps } from './phone-account';

/**
 * 我的 in the H5/PC shop: the number signed in with and 退出登录, or the way to sign in with one. There is no
 * WeChat phone button outside WeChat.
 */
export function PhoneAccount({ phone }: PhoneAccountProps) {
  async function signOut() {
    api.signOut();
    await Taro.showToast({ title: '已退出登录', icon: 'none' });
  }

  return (
    <View className="card" data-testid="me-phone">
      <Text className="section-title">账号</Text>
      {phone ? <Text data-testid="me-phone-number">已用手机号 {phone} 登录</Text> : <Text className="muted">用手机号登录，和小程序里绑定了同一手机号的账号是同一个。</Text>}
      {phone ? (
        <ActionButton variant="ghost" testId="me-sign-out" onTap={signOut}>
          退出登录
        </ActionButton>
      ) : (
        <ActionButton variant="ghost" testId="me-sign-in" onTap={() => Taro.navigateTo({ url: routes.signIn() })}>
          手机号登录
        </ActionButton>
      )}
    </View>
  );
}
