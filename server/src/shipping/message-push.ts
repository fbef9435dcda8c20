import { XMLParser } from 'fast-xml-parser';
import { ruleError } from '../domain-error';
import { aesKeyOf, decryptPush, pushSignature, signatureMatches } from './message-push-crypto';

/** A push that is not WeChat's (bad or missing signature, wrong appid, undecryptable): refused, nothing applied. */
export const PushRefused = ruleError('UNAUTHENTICATED', 'PUSH_SIGNATURE_INVALID');

export interface PushSettings {
  token: string;
  /** Safe mode (安全模式) when set: only encrypted pushes are taken. */
  encodingAesKey: string | null;
  appid: string;
}

export type PushQuery = Record<string, string | string[] | undefined>;
export type PushMessage = Record<string, unknown>;

const one = (value: string | string[] | undefined): string => (typeof value === 'string' ? value : '');
const xml = new XMLParser({ parseTagValue: false, trimValues: true });

/** The body in the format WeChat was told to use (数据格式: JSON or XML); XML's fields come as strings. */
function parseBody(text: string): PushMessage {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('<')) {
      const parsed = xml.parse(trimmed) as { xml?: unknown };
      if (parsed.xml && typeof parsed.xml === 'object') return parsed.xml as PushMessage;
    } else {
      const parsed = JSON.parse(trimmed) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as PushMessage;
    }
  } catch {
    // falls through to the refusal
  }
  throw new PushRefused('push body is neither a JSON object nor WeChat XML');
}

/** Verifies where a push came from and opens it. One rule for both modes and both formats. */
export function messagePush(settings: PushSettings) {
  const key = settings.encodingAesKey ? aesKeyOf(settings.encodingAesKey) : null;

  function plainSignatureOk(query: PushQuery): boolean {
    return signatureMatches(pushSignature(settings.token, one(query.timestamp), one(query.nonce)), one(query.signature));
  }

  return {
    safeMode: key !== null,

    /** URL verification (the GET WeChat sends when the URL is saved): echostr back when the signature is WeChat's. */
    verifyUrl(query: PushQuery): string {
      if (!one(query.timestamp) || !one(query.nonce) || !plainSignatureOk(query)) throw new PushRefused('URL verification signature does not match');
      return one(query.echostr);
    },

    /** The pushed message, once its signature (and in safe mode its encryption and appid) is WeChat's. */
    open(query: PushQuery, body: string): PushMessage {
      if (!one(query.timestamp) || !one(query.nonce)) throw new PushRefused('push without timestamp and nonce');
      if (!key) {
        if (!plainSignatureOk(query)) throw new PushRefused('push signature does not match');
        return parseBody(body);
      }
      // Safe mode takes nothing in plain text: a push without encryption is not WeChat's.
      if (one(query.encrypt_type) !== 'aes') throw new PushRefused('safe mode: the push is not encrypted');
      const outer = parseBody(body);
      const encrypt = typeof outer.Encrypt === 'string' ? outer.Encrypt : '';
      if (!encrypt || !signatureMatches(pushSignature(settings.token, one(query.timestamp), one(query.nonce), encrypt), one(query.msg_signature))) {
        throw new PushRefused('push msg_signature does not match');
      }
      let inner: string;
      try {
        inner = decryptPush(encrypt, key, settings.appid);
      } catch (error) {
        throw new PushRefused(`push does not decrypt: ${error instanceof Error ? error.message : String(error)}`);
      }
      return parseBody(inner);
    },
  };
}

export type MessagePush = ReturnType<typeof messagePush>;
