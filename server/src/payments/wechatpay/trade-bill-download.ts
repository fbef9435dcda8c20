import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { TradeBillIntegrityError, type TradeBillSource } from '../../bills/trade-bill';
import type { WechatPayGateway } from './gateway';
import { parseTradeBillCsv } from './trade-bill-csv';

/**
 * WeChat Pay's daily trade bill behind the trade-bill port: apply (signed answer with the file's SHA1),
 * download (unsigned bytes), check the hash over the bytes exactly as served, only then unzip and parse.
 */
export function wechatPayTradeBills(gateway: Pick<WechatPayGateway, 'applyTradeBill' | 'downloadBillFile'>): TradeBillSource {
  return {
    async downloadTradeBill(billDate) {
      const location = await gateway.applyTradeBill(billDate);
      if (!location) return { billDate, rows: [] };
      if (location.hashType.toUpperCase() !== 'SHA1') throw new TradeBillIntegrityError(`bill ${billDate}: unsupported hash type ${location.hashType}`);
      const file = await gateway.downloadBillFile(location.downloadUrl);
      const actual = createHash('sha1').update(file).digest('hex');
      if (actual !== location.hashValue.toLowerCase()) {
        throw new TradeBillIntegrityError(`bill ${billDate}: SHA1 of the downloaded file is ${actual}, WeChat said ${location.hashValue}; nothing was read`);
      }
      let text: string;
      try {
        text = (isGzip(file) ? gunzipSync(file) : file).toString('utf8');
      } catch (error) {
        throw new TradeBillIntegrityError(`bill ${billDate}: the file does not unzip: ${(error as Error).message}`);
      }
      return parseTradeBillCsv(billDate, text);
    },
  };
}

function isGzip(file: Buffer): boolean {
  return file.length >= 2 && file[0] === 0x1f && file[1] === 0x8b;
}
