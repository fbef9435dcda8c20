import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** What a merchant holds to call WeChat Pay v3, with the PEM files already read. */
export interface WechatPayCredentials {
  appid: string;
  mchid: string;
  /** The mini-program's AppSecret, for code2session. */
  appSecret: string;
  apiV3Key: string;
  merchantSerialNo: string;
  merchantPrivateKeyPem: string;
  merchantCertificatePem: string;
  /** Present for merchants on the WeChat Pay public key mode; the id appears as Wechatpay-Serial. */
  wechatPayPublicKey: { id: string; pem: string } | null;
}

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

const CREDENTIALS_FILE = 'credentials.json';

const fileName = z.string().min(1, 'must name a file');

// The platform* and publicKeyPrivateKeyFile entries are private halves only WeChat (the simulator) holds; they
// are accepted so one dev folder serves both sides, and never read here.
const credentialsFileSchema = z
  .object({
    appid: z.string().regex(/^wx[0-9a-zA-Z]{16}$/, 'must look like wx followed by 16 characters'),
    mchid: z.string().regex(/^\d{8,12}$/, 'must be the numeric merchant id'),
    appSecret: z.string().min(1),
    apiV3Key: z.string().refine((key) => Buffer.byteLength(key, 'utf8') === 32, 'must be exactly 32 bytes'),
    merchantSerialNo: z.string().regex(/^[0-9A-Fa-f]+$/, 'must be the hex serial of the merchant certificate'),
    merchantPrivateKeyFile: fileName,
    merchantCertificateFile: fileName,
    platformSerialNo: z.string().optional(),
    platformPrivateKeyFile: fileName.optional(),
    platformCertificateFile: fileName.optional(),
    publicKeyId: z.string().regex(/^PUB_KEY_ID_\w+$/, 'must look like PUB_KEY_ID_...').optional(),
    publicKeyFile: fileName.optional(),
    publicKeyPrivateKeyFile: fileName.optional(),
  })
  .refine((value) => (value.publicKeyId === undefined) === (value.publicKeyFile === undefined), {
    message: 'publicKeyId and publicKeyFile go together',
    path: ['publicKeyFile'],
  });

export async function loadWechatPayCredentials(dir: string): Promise<WechatPayCredentials> {
  const jsonPath = path.join(dir, CREDENTIALS_FILE);
  const json = await readRequired(jsonPath, CREDENTIALS_FILE);
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(json);
  } catch (error) {
    throw new CredentialsError(`${jsonPath} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = credentialsFileSchema.safeParse(parsedJson);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new CredentialsError(`${jsonPath}: ${problems.join('; ')}`);
  }
  const file = parsed.data;

  const merchantPrivateKeyPem = await readRequired(path.join(dir, file.merchantPrivateKeyFile), 'merchantPrivateKeyFile');
  const merchantCertificatePem = await readRequired(
    path.join(dir, file.merchantCertificateFile),
    'merchantCertificateFile',
  );
  checkMerchantPair(file.merchantSerialNo, merchantPrivateKeyPem, merchantCertificatePem);

  let wechatPayPublicKey: WechatPayCredentials['wechatPayPublicKey'] = null;
  if (file.publicKeyId !== undefined && file.publicKeyFile !== undefined) {
    const pem = await readRequired(path.join(dir, file.publicKeyFile), 'publicKeyFile');
    try {
      createPublicKey(pem);
    } catch {
      throw new CredentialsError(`publicKeyFile ${file.publicKeyFile} does not hold a PEM public key`);
    }
    wechatPayPublicKey = { id: file.publicKeyId, pem };
  }

  return {
    appid: file.appid,
    mchid: file.mchid,
    appSecret: file.appSecret,
    apiV3Key: file.apiV3Key,
    merchantSerialNo: file.merchantSerialNo.toUpperCase(),
    merchantPrivateKeyPem,
    merchantCertificatePem,
    wechatPayPublicKey,
  };
}

async function readRequired(filePath: string, field: string): Promise<string> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CredentialsError(`${field}: cannot read ${filePath} (${code ?? (error as Error).message})`);
  }
}

// A key, certificate and serial that do not belong together would only show up as SIGN_ERROR on the first
// payment, so refuse to start instead.
function checkMerchantPair(serialNo: string, keyPem: string, certificatePem: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new CredentialsError('merchantCertificateFile does not hold a PEM certificate');
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    throw new CredentialsError('merchantPrivateKeyFile does not hold a PEM private key');
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new CredentialsError('merchantPrivateKeyFile does not match merchantCertificateFile');
  }
  if (normaliseSerial(certificate.serialNumber) !== normaliseSerial(serialNo)) {
    throw new CredentialsError(
      `merchantSerialNo ${serialNo} is not the serial of merchantCertificateFile (${certificate.serialNumber})`,
    );
  }
}

function normaliseSerial(serial: string): string {
  return serial.toUpperCase().replace(/^0+/, '');
}
