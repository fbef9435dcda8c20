import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { TradeBillIntegrityError, type TradeBillSource } from '../../bills/trade-bill';
import type { WechatPayGateway } from './gateway';
import { parseTradeBillCsv } from './trade-bill-csv';

/**
 * WeChat Pay's daily trade bill behind the trade-bill port: apply (signed answer with the bill's SHA1),
 * download (unsigned bytes), unzip, check the hash, only then parse.
 *
 * The hash is of the bill itself: "原始账单(gzip需要解压缩)的摘要值" (申请交易账单,
 * https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_9_1.shtml), and the official wechatpay-java SDK digests
 * the GZIPInputStream (BillDownloadServiceExtension). A gzip archive's bytes also carry a file name and a time.
 */
export function wechatPayTradeBills(gateway: Pick<WechatPayGateway, 'applyTradeBill' | 'downloadBillFile'>): TradeBillSource {
  return {
    async downloadTradeBill(billDate) {
      const location = await gateway.applyTradeBill(billDate);
      if (!location) return { billDate, rows: [] };
      if (location.hashType.toUpperCase() !== 'SHA1') throw new TradeBillIntegrityError(`bill ${billDate}: unsupported hash type ${location.hashType}`);
      const file = await gateway.downloadBillFile(location.downloadUrl);
      let bill: Buffer;
      try {
        bill = isGzip(file) ? gunzipSync(file) : file;
      } catch (error) {
        throw new TradeBillIntegrityError(`bill ${billDate}: the file does not unzip: ${(error as Error).message}; nothing was read`);
      }
      const actual = createHash('sha1').update(bill).digest('hex');
      if (actual !== location.hashValue.toLowerCase()) {
        throw new TradeBillIntegrityError(`bill ${billDate}: SHA1 of the downloaded bill is ${actual}, WeChat said ${location.hashValue}; nothing was read`);
      }
      return parseTradeBillCsv(billDate, bill.toString('utf8'));
    },
  };
}

function isGzip(file: Buffer): boolean {
  return file.length >= 2 && file[0] === 0x1f && file[1] === 0x8b;
}
