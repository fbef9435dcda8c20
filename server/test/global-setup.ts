import fs from 'node:fs';
import path from 'node:path';
import { startEngine, type EngineHandle } from '../dev/engine';
import { ensureDevCredentials } from '../dev/credentials';
import { ensureDevAlipayCredentials } from '../dev/alipay-credentials';
import { ensureDevSmsCredentials } from '../dev/tencent-sms-credentials';
import { dataDir } from '../dev/paths';

declare global {
  var blindboxTestEngine: EngineHandle | undefined;
}

/**
 * One engine for the whole run (each test file then uses its own database), unless MONGODB_URI points at
 * a server to use instead. Workers inherit the variables set here.
 */
export default async function globalSetup(): Promise<void> {
  const credentialsDir = path.join(dataDir, 'test', 'wechatpay-dev');
  await ensureDevCredentials(credentialsDir);
  process.env.BLINDBOX_TEST_CREDENTIALS_DIR = credentialsDir;
  const alipayCredentialsDir = path.join(dataDir, 'test', 'alipay-dev');
  await ensureDevAlipayCredentials(alipayCredentialsDir);
  process.env.BLINDBOX_TEST_ALIPAY_CREDENTIALS_DIR = alipayCredentialsDir;
  const smsCredentialsDir = path.join(dataDir, 'test', 'tencent-sms-dev');
  await ensureDevSmsCredentials(smsCredentialsDir);
  process.env.BLINDBOX_TEST_SMS_CREDENTIALS_DIR = smsCredentialsDir;
  if (process.env.MONGODB_URI) {
    process.env.BLINDBOX_TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  // Fresh data each run: test databases left by a killed run must not pile up.
  const engineDir = path.join(dataDir, 'test', 'engine');
  const scanAuditFile = path.join(engineDir, 'scan-audit.jsonl');
  fs.rmSync(scanAuditFile, { force: true });
  const engine = await startEngine({ dataDir: engineDir, fresh: true, scanAuditFile, log: (line) => console.log(`\n${line}`) });
  globalThis.blindboxTestEngine = engine;
  process.env.BLINDBOX_TEST_MONGODB_URI = engine.uri;
  // Only an engine started here writes the audit (a reused one was started without it).
  if (!engine.reused) process.env.BLINDBOX_TEST_SCAN_AUDIT = scanAuditFile;
}
