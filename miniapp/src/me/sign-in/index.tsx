import { mainlandPhoneSchema } from '@blindbox/shared';
import { Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { ApiError, describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ActionButton } from '../../components/action-button';
import { openPage, routes } from '../../lib/routes';
import './index.css';

type Field = 'phone' | 'code';
/** Which field an answer of the server is about: limits and sending are the number's, the rest the code's. */
const FIELD_OF: Record<string, Field> = {
  SMS_TOO_SOON: 'phone',
  SMS_SEND_LIMITED: 'phone',
  SMS_UNAVAILABLE: 'phone',
  PHONE_SIGN_IN_OFF: 'phone',
  VALIDATION_ERROR: 'phone',
  INVALID_SMS_CODE: 'code',
};

/**
 * The H5/PC shop's sign-in: a mainland mobile number, a six-digit code by SMS (sent again at most once a minute,
 * the countdown on the button), each error under the field it is about. The same account as the mini-program's
 * when the number is bound there. After signing in the shopper goes back where they came from.
 */
export default function SignInPage() {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [sent, setSent] = useState(false);
  const secondsLeft = Math.max(0, Math.ceil((waitUntil - now) / 1000));

  useEffect(() => {
    if (secondsLeft === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [secondsLeft]);

  function phoneProblem(): string | null {
    if (phone.trim() === '') return '请输入手机号';
    return mainlandPhoneSchema.safeParse(phone).success ? null : '请输入正确的 11 位中国大陆手机号';
  }

  function show(failure: unknown, fallback: Field) {
    const field = failure instanceof ApiError ? (FIELD_OF[failure.code] ?? fallback) : fallback;
    setErrors({ [field]: describeError(failure) });
    if (failure instanceof ApiError && typeof failure.details.retryAfterSeconds === 'number') setWaitUntil(Date.now() + failure.details.retryAfterSeconds * 1000);
  }

  async function sendCode() {
    const problem = phoneProblem();
    if (problem) return setErrors({ phone: problem });
    setErrors({});
    try {
      const { resendAfterSeconds } = await api.requestSmsCode(phone);
      setSent(true);
      setNow(Date.now());
      setWaitUntil(Date.now() + resendAfterSeconds * 1000);
    } catch (failure) {
      show(failure, 'phone');
    }
  }

  async function signIn() {
    const problem = phoneProblem();
    const codeProblem = /^\d{6}$/.test(code) ? null : '请输入短信里的 6 位验证码';
    if (problem || codeProblem) return setErrors({ ...(problem ? { phone: problem } : {}), ...(codeProblem ? { code: codeProblem } : {}) });
    setErrors({});
    try {
      await api.signInWithPhone({ phone, code });
      await Taro.showToast({ title: '登录成功', icon: 'success' });
      if (Taro.getCurrentPages().length > 1) await Taro.navigateBack();
      else await openPage(routes.me());
    } catch (failure) {
      show(failure, 'code');
    }
  }

  return (
    <View className="page" data-testid="sign-in-page">
      <View className="card">
        <Text className="section-title">手机号登录</Text>
        <Text className="muted sign-in__intro">未注册的手机号验证后自动创建账号。在小程序“我的”里绑定过同一手机号，就是同一个账号。</Text>
        <View className="form-row">
          <Text className="form-row__label">手机号</Text>
          <Input className="form-row__input" data-testid="sign-in-phone" type="number" maxlength={11} value={phone} placeholder="11 位手机号" onInput={(event) => setPhone(event.detail.value)} />
        </View>
        {errors.phone && (
          <Text className="form-row__error" data-testid="sign-in-phone-error">
            {errors.phone}
          </Text>
        )}
        <View className="form-row sign-in__code-row">
          <Text className="form-row__label">验证码</Text>
          <Input className="form-row__input" data-testid="sign-in-code" type="number" maxlength={6} value={code} placeholder="6 位验证码" onInput={(event) => setCode(event.detail.value)} />
          <ActionButton variant="ghost" small testId="sign-in-send" disabled={secondsLeft > 0} onTap={sendCode}>
            {secondsLeft > 0 ? `${secondsLeft} 秒后重发` : sent ? '重新获取' : '获取验证码'}
          </ActionButton>
        </View>
        {errors.code && (
          <Text className="form-row__error" data-testid="sign-in-code-error">
            {errors.code}
          </Text>
        )}
        {sent && !errors.phone && !errors.code && <Text className="muted" data-testid="sign-in-sent">验证码已发送，5 分钟内有效</Text>}
        <ActionButton testId="sign-in-submit" onTap={signIn}>
          登录
        </ActionButton>
        <Text className="muted sign-in__agreement" onClick={() => void Taro.navigateTo({ url: routes.privacy() })}>
          登录即表示同意《隐私政策》
        </Text>
      </View>
    </View>
  );
}
