/** CLI: `tsx server/simulator/src/main.ts`; configured through SIM_* environment variables. */
import path from 'node:path';
import pino from 'pino';
import { ensureDevCredentials } from '../../dev/credentials';
import { ensureDevAlipayCredentials } from '../../dev/alipay-credentials';
import type { SigningMode } from './model';
import { startSimulator } from './simulator';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const env = process.env;
  const signingMode = env.SIM_SIGNING_MODE;
  if (signingMode !== undefined && signingMode !== 'platform-certificate' && signingMode !== 'public-key') {
    throw new Error(`SIM_SIGNING_MODE must be platform-certificate or public-key, got ${signingMode}`);
  }
  const timeScale = Number(env.SIM_TIME_SCALE ?? '1');
  const port = Number(env.SIM_PORT ?? '9090');
  const credentialsDir = path.resolve(repoRoot, env.SIM_CREDENTIALS_DIR ?? '.data/wechatpay-dev');
  const alipayCredentialsDir = path.resolve(repoRoot, env.SIM_ALIPAY_CREDENTIALS_DIR ?? '.data/alipay-dev');
  const smsCredentialsDir = path.resolve(repoRoot, env.SIM_SMS_CREDENTIALS_DIR ?? '.data/tencent-sms-dev');
  const stateFile = path.resolve(repoRoot, env.SIM_STATE_FILE ?? '.data/simulator/state.json');
  const logger = pino({ name: 'wechatpay-simulator', level: env.LOG_LEVEL ?? 'info' });

  await ensureDevCredentials(credentialsDir);
  await ensureDevAlipayCredentials(alipayCredentialsDir);
  const simulator = await startSimulator({
    credentialsDir,
    port,
    host: env.SIM_HOST,
    stateFile,
    timeScale,
    signingMode: signingMode as SigningMode | undefined,
    logger,
    alipayCredentialsDir,
    smsCredentialsDir,
  });
  console.log(`WeChat Pay + Alipay + Tencent SMS simulator: ${simulator.url}  (credentials ${credentialsDir}, ${alipayCredentialsDir} and ${smsCredentialsDir}, state ${stateFile}); SMS codes: ${simulator.url}/sim/sms/page`);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping simulator');
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'simulator did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
