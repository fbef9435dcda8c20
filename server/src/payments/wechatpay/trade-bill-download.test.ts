import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TradeBillIntegrityError } from '../../bills/trade-bill';
import { wechatPayTradeBills } from './trade-bill-download';

const sample = readFileSync(path.join(__dirname, 'fixtures', 'wechat-sample-bill-all.csv'));
const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** The bill as a downloaded .gzip file: compressed by gzip(1), so the archive carries the file's name and time. */
function gzipFile(bill: Buffer): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'bill-'));
  try {
    const file = path.join(dir, '20220321_ALL.csv');
    writeFileSync(file, bill);
    return execFileSync('gzip', ['-c', '--name', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const billFrom = (file: Buffer, hashValue: string) =>
  wechatPayTradeBills({
    applyTradeBill: async () => ({ hashType: 'SHA1', hashValue, downloadUrl: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=t' }),
    downloadBillFile: async () => file,
  }).downloadTradeBill('2022-03-21');

test('a gzip bill is checked against the SHA1 of the bill inside it, as WeChat computes hash_value', async () => {
  const file = gzipFile(sample);
  expect(file.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  expect(file.includes(Buffer.from('20220321_ALL.csv'))).toBe(true);

  const bill = await billFrom(file, sha1(sample).toUpperCase());
  expect(bill.rows.map((row) => row.outTradeNo)).toEqual(['2021WERUN1647840687637']);
  // The archive's own digest is not WeChat's hash_value: a client checking it would refuse every real bill.
  await expect(billFrom(file, sha1(file))).rejects.toThrow(/SHA1 of the downloaded bill is [0-9a-f]{40}, WeChat said [0-9a-f]{40}; nothing was read/);
});

test('a plain bill is checked against its own SHA1; a changed bill or a broken archive is refused', async () => {
  expect((await billFrom(sample, sha1(sample))).rows).toHaveLength(1);
  const changed = Buffer.from(sample.toString('utf8').replace('`0.01,`0.00,`0,', '`0.02,`0.00,`0,'));
  await expect(billFrom(gzipFile(changed), sha1(sample))).rejects.toThrow(TradeBillIntegrityError);
  const broken = gzipFile(sample);
  broken[broken.length - 6] = broken[broken.length - 6]! ^ 0xff;
  await expect(billFrom(broken, sha1(sample))).rejects.toThrow(/does not unzip/);
});
