import { ConfigError, loadConfig } from './config';

const valid = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/',
  SESSION_SECRET: 'a-session-secret-of-at-least-32-chars',
  WECHATPAY_CREDENTIALS_DIR: '/tmp/creds',
  WECHATPAY_NOTIFY_URL: 'https://shop.example.com/api/payments/wechat/notify',
};

test('defaults fill everything optional', () => {
  const config = loadConfig(valid);
  expect(config.PORT).toBe(3000);
  expect(config.ORDER_EXPIRY_MINUTES).toBe(15);
  expect(config.WECHATPAY_BASE_URL).toBe('https://api.mch.weixin.qq.com');
  expect(config.RECONCILE_INTERVAL_SECONDS).toBe(30);
  expect(config.JOBS).toBe('inline');
});

test('every bad or missing variable is listed at once, by name', () => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'eighty', SESSION_SECRET: 'short', MONGODB_URI: 'http://nope', ORDER_EXPIRY_MINUTES: '0' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  for (const name of ['PORT="eighty"', 'SESSION_SECRET="short"', 'MONGODB_URI="http://nope"', 'ORDER_EXPIRY_MINUTES="0"', 'WECHATPAY_CREDENTIALS_DIR is required', 'WECHATPAY_NOTIFY_URL is required']) {
    expect(message).toContain(name);
  }
  expect((error as ConfigError).problems).toHaveLength(6);
});

test('development-only settings are refused in production', () => {
  expect(() => loadConfig({ ...valid, NODE_ENV: 'production', SIMULATOR_PUBLIC_URL: 'http://127.0.0.1:9090' })).toThrow(/production/);
});

test('an order window too short to ever be paid is refused at start, with the reason', () => {
  expect(() => loadConfig({ ...valid, ORDER_EXPIRY_MINUTES: '1' })).toThrow(/ORDER_EXPIRY_MINUTES="1": must be at least 2: WeChat Pay needs time_expire a minute ahead/);
  expect(loadConfig({ ...valid, ORDER_EXPIRY_MINUTES: '2' }).ORDER_EXPIRY_MINUTES).toBe(2);
});

test('forwarded addresses are not trusted unless a proxy hop count is configured', () => {
  expect(loadConfig(valid).TRUSTED_PROXY_HOPS).toBe(0);
  expect(loadConfig({ ...valid, TRUSTED_PROXY_HOPS: '2' }).TRUSTED_PROXY_HOPS).toBe(2);
  expect(() => loadConfig({ ...valid, TRUSTED_PROXY_HOPS: '-1' })).toThrow(/TRUSTED_PROXY_HOPS/);
});
