/**
 * Development credentials for Tencent Cloud SMS: a SecretId/SecretKey pair, an SdkAppId, a sign name and a
 * template id, made at random once per folder (git-ignored .data) and shared by the simulator, which checks the
 * server's TC3 signatures with them, and the server. Real ones come from the merchant's Tencent Cloud console.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface DevSmsCredentials {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
}

const CREDENTIALS_FILE = 'credentials.json';
const alphanumeric = (length: number) => {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length }, () => letters[randomInt(letters.length)]).join('');
};

export async function ensureDevSmsCredentials(dir: string): Promise<DevSmsCredentials> {
  const file = path.join(dir, CREDENTIALS_FILE);
  const fresh: DevSmsCredentials = {
    secretId: `AKID${alphanumeric(32)}`,
    secretKey: randomBytes(24).toString('base64url'),
    sdkAppId: `14${String(randomInt(100_000_000)).padStart(8, '0')}`,
    signName: '盲盒商店',
    templateId: String(randomInt(1_000_000, 9_999_999)),
  };
  await mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // Written whole, then linked into place: of two first runs one links, and both read the winner's file.
    await writeFile(temp, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
    await link(temp, file);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  } finally {
    await rm(temp, { force: true });
  }
  return JSON.parse(await readFile(file, 'utf8')) as DevSmsCredentials;
}

/** The server's settings for these credentials against the simulator at `simulatorUrl`. */
export function devSmsEnv(credentials: DevSmsCredentials, simulatorUrl: string): Record<string, string> {
  return {
    TENCENT_SMS_SECRET_ID: credentials.secretId,
    TENCENT_SMS_SECRET_KEY: credentials.secretKey,
    TENCENT_SMS_SDK_APP_ID: credentials.sdkAppId,
    TENCENT_SMS_SIGN_NAME: credentials.signName,
    TENCENT_SMS_TEMPLATE_ID: credentials.templateId,
    TENCENT_SMS_ENDPOINT: `${simulatorUrl}/tencent-sms/`,
  };
}
