import {
  GUARDIAN_RELATIONSHIPS,
  GUARDIAN_RELATIONSHIP_LABELS,
  guardianConsentRequestSchema,
  guardianDeclarationLines,
  type GuardianConsentView,
  type GuardianRelationship,
} from '@blindbox/shared';
import { Button, Input, Switch, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../api/api-error';
import { api } from '../../api/session';
import { ErrorState, Loading } from '../../components/page-state';
import { formatDateTime } from '../../lib/format';
import { useResource } from '../../lib/use-resource';
import '../fair.css';

/**
 * The guardian's own step for a shopper aged 8–17: who they are, how to reach them, and the declaration they confirm.
 * Never part of an order; the server records when, from where and which version of the text, and enforces it on
 * every order. Revocable here at any time.
 */
export default function GuardianConsentPage() {
  const view = useResource(() => api.getGuardianConsent());
  const [name, setName] = useState('');
  const [relationship, setRelationship] = useState<GuardianRelationship | null>(null);
  const [phone, setPhone] = useState('');
  const [declared, setDeclared] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (view.error) return <ErrorState message={view.error} onRetry={() => void view.reload()} />;
  if (!view.data) return <Loading />;
  const data: GuardianConsentView = view.data;
  const consent = data.consent;

  async function run(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    setMessage(null);
    try {
      await action();
      setMessage(done);
      await view.reload();
    } catch (failure) {
      setMessage(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  function give() {
    // The shared schema the server validates with: its Chinese message names the field.
    const parsed = guardianConsentRequestSchema.safeParse({ guardianName: name, relationship, guardianPhone: phone, declarationVersion: data.declarationVersion, limits: data.limits, declared });
    if (!parsed.success) return setMessage(parsed.error.issues[0]?.message ?? '请检查填写内容');
    void run(() => api.giveGuardianConsent(parsed.data), '监护人同意已记录');
  }

  async function revoke() {
    const { confirm } = await Taro.showModal({ title: '撤回监护人同意', content: '撤回后将不能再下单，未付款的订单会被取消。确定撤回吗？' });
    if (confirm) void run(() => api.revokeGuardianConsent(), '已撤回监护人同意');
  }

  return (
    <View className="page" data-testid="guardian-page">
      {consent && (
        <View className="card" data-testid="guardian-consent" data-current={consent.current}>
          <Text className="section-title">当前的监护人同意</Text>
          <Text>
            {consent.guardianName}（{GUARDIAN_RELATIONSHIP_LABELS[consent.relationship]}，{consent.guardianPhone}）于 {formatDateTime(consent.givenAt)} 同意
          </Text>
          {!consent.current && <Text className="error-text">声明或购买限制已更新，需监护人重新确认后才能下单。</Text>}
          <Button className="btn btn--danger" data-testid="guardian-revoke" disabled={busy} onClick={() => void revoke()}>
            撤回同意
          </Button>
        </View>
      )}

      {(!consent || !consent.current) && (
        <View className="card" data-testid="guardian-form">
          <Text className="section-title">请监护人本人填写</Text>
          <Text className="muted">8–17 周岁的用户购买盲盒，须经父母或其他法定监护人同意。请将手机交给监护人，由监护人阅读并确认。</Text>
          <View className="form-row">
            <Text className="form-row__label">监护人姓名</Text>
            <Input className="form-row__input" data-testid="guardian-name" value={name} maxlength={50} placeholder="监护人姓名" onInput={(event) => setName(event.detail.value)} />
          </View>
          <View className="form-row">
            <Text className="form-row__label">与用户关系</Text>
            <View className="guardian-choices">
              {GUARDIAN_RELATIONSHIPS.map((value) => (
                <Button key={value} className={`choice ${relationship === value ? 'choice--active' : ''}`} data-testid={`guardian-relationship-${value}`} onClick={() => setRelationship(value)}>
                  {GUARDIAN_RELATIONSHIP_LABELS[value]}
                </Button>
              ))}
            </View>
          </View>
          <View className="form-row">
            <Text className="form-row__label">手机号</Text>
            <Input className="form-row__input" data-testid="guardian-phone" type="number" value={phone} maxlength={11} placeholder="11 位手机号" onInput={(event) => setPhone(event.detail.value)} />
          </View>
          <Text className="section-title">监护人声明</Text>
          {guardianDeclarationLines(data.limits).map((line, index) => (
            <Text key={line} className="guardian-declaration__line">
              {index + 1}. {line}
            </Text>
          ))}
          <View className="form-row">
            <Text className="guardian-confirm">本人是该用户的法定监护人，已阅读并同意以上声明</Text>
            <Switch checked={declared} onChange={(event) => setDeclared(event.detail.value)} data-testid="guardian-declared" />
          </View>
          <Button className="btn btn--primary" data-testid="guardian-submit" disabled={busy || !declared} onClick={give}>
            监护人确认同意
          </Button>
        </View>
      )}

      {message && (
        <Text className="notice" data-testid="guardian-message">
          {message}
        </Text>
      )}
      <Text className="muted">声明版本 {data.declarationVersion}。本店目前不核验监护人的身份（实名认证）与手机号（短信验证码），由监护人对所填信息负责。</Text>
    </View>
  );
}
