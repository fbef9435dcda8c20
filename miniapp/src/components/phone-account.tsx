import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../api/api-error';
import { api } from '../api/session';

export interface PhoneAccountProps {
  /** The bound number, masked (138****0000); null when none. */
  phone: string | null;
}

/**
 * 我的 in the mini-program: binds the shopper's number through WeChat's phone-number button, so signing in on the
 * web shop with it reaches this same account (orders, 盒柜, limits). WeChat shows its own consent sheet.
 */
/** The page reloads by itself once the session changes (lib/use-resource.ts). */
export function PhoneAccount({ phone }: PhoneAccountProps) {
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function bind(code: string | undefined) {
    // No code: the shopper declined, or the mini-program lacks the phone-number permission.
    if (!code) return;
    setBusy(true);
    setMessage(null);
    try {
      const bound = await api.bindPhone(code);
      await Taro.showToast({ title: bound.merged ? '已绑定，并合并到该手机号的账号' : '已绑定', icon: 'none' });
    } catch (failure) {
      setMessage(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="card" data-testid="me-phone">
      <Text className="section-title">手机号</Text>
      {phone ? (
        <Text data-testid="me-phone-number">{phone}（在网页商城用它登录，就是这个账号）</Text>
      ) : (
        <>
          <Text className="muted">绑定后，在网页或电脑上用手机号登录，能看到同样的订单和盒柜。</Text>
          <Button className="btn btn--ghost" data-testid="me-bind-phone" openType="getPhoneNumber" disabled={busy} onGetPhoneNumber={(event) => void bind((event.detail as { code?: string }).code)}>
            绑定手机号
          </Button>
        </>
      )}
      {message && (
        <Text className="error-text" data-testid="me-phone-message">
          {message}
        </Text>
      )}
    </View>
  );
}
