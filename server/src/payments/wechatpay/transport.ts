import type Pay from 'wechatpay-node-v3';
import type { Logger } from 'pino';
import { WechatPayApiError } from './gateway';
import type { SignatureCheck, SignatureVerifier } from './verifier';

type IPayRequest = Parameters<Pay['createHttp']>[0];
type Output = Awaited<ReturnType<IPayRequest['get']>>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RawResponse {
  status: number;
  headers: Headers;
  /** The body bytes exactly as received: signatures are over these, never over re-serialised JSON. */
  body: Buffer;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  logger: Logger;
  verifier: SignatureVerifier;
}

/**
 * The IPayRequest handed to wechatpay-node-v3 through createHttp. The library builds URLs on
 * https://api.mch.weixin.qq.com and signs path + query, so only the origin is swapped for baseUrl. Every answer
 * is signature-checked before anything reads it; errors surface as WechatPayApiError.
 */
export class VerifyingTransport implements IPayRequest {
  private readonly origin: string;

  constructor(private readonly options: TransportOptions) {
    const base = new URL(options.baseUrl);
    // The signature covers the path WeChat sees, so a base URL with a path prefix could never verify.
    if (base.pathname !== '/' || base.search !== '') {
      throw new Error(`WeChat Pay base URL must be an origin without a path: ${options.baseUrl}`);
    }
    this.origin = base.origin;
  }

  get(url: string, headers: Record<string, string>): Promise<Output> {
    return this.call('GET', url, headers, undefined);
  }

  post(url: string, params: Record<string, unknown>, headers: Record<string, string>): Promise<Output> {
    // The library signed JSON.stringify of this very object, so the bytes sent must be exactly that.
    return this.call('POST', url, headers, JSON.stringify(params));
  }

  upload(): Promise<Output> {
    return Promise.reject(new Error('media upload is not used by this shop'));
  }

  /** Sends a request and returns the raw answer without judging it (the certificate download verifies its own). */
  async exchange(method: HttpMethod, url: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
    const target = this.rewrite(url);
    const started = Date.now();
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let raw: Buffer;
    try {
      response = await fetch(target, { method, headers, body, signal });
      raw = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      // The signal, not the error's class, tells a timeout apart: errors may come from another realm (Jest's vm).
      const timedOut = signal.aborted;
      this.options.logger.warn(
        { event: 'wechatpay.http_failed', method, path: target.pathname, timedOut, err: error },
        'WeChat Pay request failed without an answer',
      );
      if (timedOut) {
        throw new WechatPayApiError('TIMEOUT', null, `${method} ${target.pathname}: no answer within ${this.options.timeoutMs}ms`);
      }
      throw new WechatPayApiError('NETWORK_ERROR', null, `${method} ${target.pathname}: ${describe(error)}`);
    }
    this.options.logger.debug(
      { event: 'wechatpay.http', method, path: target.pathname, status: response.status, ms: Date.now() - started },
      'WeChat Pay answered',
    );
    return { status: response.status, headers: response.headers, body: raw };
  }

  /** A signed request the library has no method for (complaints): the answer verified like every other. */
  request(method: HttpMethod, url: string, headers: Record<string, string>, body?: string): Promise<Output> {
    return this.call(method, url, headers, body);
  }

  private async call(method: HttpMethod, url: string, headers: Record<string, string>, body?: string): Promise<Output> {
    const response = await this.exchange(method, url, headers, body);
    const check = await this.options.verifier.verify((name) => response.headers.get(name) ?? undefined, response.body);
    const path = this.rewrite(url).pathname;
    if (!check.ok) {
      this.options.logger.warn(
        { event: 'wechatpay.response_unverified', method, path, status: response.status, reason: check.reason, detail: check.detail },
        'WeChat Pay response signature did not verify',
      );
    }
    if (response.status >= 200 && response.status < 300) {
      if (!check.ok) throw badSignature(`${method} ${path}`, response.status, check);
      return { status: response.status, data: parseJson(response.body, response.status, `${method} ${path}`) };
    }
    throw errorFromResponse(response, check, `${method} ${path}`);
  }

  private rewrite(url: string): URL {
    const original = new URL(url, 'https://api.mch.weixin.qq.com');
    return new URL(`${original.pathname}${original.search}`, this.origin);
  }
}

/**
 * An unsigned error answer may make us report or retry, never decide: WeChat cannot sign a 401 SIGN_ERROR, and a
 * proxy in front of it may answer 429/5xx. Any other unsigned status (ORDER_NOT_EXIST, ORDERPAID, ...) would steer
 * a business decision, so it counts as a forged answer.
 */
export function errorFromResponse(response: RawResponse, check: SignatureCheck, what: string): WechatPayApiError {
  const { code, message } = readErrorBody(response);
  const acceptableUnsigned = response.status === 401 || response.status === 429 || response.status >= 500;
  if (!check.ok && !acceptableUnsigned) return badSignature(what, response.status, check);
  return new WechatPayApiError(code, response.status, `${what}: ${message}`);
}

function readErrorBody(response: RawResponse): { code: string; message: string } {
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as { code?: unknown; message?: unknown };
    if (typeof parsed.code === 'string') {
      return { code: parsed.code, message: typeof parsed.message === 'string' ? parsed.message : parsed.code };
    }
  } catch {
    // Not WeChat's error format (a proxy page, say); fall through to the status.
  }
  return { code: `HTTP_${response.status}`, message: `HTTP ${response.status} ${response.body.toString('utf8', 0, 200)}` };
}

function badSignature(what: string, status: number, check: Extract<SignatureCheck, { ok: false }>): WechatPayApiError {
  return new WechatPayApiError('BAD_RESPONSE_SIGNATURE', status, `${what}: ${check.reason}: ${check.detail}`);
}

function parseJson(body: Buffer, status: number, what: string): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new WechatPayApiError('BAD_RESPONSE', status, `${what}: signed answer is not JSON`);
  }
}

function describe(error: unknown): string {
  const message = (value: unknown) => (typeof value === 'object' && value !== null && 'message' in value ? String(value.message) : String(value));
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return cause === undefined ? message(error) : `${message(error)}: ${message(cause)}`;
}
