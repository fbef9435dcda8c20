import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DevCredentials } from '../../dev/credentials';

/**
 * A credentials folder as a merchant has it (docs/credentials.md): the dev folder's merchant files and the WeChat
 * Pay public key, without the private halves only WeChat (here the simulator) holds. `edit` changes the JSON.
 */
export async function merchantCredentials(
  devDir: string,
  targetDir: string,
  edit: (json: Record<string, unknown>) => void = () => undefined,
): Promise<string> {
  const dev = JSON.parse(await readFile(path.join(devDir, 'credentials.json'), 'utf8')) as DevCredentials;
  const json: Record<string, unknown> = {
    appid: dev.appid,
    mchid: dev.mchid,
    appSecret: dev.appSecret,
    apiV3Key: dev.apiV3Key,
    merchantSerialNo: dev.merchantSerialNo,
    merchantPrivateKeyFile: dev.merchantPrivateKeyFile,
    merchantCertificateFile: dev.merchantCertificateFile,
    publicKeyId: dev.publicKeyId,
    publicKeyFile: dev.publicKeyFile,
  };
  edit(json);
  await mkdir(targetDir, { recursive: true });
  for (const file of [dev.merchantPrivateKeyFile, dev.merchantCertificateFile, dev.publicKeyFile]) {
    await copyFile(path.join(devDir, file), path.join(targetDir, file));
  }
  await writeFile(path.join(targetDir, 'credentials.json'), JSON.stringify(json, null, 2));
  return targetDir;
}
