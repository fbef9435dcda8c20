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

test('Alipay is optional, but once ALIPAY_APP_ID is set every other Alipay setting is required', () => {
  expect(loadConfig(valid).ALIPAY_APP_ID).toBeUndefined();
  let error: unknown;
  try {
    loadConfig({ ...valid, ALIPAY_APP_ID: '2021000122671080', ALIPAY_SELLER_ID: '2088102177846880' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    'ALIPAY_APP_PRIVATE_KEY_FILE is required when ALIPAY_APP_ID is set',
    'ALIPAY_PUBLIC_KEY_FILE is required when ALIPAY_APP_ID is set',
    'ALIPAY_NOTIFY_URL is required when ALIPAY_APP_ID is set',
    'ALIPAY_RETURN_URL is required when ALIPAY_APP_ID is set',
  ]);
  const alipay = loadConfig({
    ...valid,
    ALIPAY_APP_ID: '2021000122671080',
    ALIPAY_SELLER_ID: '2088102177846880',
    ALIPAY_APP_PRIVATE_KEY_FILE: '/etc/shop/alipay/app_private_key.pem',
    ALIPAY_PUBLIC_KEY_FILE: '/etc/shop/alipay/alipay_public_key.pem',
    ALIPAY_NOTIFY_URL: 'https://shop.example.com/api/payments/alipay/notify',
    ALIPAY_RETURN_URL: 'https://shop.example.com/api/payments/alipay/return',
  });
  expect(alipay.ALIPAY_GATEWAY_URL).toBe('https://openapi.alipay.com/gateway.do');
  expect(() => loadConfig({ ...valid, ALIPAY_APP_ID: '2021000122671080', ALIPAY_SELLER_ID: '12345' })).toThrow(/ALIPAY_SELLER_ID/);
});
