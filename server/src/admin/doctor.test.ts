import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../simulator/src/simulator';
import { createSelfSignedCertificate, type DevCredentials } from '../../dev/credentials';
import { freePort } from '../../dev/free-port';
import { testEnv, uniqueDbName } from '../../test/support/test-env';
import { merchantCredentials } from '../../test/support/merchant-credentials';
import { connectDatabase } from '../db/connect';
import { clearFaults, setFaults } from '../../test/support/job-test-support';
import { devAlipayEnv, ensureDevAlipayCredentials } from '../../dev/alipay-credentials';
import { boxModel } from '../catalog/box.model';
import { indexedModels, formatDoctor, runDoctor, type DoctorReport } from './doctor';
import { devNotifyEnv } from '../../dev/subscribe-templates';

let scratch: string;
let platformSimulator: RunningSimulator;
let publicKeySimulator: RunningSimulator;
let dev: DevCredentials;
let projectConfigFile: string;
const dbName = uniqueDbName('doctor');

beforeAll(async () => {
  const { credentialsDir, mongodbUri } = testEnv();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'blindbox-doctor-'));
  dev = JSON.parse(await readFile(path.join(credentialsDir, 'credentials.json'), 'utf8')) as DevCredentials;
  projectConfigFile = path.join(scratch, 'project.config.json');
  await writeFile(projectConfigFile, JSON.stringify({ appid: dev.appid }));
  platformSimulator = await startSimulator({ credentialsDir, alipayCredentialsDir: testEnv().alipayCredentialsDir, port: 0 });
  publicKeySimulator = await startSimulator({ credentialsDir, port: 0, signingMode: 'public-key' });
  // What a server's first start leaves behind: the schema indexes.
  const db = await connectDatabase({ uri: mongodbUri, dbName, poolSize: 2 });
  await Promise.all(indexedModels(db).map((model) => model.init()));
  await db.close();
});
afterAll(async () => {
  await platformSimulator.stop();
  await publicKeySimulator.stop();
  const db = await connectDatabase({ uri: testEnv().mongodbUri, dbName, poolSize: 1 });
  await db.dropDatabase();
  await db.close();
  await rm(scratch, { recursive: true, force: true });
});

let folders = 0;
/** A merchant's folder built from the dev one, optionally with one thing wrong in it. */
function credentials(edit?: (json: Record<string, unknown>) => void): Promise<string> {
  folders += 1;
  return merchantCredentials(testEnv().credentialsDir, path.join(scratch, `credentials-${folders}`), edit);
}

async function doctor(env: Record<string, string>, options: { simulator?: RunningSimulator; projectConfigFile?: string } = {}): Promise<DoctorReport> {
  const simulator = options.simulator ?? platformSimulator;
  return runDoctor(
    {
      NODE_ENV: 'production',
      MONGODB_URI: testEnv().mongodbUri,
      MONGODB_DB: dbName,
      WECHATPAY_NOTIFY_URL: 'https://shop.example.com/api/payments/wechat/notify',
      WECHATPAY_BASE_URL: simulator.url,
      WECHAT_LOGIN_BASE_URL: simulator.url,
      WECHAT_BASE_URL_OVERRIDE: simulator.url,
      WECHATPAY_TIMEOUT_MS: '3000',
      // The embedded engine is no replica set: production mode is told so on purpose, as a staging box would be.
      MONGODB_ALLOW_STANDALONE: 'true',
      ...env,
    },
    { projectConfigFile: options.projectConfigFile ?? projectConfigFile },
  );
}

const failed = (report: DoctorReport) => report.checks.filter((check) => check.status === 'fail').map((check) => check.name);

test('a merchant folder passes every check against the simulator, in both verify modes', async () => {
  const dir = await credentials();
  const platform = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir });
  expect(failed(platform)).toEqual([]);
  expect(platform.ok).toBe(true);
  expect(platform.checks.map((check) => check.name)).toEqual([
    'configuration parses',
    'production settings',
    'notify URL is public HTTPS',
    'credentials files parse; private key matches the merchant certificate and serial',
    'no simulator keys in the credentials folder',
    'WeChat Pay accepts our signed requests',
    "APIv3 key decrypts the platform certificates, and they verify WeChat Pay's answers",
    "WeChat Pay's complaint notifications come to this server",
    'WeChat login accepts the appid and AppSecret',
    "appid equals the mini-program project's (project.config.json)",
    'message push configured',
    'trade management (is_trade_managed)',
    'shipping messages open the configured page (set_msg_jump_path)',
    'subscribe-message templates exist, are one-time, and have the fields filled',
    'SMS sign-in (Tencent Cloud SMS) settings',
    'database reachable',
    'indexes present',
    'boxes on sale publish item values and meet the price checks',
  ]);
  const named = (name: string) => platform.checks.find((check) => check.name === name);
  expect(formatDoctor(platform)).toContain('ready');
  // No complaint notification URL registered at this simulator yet: a warning with its fix, not a failure.
  expect(named("WeChat Pay's complaint notifications come to this server")).toMatchObject({ status: 'warn', fix: expect.stringContaining('complaints register-url') });
  expect(named('trade management (is_trade_managed)')).toMatchObject({ status: 'pass' });
  // Before the server's first start WeChat was never told the page; a pre-flight says so without failing.
  expect(named('shipping messages open the configured page (set_msg_jump_path)')).toMatchObject({ status: 'warn', detail: 'never applied' });

  const pushInPlain = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, MINIPROGRAM_PUSH_TOKEN: 'pushToken1' });
  expect(failed(pushInPlain)).toEqual(['message push in safe mode']);

  const publicKey = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, WECHATPAY_VERIFY_MODE: 'public-key' }, { simulator: publicKeySimulator });
  expect(failed(publicKey)).toEqual([]);
  expect(publicKey.checks.map((check) => check.name)).toContain("WeChat Pay public key verifies WeChat Pay's answers");
});

test('each injected fault fails its own check, with a fix', async () => {
  const cases: Array<[string, () => Promise<DoctorReport>, string]> = [
    ['a missing variable', async () => doctor({}), 'configuration parses'],
    ['the dev folder with the simulator keys', async () => doctor({ WECHATPAY_CREDENTIALS_DIR: testEnv().credentialsDir }), 'no simulator keys in the credentials folder'],
    ['an http notify URL', async () => doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials(), WECHATPAY_NOTIFY_URL: 'http://shop.example.com/notify' }), 'notify URL is public HTTPS'],
    ['the simulator without an override', async () => doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials(), WECHAT_BASE_URL_OVERRIDE: '' }), 'production settings'],
    [
      'a serial that is not the certificate’s',
      async () => doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials((json) => (json.merchantSerialNo = '1234ABCD')) }),
      'credentials files parse; private key matches the merchant certificate and serial',
    ],
    [
      'a merchant key WeChat does not know',
      async () => {
        const dir = await credentials();
        const stranger = await createSelfSignedCertificate('not the registered merchant');
        await writeFile(path.join(dir, dev.merchantPrivateKeyFile), stranger.privateKeyPem);
        await writeFile(path.join(dir, dev.merchantCertificateFile), stranger.certificatePem);
        const json = JSON.parse(await readFile(path.join(dir, 'credentials.json'), 'utf8')) as Record<string, unknown>;
        await writeFile(path.join(dir, 'credentials.json'), JSON.stringify({ ...json, merchantSerialNo: stranger.serialNo }));
        return doctor({ WECHATPAY_CREDENTIALS_DIR: dir });
      },
      'WeChat Pay accepts our signed requests',
    ],
    [
      'a wrong APIv3 key',
      async () => doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials((json) => (json.apiV3Key = 'x'.repeat(32))) }),
      "APIv3 key decrypts the platform certificates, and they verify WeChat Pay's answers",
    ],
    [
      'a public key that is not WeChat’s',
      async () => {
        const dir = await credentials();
        await writeFile(path.join(dir, dev.publicKeyFile), generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
        return doctor({ WECHATPAY_CREDENTIALS_DIR: dir, WECHATPAY_VERIFY_MODE: 'public-key' }, { simulator: publicKeySimulator });
      },
      "WeChat Pay public key verifies WeChat Pay's answers",
    ],
    [
      'WeChat Pay failing with SYSTEM_ERROR',
      async () => {
        await setFaults(platformSimulator.url, { apiError: { code: 'SYSTEM_ERROR', count: 10 } });
        try {
          return await doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials() });
        } finally {
          await clearFaults(platformSimulator.url);
        }
      },
      'WeChat Pay accepts our signed requests',
    ],
    ['a wrong AppSecret', async () => doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials((json) => (json.appSecret = 'not-the-secret')) }), 'WeChat login accepts the appid and AppSecret'],
    [
      'a project.config.json with another appid',
      async () => {
        const other = path.join(scratch, 'other.project.config.json');
        await writeFile(other, JSON.stringify({ appid: 'touristappid' }));
        return doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials() }, { projectConfigFile: other });
      },
      "appid equals the mini-program project's (project.config.json)",
    ],
    ['an unreachable database', async () => doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials(), MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/` }), 'database reachable'],
    ['a database without the indexes', async () => doctor({ WECHATPAY_CREDENTIALS_DIR: await credentials(), MONGODB_DB: uniqueDbName('doctor_empty') }), 'indexes present'],
  ];
  for (const [fault, run, check] of cases) {
    const report = await run();
    expect({ fault, failed: failed(report) }).toEqual({ fault, failed: [check] });
    expect(report.ok).toBe(false);
    const failure = report.checks.find((entry) => entry.name === check)!;
    expect({ fault, fix: typeof failure.fix }).toEqual({ fault, fix: 'string' });
    expect(formatDoctor(report)).toMatch(/✘[\s\S]*fix: [\s\S]*1 check failed$/);
  }
}, 120_000);

test('Alipay, when configured, is checked too: a correct setup passes, the swapped public key and a wrong app id fail with their fix', async () => {
  const dir = testEnv().alipayCredentialsDir;
  const alipay = devAlipayEnv(dir, await ensureDevAlipayCredentials(dir), platformSimulator.url, 'https://shop.example.com');
  const env = { WECHATPAY_CREDENTIALS_DIR: await credentials(), ...alipay };
  const good = await doctor(env);
  expect(failed(good)).toEqual([]);
  expect(good.checks.map((check) => check.name)).toEqual(
    expect.arrayContaining(['Alipay production settings', "Alipay keys parse, and Alipay's public key is not the app's own", 'Alipay accepts our signed query, and its answer verifies with 支付宝公钥']),
  );

  const swapped = await doctor({ ...env, ALIPAY_PUBLIC_KEY_FILE: path.join(dir, 'app_public_key.pem') });
  expect(failed(swapped)).toEqual(["Alipay keys parse, and Alipay's public key is not the app's own"]);
  expect(formatDoctor(swapped)).toMatch(/应用公钥[\s\S]*fix: ALIPAY_APP_PRIVATE_KEY_FILE is 应用私钥/);

  const otherApp = await doctor({ ...env, ALIPAY_APP_ID: '2021000000000999' });
  expect(failed(otherApp)).toEqual(['Alipay accepts our signed query, and its answer verifies with 支付宝公钥']);
  expect(formatDoctor(otherApp)).toMatch(/fix: ALIPAY_APP_ID must be the app id/);
}, 60_000);
test('SMS sign-in: a warning when it is off (the web shop signs nobody in), production rules when it is on', async () => {
  const dir = await credentials();
  const name = 'SMS sign-in (Tencent Cloud SMS) settings';
  const checkOf = (report: DoctorReport) => report.checks.find((check) => check.name === name)!;
  expect(checkOf(await doctor({ WECHATPAY_CREDENTIALS_DIR: dir }))).toMatchObject({ status: 'warn', detail: expect.stringContaining('cannot sign shoppers in') });
  const sms = { TENCENT_SMS_SECRET_ID: 'AKIDabcdefghijklmnopqrstuvwxyz012345', TENCENT_SMS_SDK_APP_ID: '1400123456', TENCENT_SMS_SIGN_NAME: '盲盒商店', TENCENT_SMS_TEMPLATE_ID: '1234567' };
  const good = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, ...sms, TENCENT_SMS_SECRET_KEY: 'q8Zr3kV1mN7xT2pL9sW4yB6cH0dF5gJe' });
  expect(checkOf(good)).toMatchObject({ status: 'pass' });
  const placeholder = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, ...sms, TENCENT_SMS_SECRET_KEY: '<your SecretKey here>', TENCENT_SMS_ENDPOINT: 'https://sms.example.com/' });
  expect(checkOf(placeholder)).toMatchObject({ status: 'fail' });
  expect(checkOf(placeholder).detail).toContain('TENCENT_SMS_ENDPOINT=https://sms.example.com/ is not Tencent Cloud SMS');
  expect(checkOf(placeholder).detail).toContain('TENCENT_SMS_SECRET_KEY looks like a placeholder');
}, 60_000);

test('doctor lists the boxes on sale that break the blind-box rules: fail for an unpublished item value, warn for an advised price rule', async () => {
  const dir = await credentials();
  const db = await connectDatabase({ uri: testEnv().mongodbUri, dbName, poolSize: 2 });
  const Box = boxModel(db);
  const product = (productId: string, valueFen: number | null) => ({ productId, name: productId, rarity: 'COMMON' as const, imageUrl: '/x.svg', weight: 1, valueFen });
  const name = 'boxes on sale publish item values and meet the price checks';
  const checkOf = (report: DoctorReport) => report.checks.find((check) => check.name === name)!;
  try {
    // ¥999 for ¥5 items: the example; advised rules only, so the shop is still ready.
    await Box.create({ slug: 'doc-pricey', name: 'pricey', coverUrl: '/c.svg', priceFen: 99_900, products: [product('doc-cheap', 500)] });
    const warned = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir });
    expect(checkOf(warned)).toMatchObject({ status: 'warn' });
    expect(checkOf(warned).detail).toContain('doc-pricey: 单盒售价 ¥999.00 超过 ¥200.00');
    expect(checkOf(warned).detail).toContain('上海市盲盒经营活动合规指引');
    expect(warned.ok).toBe(true);
    expect(formatDoctor(warned)).toContain('! boxes on sale');

    const strict = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, COMPLIANCE_STRICT: 'true' });
    expect(checkOf(strict).status).toBe('fail');

    // A box stored before item values were kept: the value is not published, which the national guideline requires.
    await Box.create({ slug: 'doc-legacy', name: 'legacy', coverUrl: '/c.svg', priceFen: 1990, products: [product('doc-old', null)] });
    // A retired (inactive) box is not on sale: not listed.
    await Box.create({ slug: 'doc-retired', name: 'retired', coverUrl: '/c.svg', priceFen: 1990, active: false, products: [product('doc-gone', null)] });
    const failedReport = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir });
    expect(failed(failedReport)).toEqual([name]);
    expect(checkOf(failedReport).detail).toMatch(/^doc-legacy: 1 个款式未填写商品价值（valueFen）：doc-old/);
    expect(checkOf(failedReport).detail).toContain('doc-pricey');
    expect(checkOf(failedReport).detail).not.toContain('doc-retired');
    expect(checkOf(failedReport).fix).toContain('valueFen');
  } finally {
    await Box.deleteMany({ slug: { $in: ['doc-pricey', 'doc-legacy', 'doc-retired'] } });
    await db.close();
  }
});

test('subscribe-message templates are checked against the account: present, one-time, with the keys the fields fill', async () => {
  const dir = await credentials();
  const name = 'subscribe-message templates exist, are one-time, and have the fields filled';
  const { NOTIFY_MINIPROGRAM_STATE: _developer, ...templates } = devNotifyEnv();
  const check = (report: DoctorReport) => report.checks.find((entry) => entry.name === name);

  expect(check(await doctor({ WECHATPAY_CREDENTIALS_DIR: dir }))).toMatchObject({ status: 'skip' });
  expect(check(await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, ...templates }))).toMatchObject({ status: 'pass', detail: 'drop-opening, order-shipped, refund-succeeded, service-update' });

  const deleted = check(await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, ...templates, NOTIFY_TEMPLATE_ORDER_SHIPPED: 'DeletedTemplate_000000000000000000000000' }));
  expect(deleted).toMatchObject({ status: 'fail', detail: expect.stringContaining('NOTIFY_TEMPLATE_ORDER_SHIPPED=DeletedTemplate_000000000000000000000000 is not among'), fix: expect.any(String) });
  const wrongKeys = check(await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, ...templates, NOTIFY_FIELDS_DROP_OPENING: 'boxName=thing7,opensAt=time2' }));
  expect(wrongKeys).toMatchObject({ status: 'fail', detail: expect.stringContaining('has no thing7; set NOTIFY_FIELDS_DROP_OPENING') });

  // Production sends only to the released mini-program.
  const developer = await doctor({ WECHATPAY_CREDENTIALS_DIR: dir, ...templates, NOTIFY_MINIPROGRAM_STATE: 'developer' });
  expect(developer.checks.find((entry) => entry.name === 'production settings')).toMatchObject({ status: 'fail', detail: expect.stringContaining('NOTIFY_MINIPROGRAM_STATE=developer') });
});
