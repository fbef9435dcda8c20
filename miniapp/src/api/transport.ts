export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** `body` is the parsed JSON (or null when there was none); any HTTP status resolves. */
export interface HttpResponse {
  status: number;
  body: unknown;
}

/** Rejects only when no response arrived (network down, timeout). */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;
