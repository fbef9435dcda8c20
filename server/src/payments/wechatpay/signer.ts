import Pay from 'wechatpay-node-v3';
import type { WechatPayCredentials } from './credentials';

const USER_AGENT = 'blindbox-pay (wechatpay-node-v3/2.2.1)';

/**
 * wechatpay-node-v3's Pay, opened up where this adapter needs it: the library signs requests (Authorization
 * header over method, path, timestamp, nonce, body) and SHA256withRSA messages with the merchant key, but keeps
 * both protected.
 */
export class MerchantSigner extends Pay {
  constructor(credentials: WechatPayCredentials) {
    super({
      appid: credentials.appid,
      mchid: credentials.mchid,
      // Given explicitly so the library never parses the certificate itself (it would with @fidm/x509).
      serial_no: credentials.merchantSerialNo,
      publicKey: Buffer.from(credentials.merchantCertificatePem),
      privateKey: Buffer.from(credentials.merchantPrivateKeyPem),
      key: credentials.apiV3Key,
      userAgent: USER_AGENT,
    });
  }

  /** Headers for a request the library has no method for; `url` may be a path or an absolute URL. */
  signedHeaders(method: 'GET' | 'POST', url: string, body?: Record<string, unknown>): Record<string, string> {
    return { ...this.getHeaders(this.buildAuthorization(method, url, body)) };
  }

  /** Base64 SHA256withRSA with the merchant private key. */
  signMessage(message: string): string {
    return this.sign(message);
  }
}
