import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDevCredentials } from '../../../dev/credentials';
import { CredentialsError, loadWechatPayCredentials } from './credentials';

describe('loadWechatPayCredentials', () => {
  let tmp: string;
  let dir: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'wechatpay-credentials-'));
    dir = path.join(tmp, 'credentials');
    await ensureDevCredentials(dir);
  });

  afterAll(() => rm(tmp, { recursive: true, force: true }));

  async function rewrite(change: (json: Record<string, unknown>) => void): Promise<string> {
    const copy = await mkdtemp(path.join(tmp, 'copy-'));
    const json = JSON.parse(await readFile(path.join(dir, 'credentials.json'), 'utf8')) as Record<string, unknown>;
    change(json);
    // File names are relative to the folder, so point them back at the original files.
    for (const key of Object.keys(json)) {
      if (key.endsWith('File') && typeof json[key] === 'string') json[key] = path.relative(copy, path.join(dir, json[key] as string));
    }
    await writeFile(path.join(copy, 'credentials.json'), JSON.stringify(json));
    return copy;
  }

  it('loads the merchant key, certificate and WeChat Pay public key from a dev folder', async () => {
    const credentials = await loadWechatPayCredentials(dir);
    const file = JSON.parse(await readFile(path.join(dir, 'credentials.json'), 'utf8')) as Record<string, string>;
    expect(credentials).toMatchObject({ appid: file.appid, mchid: file.mchid, apiV3Key: file.apiV3Key, merchantSerialNo: file.merchantSerialNo });
    expect(credentials.merchantPrivateKeyPem).toContain('PRIVATE KEY');
    expect(credentials.merchantCertificatePem).toContain('BEGIN CERTIFICATE');
    expect(credentials.wechatPayPublicKey).toEqual({ id: file.publicKeyId, pem: expect.stringContaining('PUBLIC KEY') });
    // The simulator-only private halves are never loaded.
    expect(JSON.stringify(credentials)).not.toContain(await readFile(path.join(dir, file.platformPrivateKeyFile!), 'utf8'));
  });

  it('does without the platform and public key entries a real merchant does not have', async () => {
    const copy = await rewrite((json) => {
      for (const key of ['platformSerialNo', 'platformPrivateKeyFile', 'platformCertificateFile', 'publicKeyId', 'publicKeyFile', 'publicKeyPrivateKeyFile']) {
        delete json[key];
      }
    });
    const credentials = await loadWechatPayCredentials(copy);
    expect(credentials.wechatPayPublicKey).toBeNull();
  });

  it('names the field that is wrong', async () => {
    const copy = await rewrite((json) => {
      json.apiV3Key = 'too-short';
    });
    await expect(loadWechatPayCredentials(copy)).rejects.toThrow(/apiV3Key: must be exactly 32 bytes/);
  });

  it('names a missing required field', async () => {
    const copy = await rewrite((json) => {
      delete json.mchid;
    });
    await expect(loadWechatPayCredentials(copy)).rejects.toThrow(/mchid/);
  });

  it('names the missing file', async () => {
    const copy = await rewrite((json) => {
      json.merchantPrivateKeyFile = 'nope.pem';
    });
    const error = await loadWechatPayCredentials(copy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toMatch(/merchantPrivateKeyFile: cannot read .*nope\.pem \(ENOENT\)/);
  });

  it('reports a missing credentials.json', async () => {
    await expect(loadWechatPayCredentials(path.join(tmp, 'absent'))).rejects.toThrow(/credentials\.json.*ENOENT/);
  });

  it('refuses a serial that is not the merchant certificate’s', async () => {
    const copy = await rewrite((json) => {
      json.merchantSerialNo = '1234ABCD';
    });
    await expect(loadWechatPayCredentials(copy)).rejects.toThrow(/merchantSerialNo 1234ABCD is not the serial/);
  });

  it('refuses a private key that does not belong to the certificate', async () => {
    const copy = await rewrite((json) => {
      json.merchantPrivateKeyFile = json.publicKeyPrivateKeyFile;
    });
    await expect(loadWechatPayCredentials(copy)).rejects.toThrow(/does not match merchantCertificateFile/);
  });

  it('wants publicKeyId and publicKeyFile together', async () => {
    const copy = await rewrite((json) => {
      delete json.publicKeyFile;
    });
    await expect(loadWechatPayCredentials(copy)).rejects.toThrow(/publicKeyId and publicKeyFile go together/);
  });
});
