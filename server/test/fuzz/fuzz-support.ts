/** Sending generated requests (not a test file itself). */
import http from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  /** An array value is sent as that many header lines, which fetch cannot do. */
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Send without Content-Length (chunked), as a streaming client would. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * node:http with a bounded keep-alive pool: headers and bytes exactly as generated (repeated headers, odd
 * encodings), which fetch would normalise. A request the client itself refuses to send (a header value
 * Node considers invalid) resolves to status 0 and is not counted as the server's answer.
 */
export function rawClient(baseUrl: string, concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(baseUrl);

  function send(request: RawRequest): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      let outgoing: http.ClientRequest;
      try {
        const headers = request.chunked ? request.headers : { ...request.headers, 'content-length': String(request.body.length) };
        outgoing = http.request({ agent, hostname, port, method: request.method, path: request.path, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_INVALID_CHAR' || (error as { code?: string }).code === 'ERR_INVALID_HTTP_TOKEN') {
          resolve({ status: 0, body: '' });
          return;
        }
        throw error;
      }
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  }

  return { send, close: () => agent.destroy() };
}

/** A seed from FUZZ_SEED to replay a failing run, else a fresh one; printed with every failure. */
export function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED;
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

export function isErrorShape(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    // `fields` names the request fields a validation error is about (the mini-program says them in Chinese).
    const extra = Object.keys(parsed).filter((key) => key !== 'code' && key !== 'message');
    return typeof parsed.code === 'string' && typeof parsed.message === 'string' && extra.every((key) => key === 'fields' && typeof parsed.fields === 'string');
  } catch {
    return false;
  }
}
