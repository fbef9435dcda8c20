import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import type { Connection } from 'mongoose';
import { countsDatabase, notificationsDatabase, stockDatabase } from '../db/databases';
import { holdModel, stockModel } from '../catalog/stock.model';
import { countedUnitsModel } from '../limits/counted-units.model';
import { parseConfig, type ConfigFor } from '../config';
import { alipayKeyProblems, alipayProblems, credentialsFolderProblems, notifyUrlProblems, wechatOriginProblems, devSettingProblems, notifyProblems, smsProblems } from '../production-rules';
import { phoneBindingModel } from '../users/phone-binding.model';
import { createAlipayChannel } from '../container';
import { ChannelError } from '../payments/payment-channel';
import { connectDatabase, databaseOptionsOf } from '../db/connect';
import { loadWechatPayCredentials, type WechatPayCredentials } from '../payments/wechatpay/credentials';
import { WechatPayApiError, type WechatPayGateway } from '../payments/wechatpay/gateway';
import { complaintNotifyUrlOf } from '../payments/callback-paths';
import { wechatPayGatewayFor } from '../payments/wechatpay/wechatpay-gateway';
import { createWechatLogin } from '../users/wechat-login-http';
import { InvalidLoginCodeError } from '../users/wechat-login';
import { boxModel } from '../catalog/box.model';
import { userModel } from '../users/user.model';
import { addressModel } from '../users/address.model';
import { couponModel } from '../coupons/coupon.model';
import { couponTemplateModel } from '../coupons/coupon-template.model';
import { staffModel } from '../staff/staff.model';
import { staffSessionModel } from '../staff/staff-session.model';
import { orderModel } from '../orders/order.model';
import { aftersalesModel } from '../aftersales/aftersales.model';
import { boxSetModel } from '../sets/set.model';
import { drawLogModel } from '../fairness/draw-log.model';
import { positionHoldModel } from '../sets/position-hold.model';
import { complianceSettingsOf, nonCompliantBoxes } from '../catalog/compliance-checks';
import { checkTradeManagement } from './doctor-trade-management';
import { formatFinding, refusingFindings } from '@blindbox/shared';
import { subscribeGrantModel } from '../notifications/subscribe-grant.model';
import { checkSubscribeTemplates } from '../notifications/subscribe-doctor';

export interface DoctorCheck {
  name: string;
  /** warn: something to act on that does not stop the shop (an advised price rule, say); `ok` stays true. */
  status: 'pass' | 'fail' | 'warn' | 'skip';
  /** What was found (the error, or why the check was skipped). */
  detail?: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** The WeChat DevTools project file whose appid the mini-program is uploaded with. */
  projectConfigFile: string;
}

const CREDENTIALS_FIX = 'rebuild the folder as docs/credentials.md describes';
/** The models whose schema indexes the app relies on (queries by status, uniqueness of openid, ...). */
/** Every model whose indexes the app relies on, each on the database it lives in (db/databases.ts). */
export function indexedModels(main: Connection) {
  const stock = stockDatabase(main);
  return [boxModel(main), userModel(main), phoneBindingModel(main), addressModel(main), couponModel(main), couponTemplateModel(main), orderModel(main), boxSetModel(main), drawLogModel(main), staffModel(main), staffSessionModel(main), aftersalesModel(main), stockModel(stock), holdModel(stock), countedUnitsModel(countsDatabase(main)), positionHoldModel(stock), subscribeGrantModel(notificationsDatabase(main))];
}

/**
 * The pre-flight for a real merchant account: everything that would otherwise fail only at the first payment,
 * the first login or the first outage, checked now and printed with its fix. It changes nothing: no index is
 * created, and the only calls to WeChat are a query for an order that cannot exist, a login with a bogus code and,
 * with subscribe messages configured, the list of templates (its access token is stored as a server's would be).
 */
export async function runDoctor(env: Record<string, string | undefined>, options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => checks.push(check);
  const parsed = parseConfig(env, 'admin');
  if (!parsed.config) {
    add({ name: 'configuration parses', status: 'fail', detail: parsed.problems.join('; '), fix: 'set the variables named (README, Configuration)' });
    return report(checks);
  }
  const config = parsed.config;
  add({ name: 'configuration parses', status: 'pass' });
  if (config.NODE_ENV === 'production') {
    add(ruleCheck('production settings', [...wechatOriginProblems(config), ...devSettingProblems(config), ...notifyProblems(config)], 'change the variables named'));
  }
  add(
    ruleCheck(
      'notify URL is public HTTPS',
      notifyUrlProblems(config.WECHATPAY_NOTIFY_URL),
      'set WECHATPAY_NOTIFY_URL to https://<your domain>/api/payments/wechat/notify behind a TLS proxy (docs/deploy.md)',
      config.WECHATPAY_NOTIFY_URL,
    ),
  );

  const credentials = await checkCredentials(config, add);
  if (credentials) {
    await checkWechatPay(config, credentials, add);
    await checkLogin(config, credentials, add);
    await checkAppid(credentials, options.projectConfigFile, add);
    await checkTradeManagement(config, credentials, add);
  }
  if (credentials) await checkSubscribeTemplates(config, credentials, add);
  if (config.ALIPAY_APP_ID) await checkAlipay(config, add);
  checkSms(config, add);
  await checkDatabase(config, add);
  return report(checks);
}

/**
 * Alipay, when configured: the settings production holds it to, its keys, and one signed query for a trade
 * that cannot exist. Alipay checks our signature with the app public key the merchant uploaded (a wrong pair
 * answers invalid-signature) and answers ACQ.TRADE_NOT_EXIST signed with its key, which we verify.
 */
async function checkAlipay(config: DoctorConfig, add: Add): Promise<void> {
  const keysFix = 'ALIPAY_APP_PRIVATE_KEY_FILE is 应用私钥 (its public half uploaded to the open platform), ALIPAY_PUBLIC_KEY_FILE is 支付宝公钥 as the open platform shows it (docs/credentials.md)';
  if (config.NODE_ENV === 'production') add(ruleCheck('Alipay production settings', alipayProblems(config).filter((problem) => !/KEY_FILE/.test(problem)), 'change the variables named'));
  const keyProblems = alipayKeyProblems(config.ALIPAY_APP_PRIVATE_KEY_FILE, config.ALIPAY_PUBLIC_KEY_FILE);
  add(ruleCheck('Alipay keys parse, and Alipay\'s public key is not the app\'s own', keyProblems, keysFix));
  const name = 'Alipay accepts our signed query, and its answer verifies with 支付宝公钥';
  if (keyProblems.length > 0) {
    add({ name, status: 'skip', detail: 'keys unreadable' });
    return;
  }
  try {
    const [channel] = await createAlipayChannel(config, pino({ level: 'silent' }));
    const trade = await channel!.query(`doctor${randomBytes(8).toString('hex')}`);
    add(trade === null ? { name, status: 'pass' } : { name, status: 'fail', detail: 'a trade that cannot exist was found', fix: 'ALIPAY_APP_ID must be your own app' });
  } catch (error) {
    const code = error instanceof ChannelError ? error.code : '';
    const fix = /invalid-app-id/.test(code)
      ? 'ALIPAY_APP_ID must be the app id of your app on the open platform (开放平台 → 应用详情)'
      : /signature|sign/i.test(`${code} ${message(error)}`)
        ? keysFix
        : `check that this host reaches ${config.ALIPAY_GATEWAY_URL}`;
    add({ name, status: 'fail', detail: message(error), fix });
  }
}

/**
 * SMS (phone sign-in of the H5/PC shop): its production settings when configured. Without it the web shop can sign
 * nobody in, so Alipay and desktop QR pay have no shoppers: a warning, since a mini-program-only shop needs none.
 * No message is sent: every test message would cost the merchant and reach a real phone.
 */
function checkSms(config: DoctorConfig, add: Add): void {
  const name = 'SMS sign-in (Tencent Cloud SMS) settings';
  if (!config.TENCENT_SMS_SECRET_ID) {
    add({ name, status: 'warn', detail: 'not configured: the H5/PC shop cannot sign shoppers in (Alipay and desktop QR pay need it)', fix: 'set TENCENT_SMS_SECRET_ID, _SECRET_KEY, _SDK_APP_ID, _SIGN_NAME and _TEMPLATE_ID (docs/phone-sign-in.md)' });
    return;
  }
  add(ruleCheck(name, config.NODE_ENV === 'production' ? smsProblems(config) : [], 'change the variables named (docs/phone-sign-in.md)', `SdkAppId ${config.TENCENT_SMS_SDK_APP_ID}, sign ${config.TENCENT_SMS_SIGN_NAME}, template ${config.TENCENT_SMS_TEMPLATE_ID}`));
}

/** A check that passes when a rule finds no problem. */
function ruleCheck(name: string, problems: string[], fix: string, passDetail?: string): DoctorCheck {
  return problems.length ? { name, status: 'fail', detail: problems.join('; '), fix } : { name, status: 'pass', detail: passDetail };
}

function report(checks: DoctorCheck[]): DoctorReport {
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

type Add = (check: DoctorCheck) => void;
type DoctorConfig = ConfigFor<'admin'>;

async function checkCredentials(config: DoctorConfig, add: Add): Promise<WechatPayCredentials | null> {
  const name = 'credentials files parse; private key matches the merchant certificate and serial';
  let credentials: WechatPayCredentials;
  try {
    credentials = await loadWechatPayCredentials(config.WECHATPAY_CREDENTIALS_DIR);
  } catch (error) {
    add({ name, status: 'fail', detail: message(error), fix: CREDENTIALS_FIX });
    return null;
  }
  add({ name, status: 'pass', detail: `appid ${credentials.appid}, mchid ${credentials.mchid}, serial ${credentials.merchantSerialNo}` });
  if (config.NODE_ENV === 'production') {
    add(ruleCheck('no simulator keys in the credentials folder', credentialsFolderProblems(config.WECHATPAY_CREDENTIALS_DIR), CREDENTIALS_FIX));
  }
  if (config.WECHATPAY_VERIFY_MODE !== 'platform-certificate' && !credentials.wechatPayPublicKey) {
    add({ name: 'public-key mode has its key', status: 'fail', detail: `WECHATPAY_VERIFY_MODE=${config.WECHATPAY_VERIFY_MODE} but credentials.json names no publicKeyId / publicKeyFile`, fix: CREDENTIALS_FIX });
    return null;
  }
  return credentials;
}

/**
 * One query for an order that cannot exist exercises the whole v3 path: WeChat checks our signature (mchid,
 * serial, key), and we verify its answer — after downloading and decrypting the platform certificates with the
 * APIv3 key, or with the WeChat Pay public key. The expected answer is ORDER_NOT_EXIST.
 */
async function checkWechatPay(config: DoctorConfig, credentials: WechatPayCredentials, add: Add): Promise<void> {
  const signed = 'WeChat Pay accepts our signed requests';
  const answers = {
    'platform-certificate': "APIv3 key decrypts the platform certificates, and they verify WeChat Pay's answers",
    'public-key': "WeChat Pay public key verifies WeChat Pay's answers",
    // Both configured: WeChat signs with one of them; the detail names which one this answer used.
    both: "WeChat Pay's answers verify (platform certificates and public key both configured)",
  }[config.WECHATPAY_VERIFY_MODE];
  const gateway = wechatPayGatewayFor(config, credentials, pino({ level: 'silent' }));
  try {
    await gateway.queryTransaction(`doctor${randomBytes(8).toString('hex')}`);
    add({ name: signed, status: 'pass' });
    add({ name: answers, status: 'pass' });
    add(await complaintUrlCheck(gateway, config));
  } catch (error) {
    const { failed, fix } = diagnoseWechatPay(error, config);
    if (failed === 'signed') {
      add({ name: signed, status: 'fail', detail: message(error), fix });
      add({ name: answers, status: 'skip', detail: 'not reached' });
    } else {
      add({ name: signed, status: 'pass' });
      add({ name: answers, status: 'fail', detail: message(error), fix });
    }
  }
}

/**
 * WeChat Pay posts consumer complaints (消费者投诉) to one registered URL; a shop that never registered it (or moved)
 * hears of complaints only from the list, and WeChat's answer time runs anyway. A warning: the shop still sells.
 */
async function complaintUrlCheck(gateway: WechatPayGateway, config: DoctorConfig): Promise<DoctorCheck> {
  const name = "WeChat Pay's complaint notifications come to this server";
  const wanted = complaintNotifyUrlOf(config.WECHATPAY_NOTIFY_URL);
  const fix = 'npm run admin -- complaints register-url (docs/complaints.md)';
  try {
    const registered = await gateway.complaints.notificationUrl();
    if (registered === wanted) return { name, status: 'pass' };
    return { name, status: 'warn', detail: `registered: ${registered ?? '(none)'}; this server's: ${wanted}`, fix };
  } catch (error) {
    return { name, status: 'warn', detail: message(error), fix };
  }
}

/** Which half of the v3 round trip an error says is broken, and what fixes it. */
function diagnoseWechatPay(error: unknown, config: DoctorConfig): { failed: 'signed' | 'answers'; fix: string } {
  if (!(error instanceof WechatPayApiError) || error.httpStatus === null) {
    return { failed: 'signed', fix: `check that this host reaches ${config.WECHATPAY_BASE_URL} (firewall, DNS, proxy)` };
  }
  switch (error.code) {
    case 'SIGN_ERROR':
    case 'MCH_NOT_EXISTS':
    case 'INVALID_REQUEST':
      return {
        failed: 'signed',
        fix: 'mchid must be yours and merchantSerialNo / the key must be the API certificate currently active in the merchant platform (账户中心 → API安全)',
      };
    case 'CERTIFICATE_DECRYPT_FAILED':
      return { failed: 'answers', fix: 'apiV3Key must be the APIv3 key set in the merchant platform (账户中心 → API安全 → APIv3密钥)' };
    case 'BAD_RESPONSE_SIGNATURE':
      return {
        failed: 'answers',
        fix: 'WECHATPAY_VERIFY_MODE must be the mode your merchant account uses; in public-key mode publicKeyId / publicKeyFile must be the ones shown in the merchant platform (docs/credentials.md)',
      };
    default:
      // Another answer than "no such order": an outage, or (the common case) a public-key-only merchant asking
      // for platform certificates.
      return {
        failed: 'signed',
        fix: error.retryable
          ? 'WeChat Pay reports a temporary failure; run doctor again in a minute'
          : "read WeChat's message above; if your merchant account shows a 微信支付公钥 and no 平台证书, set WECHATPAY_VERIFY_MODE=public-key (docs/credentials.md)",
      };
  }
}

async function checkLogin(config: DoctorConfig, credentials: WechatPayCredentials, add: Add): Promise<void> {
  const name = 'WeChat login accepts the appid and AppSecret';
  const login = createWechatLogin({ baseUrl: config.WECHAT_LOGIN_BASE_URL, appid: credentials.appid, appSecret: credentials.appSecret, timeoutMs: config.WECHATPAY_TIMEOUT_MS });
  try {
    // No real login code is at hand; WeChat (and the simulator) answer this one with 40029 once appid and secret are right.
    await login.code2session('invalid');
    add({ name, status: 'fail', detail: 'a made-up login code was accepted', fix: `WECHAT_LOGIN_BASE_URL=${config.WECHAT_LOGIN_BASE_URL} does not behave like WeChat` });
  } catch (error) {
    // Only a rejected *code* proves WeChat took the appid and secret.
    if (error instanceof InvalidLoginCodeError) add({ name, status: 'pass' });
    else add({ name, status: 'fail', detail: message(error), fix: 'appid and appSecret must be the mini-program\'s (mp.weixin.qq.com → 开发管理 → 开发设置)' });
  }
}

async function checkAppid(credentials: WechatPayCredentials, projectConfigFile: string, add: Add): Promise<void> {
  const name = 'appid equals the mini-program project\'s (project.config.json)';
  let appid: unknown;
  try {
    appid = (JSON.parse(await readFile(projectConfigFile, 'utf8')) as { appid?: unknown }).appid;
  } catch (error) {
    add({ name, status: 'skip', detail: `cannot read ${projectConfigFile} (${message(error)}); run doctor from the repository checkout to compare` });
    return;
  }
  if (appid === credentials.appid) add({ name, status: 'pass' });
  else {
    add({
      name,
      status: 'fail',
      detail: `credentials.json has ${credentials.appid}, ${projectConfigFile} has ${JSON.stringify(appid)}`,
      fix: 'both must be the mini-program\'s AppID, and that AppID must be bound to the mchid (merchant platform → 产品中心 → AppID账号管理); otherwise logins fail as "invalid code"',
    });
  }
}

async function checkDatabase(config: DoctorConfig, add: Add): Promise<void> {
  const name = 'database reachable';
  let db: Connection;
  try {
    db = await connectDatabase({ ...databaseOptionsOf(config, 2), createIndexes: false });
  } catch (error) {
    add({ name, status: 'fail', detail: message(error), fix: 'fix MONGODB_URI or the database (docs/deploy.md)' });
    add({ name: 'indexes present', status: 'skip', detail: 'not reached' });
    return;
  }
  try {
    add({ name, status: 'pass', detail: config.MONGODB_DB });
    const missing: string[] = [];
    for (const model of indexedModels(db)) {
      const { toCreate } = await model.diffIndexes();
      missing.push(...toCreate.map((index) => `${model.collection.collectionName} ${JSON.stringify(index)}`));
    }
    add(ruleCheck('indexes present', missing.map((index) => `missing ${index}`), 'start the server once (it creates missing indexes at start), then run doctor again'));
    add(await complianceCheck(db, config));
  } finally {
    await db.close();
  }
}

/**
 * The boxes on sale that break the blind-box rules (catalog/compliance-checks.ts): fail for what an import would
 * refuse (an item value not published; any finding under COMPLIANCE_STRICT), warn for the advised price rules.
 */
async function complianceCheck(db: Connection, config: DoctorConfig): Promise<DoctorCheck> {
  const name = 'boxes on sale publish item values and meet the price checks';
  const settings = complianceSettingsOf(config);
  const boxes = await nonCompliantBoxes(db, settings);
  if (boxes.length === 0) return { name, status: 'pass' };
  const detail = boxes.map((box) => `${box.slug}: ${box.findings.map(formatFinding).join('；')}`).join('\n    ');
  const refused = boxes.some((box) => refusingFindings(box.findings, settings.strict).length > 0);
  return {
    name,
    status: refused ? 'fail' : 'warn',
    detail,
    fix: 'set each item\'s valueFen (and fix the price or values) in the box\'s catalog file, then admin box import it (docs/compliance.md)',
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function formatDoctor(report: DoctorReport): string {
  const mark = { pass: '✔', fail: '✘', warn: '!', skip: '–' } as const;
  const lines = report.checks.flatMap((check) => [
    `${mark[check.status]} ${check.name}${check.status === 'pass' && check.detail ? ` (${check.detail})` : ''}`,
    ...(check.status !== 'pass' && check.detail ? [`    ${check.detail}`] : []),
    ...(check.fix && (check.status === 'fail' || check.status === 'warn') ? [`    fix: ${check.fix}`] : []),
  ]);
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  lines.push('', report.ok ? 'ready: every check passed' : `${failed} check${failed === 1 ? '' : 's'} failed`);
  return lines.join('\n');
}
