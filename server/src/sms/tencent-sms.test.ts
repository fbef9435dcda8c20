import { startSimulator, type RunningSimulator } from '../../simulator/src/simulator';
import { ensureDevSmsCredentials, type DevSmsCredentials } from '../../dev/tencent-sms-credentials';
import { testEnv } from '../../test/support/test-env';
import { simulatorControl } from '../../test/support/shop';
import { SmsSendError } from './sms-sender';
import { tc3Authorization, tencentSms, type TencentSmsOptions } from './tencent-sms';

/** The adapter against the simulator, which checks every request's TC3-HMAC-SHA256 signature as Tencent Cloud does. */
let simulator: RunningSimulator;
let keys: DevSmsCredentials;
let endpoint: string;

beforeAll(async () => {
  const { credentialsDir, smsCredentialsDir } = testEnv();
  simulator = await startSimulator({ credentialsDir, smsCredentialsDir, port: 0 });
  keys = await ensureDevSmsCredentials(smsCredentialsDir);
  endpoint = `${simulator.url}/tencent-sms/`;
});
afterAll(() => simulator.stop());
afterEach(() => simulatorControl(simulator.url, 'DELETE', '/sim/sms/faults'));

const adapter = (overrides: Partial<TencentSmsOptions> = {}) =>
  tencentSms({ ...keys, region: 'ap-guangzhou', endpoint, timeoutMs: 2_000, ...overrides });
const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error instanceof SmsSendError ? { reason: error.reason, providerCode: error.providerCode } : error));
const messagesTo = async (phone: string) => ((await simulatorControl(simulator.url, 'GET', `/sim/sms?phone=${phone}`)) as { messages: { code: string; text: string }[] }).messages;

it('sends with a signature the simulator accepts: the code and the minutes fill the template under the sign name', async () => {
  await adapter().sendCode({ phone: '13912340001', code: '042917', ttlMinutes: 5 });
  const [message] = await messagesTo('13912340001');
  expect(message).toMatchObject({ code: '042917', text: `【${keys.signName}】您的验证码为：042917，5分钟内有效，请勿泄露于他人！` });
});

it('is refused AuthFailure.SignatureFailure when signed with another SecretKey: MISCONFIGURED, nothing sent', async () => {
  expect(await failureOf(adapter({ secretKey: `${keys.secretKey}x` }).sendCode({ phone: '13912340002', code: '111111', ttlMinutes: 5 }))).toEqual({ reason: 'MISCONFIGURED', providerCode: 'AuthFailure.SignatureFailure' });
  expect(await messagesTo('13912340002')).toHaveLength(0);
});

it('is refused for another SecretId, a clock five minutes off, another sign name or template', async () => {
  const send = (overrides: Partial<TencentSmsOptions>) => failureOf(adapter(overrides).sendCode({ phone: '13912340003', code: '222222', ttlMinutes: 5 }));
  expect(await send({ secretId: 'AKIDnotthemerchantsnotthemerchants00' })).toEqual({ reason: 'MISCONFIGURED', providerCode: 'AuthFailure.SecretIdNotFound' });
  expect(await send({ now: () => new Date(Date.now() - 6 * 60_000) })).toEqual({ reason: 'MISCONFIGURED', providerCode: 'AuthFailure.SignatureExpire' });
  expect(await send({ signName: '别家商店' })).toEqual({ reason: 'MISCONFIGURED', providerCode: 'FailedOperation.SignatureIncorrectOrUnapproved' });
  expect(await send({ templateId: '1' })).toEqual({ reason: 'MISCONFIGURED', providerCode: 'FailedOperation.TemplateIncorrectOrUnapproved' });
  expect(await messagesTo('13912340003')).toHaveLength(0);
});

it('a body changed after signing fails the signature', async () => {
  const url = new URL(endpoint);
  const signed = JSON.stringify({ PhoneNumberSet: ['+8613912340004'], SmsSdkAppId: keys.sdkAppId, SignName: keys.signName, TemplateId: keys.templateId, TemplateParamSet: ['333333', '5'] });
  const timestamp = Math.floor(Date.now() / 1000);
  const authorization = tc3Authorization({ secretId: keys.secretId, secretKey: keys.secretKey, host: url.host, path: url.pathname, payload: signed, timestamp });
  const post = (body: string) =>
    fetch(url, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json; charset=utf-8', 'X-TC-Action': 'SendSms', 'X-TC-Version': '2021-01-11', 'X-TC-Timestamp': String(timestamp), 'X-TC-Region': 'ap-guangzhou' },
      body,
    }).then((response) => response.json() as Promise<{ Response: { Error?: { Code: string } } }>);
  expect((await post(signed.replace('+8613912340004', '+8613912349999'))).Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
  expect((await post(signed)).Response.Error).toBeUndefined();
});

it('maps the provider’s refusals: per-number limits, an exhausted package, a failing service, no answer in time', async () => {
  const send = () => failureOf(adapter({ timeoutMs: 500 }).sendCode({ phone: '13912340005', code: '444444', ttlMinutes: 5 }));
  await simulatorControl(simulator.url, 'POST', '/sim/sms/faults', { refuse: { code: 'LimitExceeded.PhoneNumberOneHourLimit', count: 1 } });
  expect(await send()).toEqual({ reason: 'RECIPIENT_LIMITED', providerCode: 'LimitExceeded.PhoneNumberOneHourLimit' });
  await simulatorControl(simulator.url, 'POST', '/sim/sms/faults', { refuse: { code: 'InternalError.Timeout', count: 1 } });
  expect(await send()).toEqual({ reason: 'UNAVAILABLE', providerCode: 'InternalError.Timeout' });
  await simulatorControl(simulator.url, 'POST', '/sim/sms/faults', { quotaExceeded: true });
  expect(await send()).toEqual({ reason: 'QUOTA_EXCEEDED', providerCode: 'FailedOperation.InsufficientBalanceInSmsPackage' });
  await simulatorControl(simulator.url, 'POST', '/sim/sms/faults', { quotaExceeded: false, delayMs: 1_500 });
  expect(await send()).toEqual({ reason: 'UNKNOWN', providerCode: null });
  expect(await failureOf(adapter().sendCode({ phone: '1391234', code: '555555', ttlMinutes: 5 }))).toEqual({ reason: 'RECIPIENT_REFUSED', providerCode: 'InvalidParameterValue.IncorrectPhoneNumber' });
});

it('lists the codes on the simulator’s page, for a developer', async () => {
  await adapter().sendCode({ phone: '13912340006', code: '987654', ttlMinutes: 5 });
  const html = await (await fetch(`${simulator.url}/sim/sms/page`)).text();
  expect(html).toContain('短信模拟器');
  expect(html).toMatch(/data-phone="13912340006">987654</);
});
