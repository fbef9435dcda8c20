/** A tiny merchant callback endpoint that records what arrives and answers as told. */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  /** Status to answer each callback with; may inspect the callback. */
  respond: (callback: ReceivedCallback) => number = () => 200;
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CallbackReceiver> {
    let receiver: CallbackReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const callback = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        receiver!.received.push(callback);
        res.statusCode = receiver!.respond(callback);
        res.end(res.statusCode >= 400 ? JSON.stringify({ code: 'FAIL', message: 'rejected' }) : '');
        receiver!.wake();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    receiver = new CallbackReceiver(server, `http://127.0.0.1:${port}/notify`);
    return receiver;
  }

  /** Resolves once at least `count` callbacks arrived in total. */
  waitFor(count: number, timeoutMs = 8_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.received.length} of ${count} callbacks arrived`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private wake(): void {
    const ready = this.waiters.filter((waiter) => this.received.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.received.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }
}
