import path from 'node:path';
import { startEngine } from './engine';
import { ensureDevCredentials } from './credentials';
import { devAlipayEnv, ensureDevAlipayCredentials } from './alipay-credentials';
import { devSessionSecret } from './dev-secrets';
import { devSmsEnv, ensureDevSmsCredentials } from './tencent-sms-credentials';
import { dataDir, devAlipayCredentialsDir, devCredentialsDir, devSmsCredentialsDir } from './paths';
import { devNotifyEnv } from './subscribe-templates';

export const demoPorts = { server: process.env.PORT || '3000', simulator: process.env.SIM_PORT || '9090' };
export const demoServerUrl = `http://127.0.0.1:${demoPorts.server}`;
export const demoSimulatorUrl = `http://127.0.0.1:${demoPorts.simulator}`;

/**
 * The demo's server environment: the embedded engine (started, or the running one reused) unless MONGODB_URI is
 * set, the dev credentials (generated on first use) and the simulator's URLs. The demo's server and the admin CLI
 * run against the same one, so an admin change is seen by the running shop.
 */
export async function demoServerEnv(): Promise<{ env: Record<string, string>; engine: { uri: string; reused: boolean } | null }> {
  const engine = process.env.MONGODB_URI ? null : await startEngine({ dataDir: path.join(dataDir, 'engine'), detached: true });
  const mongodbUri = process.env.MONGODB_URI || engine!.uri;
  await ensureDevCredentials(devCredentialsDir);
  const alipayCredentials = await ensureDevAlipayCredentials(devAlipayCredentialsDir);
  const env = {
    NODE_ENV: 'development',
    PORT: demoPorts.server,
    MONGODB_URI: mongodbUri,
    SESSION_SECRET: process.env.SESSION_SECRET || devSessionSecret(),
    WECHATPAY_BASE_URL: demoSimulatorUrl,
    WECHAT_LOGIN_BASE_URL: demoSimulatorUrl,
    WECHATPAY_CREDENTIALS_DIR: devCredentialsDir,
    WECHATPAY_NOTIFY_URL: `${demoServerUrl}/api/payments/wechat/notify`,
    SIMULATOR_PUBLIC_URL: demoSimulatorUrl,
    ...devAlipayEnv(devAlipayCredentialsDir, alipayCredentials, demoSimulatorUrl, demoServerUrl),
    // Phone sign-in of the H5 shop: codes go to the simulator, shown at /sim/sms/page.
    ...devSmsEnv(await ensureDevSmsCredentials(devSmsCredentialsDir), demoSimulatorUrl),
    ...devNotifyEnv(),
    LOG_PRETTY: process.env.LOG_PRETTY || 'true',
  };
  return { env, engine };
}
