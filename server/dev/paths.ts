import path from 'node:path';

/** Folders the dev tooling owns; all git-ignored, all under the repository. */
export const repoRoot = path.resolve(__dirname, '..', '..');
export const dataDir = path.join(repoRoot, '.data');
export const cacheDir = path.join(repoRoot, '.cache');
export const devCredentialsDir = path.join(dataDir, 'wechatpay-dev');
export const devAlipayCredentialsDir = path.join(dataDir, 'alipay-dev');
export const devSmsCredentialsDir = path.join(dataDir, 'tencent-sms-dev');
