import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, loadDoorConfig } from './config';

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

test('the order door needs only where the shop is, and says what is wrong with it', () => {
  // No database, no secret, production or not: the door holds neither.
  expect(loadDoorConfig({ NODE_ENV: 'production', DOOR_UPSTREAM_URLS: 'http://127.0.0.1:3001, http://127.0.0.1:3002', PORT: '3010' })).toMatchObject({
    DOOR_UPSTREAM_URLS: ['http://127.0.0.1:3001', 'http://127.0.0.1:3002'],
    DOOR_REMEMBER_MS: 250,
    PORT: 3010,
  });
  expect(() => loadDoorConfig({})).toThrow(/DOOR_UPSTREAM_URLS is required/);
  expect(() => loadDoorConfig({ DOOR_UPSTREAM_URLS: 'https://shop.example.com', DOOR_REMEMBER_MS: '-1' })).toThrow(
    expect.objectContaining({ problems: [expect.stringContaining('DOOR_UPSTREAM_URLS="https://shop.example.com"'), expect.stringContaining('DOOR_REMEMBER_MS="-1"')] }) as Error,
  );
});

function problemsOf(env: Record<string, string>, role?: 'server' | 'worker' | 'admin' | 'seed'): string[] {
  try {
    loadConfig(env, role);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('secrets are required only by the entry points that use them', () => {
  const { MONGODB_URI } = valid;
  expect(problemsOf({ MONGODB_URI }, 'seed')).toEqual([]);
  expect(problemsOf({ MONGODB_URI }, 'admin')).toEqual([
    'WECHATPAY_CREDENTIALS_DIR is required (the admin CLI uses it)',
    'WECHATPAY_NOTIFY_URL is required (the admin CLI uses it)',
  ]);
  const { SESSION_SECRET: _unused, ...withoutSession } = valid;
  expect(problemsOf(withoutSession, 'worker')).toEqual([]);
  expect(problemsOf(withoutSession)).toEqual(['SESSION_SECRET is required (the server uses it)']);
  // An empty value, as `SESSION_SECRET=` in a .env file leaves it, is no value.
  expect(problemsOf({ ...valid, SESSION_SECRET: '' })).toEqual(['SESSION_SECRET is required (the server uses it)']);
  expect(problemsOf({ MONGODB_URI, SESSION_SECRET: '', PORT: '' }, 'seed')).toEqual([]);
});

describe('production', () => {
  const merchantFolder = mkdtempSync(path.join(os.tmpdir(), 'config-merchant-'));
  writeFileSync(path.join(merchantFolder, 'credentials.json'), JSON.stringify({ appid: 'wx0123456789abcdef' }));
  const production = { ...valid, NODE_ENV: 'production', WECHATPAY_CREDENTIALS_DIR: merchantFolder };

  test('WeChat’s own URLs, an HTTPS public notify URL and a merchant folder start', () => {
    expect(problemsOf(production)).toEqual([]);
  });

  test('every dev setting is refused in one message, each with its fix', () => {
    const devFolder = mkdtempSync(path.join(os.tmpdir(), 'config-dev-'));
    writeFileSync(path.join(devFolder, 'credentials.json'), JSON.stringify({ platformPrivateKeyFile: 'platform_key.pem' }));
    writeFileSync(path.join(devFolder, 'pub_key_private.pem'), '');
    const problems = problemsOf({
      ...production,
      SESSION_SECRET: 'short',
      WECHATPAY_NOTIFY_URL: 'http://127.0.0.1:3000/api/payments/wechat/notify',
      WECHATPAY_BASE_URL: 'http://127.0.0.1:9090',
      WECHAT_LOGIN_BASE_URL: 'http://127.0.0.1:9090',
      WECHATPAY_CREDENTIALS_DIR: devFolder,
      H5_DIR: '/tmp/h5',
      SIMULATOR_PUBLIC_URL: 'http://127.0.0.1:9090',
      LOG_PRETTY: 'true',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^SESSION_SECRET="short"/),
      expect.stringMatching(/^WECHATPAY_NOTIFY_URL=\S+ must be https:\/\//),
      expect.stringMatching(/^WECHATPAY_BASE_URL=\S+ is not WeChat Pay .*WECHAT_BASE_URL_OVERRIDE/),
      expect.stringMatching(/^WECHAT_LOGIN_BASE_URL=\S+ is not WeChat's API/),
      expect.stringMatching(/^WECHATPAY_CREDENTIALS_DIR=\S+ holds simulator-only keys \(pub_key_private\.pem, platformPrivateKeyFile\).*docs\/credentials\.md/),
      expect.stringMatching(/^H5_DIR is a development setting/),
      expect.stringMatching(/^SIMULATOR_PUBLIC_URL is a development setting/),
      expect.stringMatching(/^LOG_PRETTY=true is a development setting/),
    ]);
  });

  test('an HTTPS notify URL on a private host is refused too', () => {
    for (const host of ['localhost', '10.0.0.5', '192.168.1.2', '172.20.0.1', '[::1]']) {
      expect(problemsOf({ ...production, WECHATPAY_NOTIFY_URL: `https://${host}/api/payments/wechat/notify` })).toEqual([
        expect.stringMatching(/local or private host that WeChat cannot reach/),
      ]);
    }
  });

  test('another WeChat URL is accepted only when WECHAT_BASE_URL_OVERRIDE names it', () => {
    const proxied = { ...production, WECHATPAY_BASE_URL: 'https://egress.internal:8443', WECHAT_LOGIN_BASE_URL: 'https://egress.internal:8444' };
    expect(problemsOf(proxied)).toHaveLength(2);
    expect(problemsOf({ ...proxied, WECHAT_BASE_URL_OVERRIDE: 'https://egress.internal:8443' })).toHaveLength(1);
    expect(problemsOf({ ...proxied, WECHAT_BASE_URL_OVERRIDE: 'https://egress.internal:8443, https://egress.internal:8444' })).toEqual([]);
    expect(problemsOf({ ...production, WECHATPAY_BASE_URL: 'https://api2.mch.weixin.qq.com', WECHAT_LOGIN_BASE_URL: 'https://sh.api.weixin.qq.com' })).toEqual([]);
  });
});

test('the README configuration table lists every variable config.ts reads, and no other', () => {
  const read = (file: string) => readFileSync(path.join(__dirname, '..', '..', file), 'utf8');
  // The server's schema at two spaces, the order door's own settings (extending it) at four.
  const schemaNames = [...read('server/src/config.ts').matchAll(/^ {2}(?: {2})?([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]);
  const configuration = read('README.md').split('## Configuration')[1]!.split('\n## ')[0]!;
  const tableNames = configuration
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]));
  expect(schemaNames.length).toBeGreaterThan(30);
  expect([...tableNames].sort()).toEqual([...schemaNames].sort());
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

describe('production refusals found by a hurried merchant', () => {
  const merchantFolder = mkdtempSync(path.join(os.tmpdir(), 'config-merchant-'));
  writeFileSync(path.join(merchantFolder, 'credentials.json'), JSON.stringify({ appid: 'wx0123456789abcdef' }));
  const production = { ...valid, NODE_ENV: 'production', WECHATPAY_CREDENTIALS_DIR: merchantFolder, SESSION_SECRET: '3f9c2a7d1e5b8046c2d9a1f7e3b6054d8a2c9e1f7b3d6042' };

  test('a session secret copied from the deploy doc, or with no entropy, is refused with the command that makes one', () => {
    expect(problemsOf(production)).toEqual([]);
    for (const secret of ['<openssl rand -hex 32, the same on every server>', 'a'.repeat(32), 'abcdabcdabcdabcdabcdabcdabcdabcd', 'changeme-changeme-changeme-changeme']) {
      expect(problemsOf({ ...production, SESSION_SECRET: secret })).toEqual([expect.stringMatching(/^SESSION_SECRET .*openssl rand -hex 32/)]);
    }
  });

  test('a notify URL on another path, or with a query, is refused: WeChat would call where nobody answers', () => {
    expect(problemsOf({ ...production, WECHATPAY_NOTIFY_URL: 'https://shop.example.com/notify' })).toEqual([expect.stringMatching(/must end in \/api\/payments\/wechat\/notify/)]);
    expect(problemsOf({ ...production, WECHATPAY_NOTIFY_URL: 'https://shop.example.com/api/payments/wechat/notify?x=1' })).toEqual([expect.stringMatching(/no query/)]);
  });

  describe('Alipay is held to what WeChat is', () => {
    const keys = mkdtempSync(path.join(os.tmpdir(), 'config-alipay-'));
    const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const app = pair();
    const alipay = pair();
    const file = (name: string, text: string) => {
      writeFileSync(path.join(keys, name), text);
      return path.join(keys, name);
    };
    const alipayEnv = {
      ...production,
      ALIPAY_APP_ID: '2021000000000001',
      ALIPAY_SELLER_ID: '2088000000000001',
      ALIPAY_APP_PRIVATE_KEY_FILE: file('app_private.pem', app.privateKey),
      ALIPAY_PUBLIC_KEY_FILE: file('alipay_public.pem', alipay.publicKey),
      ALIPAY_NOTIFY_URL: 'https://shop.example.com/api/payments/alipay/notify',
      ALIPAY_RETURN_URL: 'https://shop.example.com/api/payments/alipay/return',
    };

    test('a correct setup starts', () => {
      expect(problemsOf(alipayEnv)).toEqual([]);
    });

    test('http or misplaced callbacks, the simulator gateway, a key file that is no key and the swapped public key are each refused', () => {
      expect(
        problemsOf({
          ...alipayEnv,
          ALIPAY_GATEWAY_URL: 'http://127.0.0.1:9090/alipay/gateway.do',
          ALIPAY_NOTIFY_URL: 'http://shop.example.com/api/payments/alipay/notify',
          ALIPAY_RETURN_URL: 'https://shop.example.com/return',
          ALIPAY_APP_PRIVATE_KEY_FILE: file('not-a-key.pem', 'not a key'),
        }),
      ).toEqual([
        expect.stringMatching(/^ALIPAY_GATEWAY_URL=\S+ is not Alipay's gateway/),
        expect.stringMatching(/^ALIPAY_NOTIFY_URL=\S+ must be https:\/\//),
        expect.stringMatching(/^ALIPAY_RETURN_URL=\S+ must end in \/api\/payments\/alipay\/return/),
        expect.stringMatching(/^ALIPAY_APP_PRIVATE_KEY_FILE=\S+ is not a readable RSA private key/),
      ]);
      expect(problemsOf({ ...alipayEnv, ALIPAY_PUBLIC_KEY_FILE: file('app_public.pem', app.publicKey) })).toEqual([
        expect.stringMatching(/holds the app's own public key \(应用公钥\), not Alipay's \(支付宝公钥\)/),
      ]);
    });
  });

  test('development credentials on an address other machines reach are refused in any mode', () => {
    const devFolder = mkdtempSync(path.join(os.tmpdir(), 'config-dev-'));
    writeFileSync(path.join(devFolder, 'platform_key.pem'), '');
    const dev = { ...valid, WECHATPAY_CREDENTIALS_DIR: devFolder };
    expect(problemsOf(dev)).toEqual([]);
    expect(problemsOf({ ...dev, HOST: '0.0.0.0' })).toEqual([expect.stringMatching(/^HOST=0\.0\.0\.0 lets other machines reach a server running on development credentials/)]);
    expect(problemsOf({ ...dev, HOST: '0.0.0.0' }, 'worker')).toEqual([]);
  });
});
