/**
 * The keys on WeChat's side: the merchant certificate it trusts, its own platform certificates (rotatable)
 * and the "WeChat Pay public key" pair. Decides which key signs answers and callbacks.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createSelfSignedCertificate, readCredentialFile, type DevCredentials } from '../../dev/credentials';
import type { PlatformCertificateRecord, SigningMode } from './model';
import type { Store } from './store';

export interface Signer {
  serial: string;
  key: KeyObject;
}

/** How long a replaced platform certificate stays listed and accepted, so merchants can pick up the new one. */
const ROTATION_OVERLAP_MS = 24 * 3600_000;

export class KeyRing {
  signingMode: SigningMode;
  private readonly privateKeys = new Map<string, KeyObject>();

  private constructor(
    readonly credentials: DevCredentials,
    readonly merchantPublicKey: KeyObject,
    private readonly publicKeySigner: Signer,
    private readonly initialPlatform: PlatformCertificateRecord,
    private readonly store: Store,
    signingMode: SigningMode,
  ) {
    this.signingMode = signingMode;
    this.seedPlatformCertificates();
  }

  static async load(credentialsDir: string, store: Store, signingMode: SigningMode): Promise<KeyRing> {
    const credentials = JSON.parse(await readCredentialFile(credentialsDir, 'credentials.json')) as DevCredentials;
    const read = (name: string) => readCredentialFile(credentialsDir, name);
    const merchantCert = new X509Certificate(await read(credentials.merchantCertificateFile));
    const platformPem = await read(credentials.platformCertificateFile);
    const platformCert = new X509Certificate(platformPem);
    const initialPlatform: PlatformCertificateRecord = {
      serialNo: credentials.platformSerialNo,
      certificatePem: platformPem,
      privateKeyPem: await read(credentials.platformPrivateKeyFile),
      effectiveTime: Date.parse(platformCert.validFrom),
      expireTime: Date.parse(platformCert.validTo),
      listedUntil: null,
    };
    const publicKeySigner = {
      serial: credentials.publicKeyId,
      key: createPrivateKey(await read(credentials.publicKeyPrivateKeyFile)),
    };
    // Fails loudly when the files do not belong together rather than signing with a key nobody can verify.
    if (!createPublicKey(publicKeySigner.key).equals(createPublicKey(await read(credentials.publicKeyFile)))) {
      throw new Error(`${credentialsDir}: ${credentials.publicKeyFile} does not match ${credentials.publicKeyPrivateKeyFile}`);
    }
    return new KeyRing(credentials, merchantCert.publicKey, publicKeySigner, initialPlatform, store, signingMode);
  }

  isMerchantSerial(serial: string): boolean {
    return serial.toUpperCase() === this.credentials.merchantSerialNo.toUpperCase();
  }

  /** Certificates a merchant may currently see in /v3/certificates, oldest first. */
  listedPlatformCertificates(now = Date.now()): PlatformCertificateRecord[] {
    return this.store.state.platformCertificates.filter(
      (cert) => cert.effectiveTime <= now && cert.expireTime > now && (cert.listedUntil === null || cert.listedUntil > now),
    );
  }

  signer(): Signer {
    if (this.signingMode === 'public-key') return this.publicKeySigner;
    const current = this.store.state.platformCertificates.at(-1) ?? this.initialPlatform;
    return { serial: current.serialNo, key: this.privateKey(current) };
  }

  async rotatePlatformCertificate(now = Date.now()): Promise<PlatformCertificateRecord> {
    const generated = await createSelfSignedCertificate('Tenpay.com Root CA (simulated platform)', {
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 5 * 365 * 24 * 3600_000),
    });
    const certificates = this.store.state.platformCertificates;
    for (const cert of certificates) {
      if (cert.listedUntil === null) cert.listedUntil = now + ROTATION_OVERLAP_MS;
    }
    const record: PlatformCertificateRecord = {
      serialNo: generated.serialNo,
      certificatePem: generated.certificatePem,
      privateKeyPem: generated.privateKeyPem,
      effectiveTime: generated.notBefore.getTime(),
      expireTime: generated.notAfter.getTime(),
      listedUntil: null,
    };
    certificates.push(record);
    this.store.save();
    return record;
  }

  /** After a reset, or when the saved state came from another credentials folder, start from the folder's certificate. */
  seedPlatformCertificates(): void {
    const first = this.store.state.platformCertificates[0];
    if (first?.serialNo === this.initialPlatform.serialNo) return;
    this.store.state.platformCertificates = [{ ...this.initialPlatform }];
    this.store.save();
  }

  private privateKey(cert: PlatformCertificateRecord): KeyObject {
    let key = this.privateKeys.get(cert.serialNo);
    if (!key) {
      key = createPrivateKey(cert.privateKeyPem);
      this.privateKeys.set(cert.serialNo, key);
    }
    return key;
  }
}
