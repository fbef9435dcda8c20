/**
 * Development keys for Alipay page pay: the app key pair a merchant makes for its Alipay app, and the pair
 * whose private half only Alipay holds (the simulator signs answers and notifications with it; the server
 * gets the public half as "the Alipay public key"). Generated once per folder, never overwritten.
 */
import { generateKeyPair, randomBytes, randomInt } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export interface DevAlipayCredentials {
  appId: string;
  sellerId: string;
  appPrivateKeyFile: string;
  appPublicKeyFile: string;
  alipayPrivateKeyFile: string;
  alipayPublicKeyFile: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);
const CREDENTIALS_FILE = 'credentials.json';

const rsaPair = () =>
  generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

const digits = (length: number) => Array.from({ length }, () => String(randomInt(10))).join('');

/** The file's absolute path, for the server's ALIPAY_*_FILE settings. */
export const alipayKeyPath = (dir: string, file: string) => path.resolve(dir, file);

export async function ensureDevAlipayCredentials(dir: string): Promise<DevAlipayCredentials> {
  const existing = await readExisting(dir);
  if (existing) return existing;
  await mkdir(path.dirname(path.resolve(dir)), { recursive: true });
  const tempDir = `${path.resolve(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const [app, alipay] = await Promise.all([rsaPair(), rsaPair()]);
    const credentials: DevAlipayCredentials = {
      appId: `2021${digits(12)}`,
      sellerId: `2088${digits(12)}`,
      appPrivateKeyFile: 'app_private_key.pem',
      appPublicKeyFile: 'app_public_key.pem',
      alipayPrivateKeyFile: 'alipay_private_key.pem',
      alipayPublicKeyFile: 'alipay_public_key.pem',
    };
    await mkdir(tempDir, { recursive: true });
    const files: Record<string, string> = {
      [credentials.appPrivateKeyFile]: app.privateKey,
      [credentials.appPublicKeyFile]: app.publicKey,
      [credentials.alipayPrivateKeyFile]: alipay.privateKey,
      [credentials.alipayPublicKeyFile]: alipay.publicKey,
      [CREDENTIALS_FILE]: `${JSON.stringify(credentials, null, 2)}\n`,
    };
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(tempDir, name), content, { mode: 0o600 });
    // Atomic, and refused when another generator got there first: everyone then adopts the winner's keys.
    await rename(tempDir, dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  const winner = await readExisting(dir);
  if (!winner) throw new Error(`${dir} exists but holds no ${CREDENTIALS_FILE}; remove it or pick another folder`);
  return winner;
}

async function readExisting(dir: string): Promise<DevAlipayCredentials | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, CREDENTIALS_FILE), 'utf8')) as DevAlipayCredentials;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
}

/** The server's Alipay settings for these dev keys, against a simulator at `simulatorUrl`. */
export function devAlipayEnv(dir: string, credentials: DevAlipayCredentials, simulatorUrl: string, serverUrl: string): Record<string, string> {
  return {
    ALIPAY_APP_ID: credentials.appId,
    ALIPAY_SELLER_ID: credentials.sellerId,
    ALIPAY_APP_PRIVATE_KEY_FILE: alipayKeyPath(dir, credentials.appPrivateKeyFile),
    ALIPAY_PUBLIC_KEY_FILE: alipayKeyPath(dir, credentials.alipayPublicKeyFile),
    ALIPAY_GATEWAY_URL: `${simulatorUrl}/alipay/gateway.do`,
    ALIPAY_NOTIFY_URL: `${serverUrl}/api/payments/alipay/notify`,
    ALIPAY_RETURN_URL: `${serverUrl}/api/payments/alipay/return`,
  };
}
