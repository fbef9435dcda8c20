import { randomBytes } from 'node:crypto';

/** Set by the Jest global setup; a test run without it would silently hit the wrong server. */
export function testEnv(): { mongodbUri: string; credentialsDir: string; alipayCredentialsDir: string; smsCredentialsDir: string } {
  const mongodbUri = process.env.BLINDBOX_TEST_MONGODB_URI;
  const credentialsDir = process.env.BLINDBOX_TEST_CREDENTIALS_DIR;
  const alipayCredentialsDir = process.env.BLINDBOX_TEST_ALIPAY_CREDENTIALS_DIR;
  const smsCredentialsDir = process.env.BLINDBOX_TEST_SMS_CREDENTIALS_DIR;
  if (!mongodbUri || !credentialsDir || !alipayCredentialsDir || !smsCredentialsDir) throw new Error('run tests through Jest (npm test): the global setup provides the engine and credentials');
  return { mongodbUri, credentialsDir, alipayCredentialsDir, smsCredentialsDir };
}

/** A database name no other test file uses, so files run in parallel against one engine. */
export function uniqueDbName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
