/**
 * Development credentials for WeChat Pay v3: everything a merchant gets from the merchant platform, plus the
 * private halves that only WeChat holds (the simulator needs them to sign responses and callbacks).
 * Generated once per folder; an existing folder is always reused so keys never change under a running setup.
 */
import { generateKeyPair, randomBytes, randomInt, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { devCredentialsDir } from './paths';
import { promisify } from 'node:util';
// @peculiar/x509's dependency injection (tsyringe) needs Reflect metadata loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's webcrypto is the standard Crypto; the DOM type name is simply not in our lib settings.
type WebCrypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
x509.cryptoProvider.set(webcrypto as unknown as WebCrypto);

export interface DevCredentials {
  appid: string;
  mchid: string;
  appSecret: string;
  apiV3Key: string;
  merchantSerialNo: string;
  merchantPrivateKeyFile: string;
  merchantCertificateFile: string;
  platformSerialNo: string;
  platformPrivateKeyFile: string;
  platformCertificateFile: string;
  publicKeyId: string;
  publicKeyFile: string;
  publicKeyPrivateKeyFile: string;
}

export interface GeneratedCertificate {
  /** Upper-case hex, as WeChat prints serial numbers. */
  serialNo: string;
  privateKeyPem: string;
  certificatePem: string;
  notBefore: Date;
  notAfter: Date;
}

const generateKeyPairAsync = promisify(generateKeyPair);
const CREDENTIALS_FILE = 'credentials.json';
const RSA_PARAMS = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function readCredentialFile(dir: string, name: string): Promise<string> {
  return readFile(path.join(dir, name), 'utf8');
}

export async function ensureDevCredentials(dir: string): Promise<DevCredentials> {
  const existing = await readExisting(dir);
  if (existing) return existing;

  await mkdir(path.dirname(path.resolve(dir)), { recursive: true });
  const tempDir = `${path.resolve(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await generateInto(tempDir);
    // Renaming a directory is atomic and fails when the target is a non-empty directory, so the first
    // concurrent generator wins and everyone else adopts its files.
    await rename(tempDir, dir);
  } catch (error) {
    if (!isCode(error, 'ENOTEMPTY') && !isCode(error, 'EEXIST')) throw error;
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  const winner = await readExisting(dir);
  if (!winner) throw new Error(`${dir} exists but holds no ${CREDENTIALS_FILE}; remove it or pick another folder`);
  return winner;
}

/** An RSA-2048 key and a self-signed certificate for it, like the ones WeChat issues. */
export async function createSelfSignedCertificate(
  commonName: string,
  validity: { notBefore: Date; notAfter: Date } = defaultValidity(),
): Promise<GeneratedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(RSA_PARAMS, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  // A leading byte below 0x80 keeps the DER integer positive without padding, so hex round-trips exactly.
  const serial = randomBytes(20);
  serial[0] = (serial[0]! & 0x3f) | 0x10;
  const serialNo = serial.toString('hex').toUpperCase();
  const name = `CN=${commonName}, O=Blindbox Pay Dev, C=CN`;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNo,
    name,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    keys,
    signingAlgorithm: RSA_PARAMS,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    serialNo,
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    certificatePem: certificate.toString('pem'),
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
  };
}

function defaultValidity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 24 * 3600_000), notAfter: new Date(now + 5 * 365 * 24 * 3600_000) };
}

async function generateInto(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  // RSA key generation dominates; the three keys are made in parallel on libuv's thread pool.
  const [merchant, platform, publicKeyPair] = await Promise.all([
    createSelfSignedCertificate('Blindbox Pay dev merchant'),
    createSelfSignedCertificate('Tenpay.com Root CA (simulated platform)'),
    generateKeyPairAsync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }),
  ]);
  const credentials: DevCredentials = {
    appid: `wx${randomBytes(8).toString('hex')}`,
    mchid: String(randomInt(1_000_000_000, 10_000_000_000)),
    appSecret: randomBytes(16).toString('hex'),
    apiV3Key: randomAlphanumeric(32),
    merchantSerialNo: merchant.serialNo,
    merchantPrivateKeyFile: 'merchant_key.pem',
    merchantCertificateFile: 'merchant_cert.pem',
    platformSerialNo: platform.serialNo,
    platformPrivateKeyFile: 'platform_key.pem',
    platformCertificateFile: 'platform_cert.pem',
    publicKeyId: `PUB_KEY_ID_${randomDigits(32)}`,
    publicKeyFile: 'pub_key.pem',
    publicKeyPrivateKeyFile: 'pub_key_private.pem',
  };
  const files: Record<string, string> = {
    [credentials.merchantPrivateKeyFile]: merchant.privateKeyPem,
    [credentials.merchantCertificateFile]: merchant.certificatePem,
    [credentials.platformPrivateKeyFile]: platform.privateKeyPem,
    [credentials.platformCertificateFile]: platform.certificatePem,
    [credentials.publicKeyFile]: publicKeyPair.publicKey,
    [credentials.publicKeyPrivateKeyFile]: publicKeyPair.privateKey,
    [CREDENTIALS_FILE]: `${JSON.stringify(credentials, null, 2)}\n`,
  };
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(dir, name), content, { mode: 0o600 });
  }
}

async function readExisting(dir: string): Promise<DevCredentials | null> {
  let text: string;
  try {
    text = await readCredentialFile(dir, CREDENTIALS_FILE);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
  return JSON.parse(text) as DevCredentials;
}

function randomAlphanumeric(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

function randomDigits(length: number): string {
  return Array.from({ length }, () => String(randomInt(10))).join('');
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? devCredentialsDir);
  ensureDevCredentials(dir).then(
    (credentials) => {
      console.log(`WeChat Pay dev credentials in ${dir}`);
      console.log(`  appid ${credentials.appid}  mchid ${credentials.mchid}`);
      console.log(`  merchant serial ${credentials.merchantSerialNo}`);
      console.log(`  platform serial ${credentials.platformSerialNo}  public key id ${credentials.publicKeyId}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
