/** A loopback HTTP endpoint that records what the sandboxes deliver to it (webhooks, change events), byte for byte. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes of the body. */
  raw: Buffer;
  json: any;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers the n-th request (0-based) with this status; default 200. */
  respond: (index: number, request: Received) => number | Promise<number>;
  /** Resolves once at least `count` requests arrived (polling; the test's own timeout bounds it). */
  waitFor(count: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(respond: Receiver['respond'] = () => 200): Promise<Receiver> {
  const receiver = { received: [] as Received[], respond } as Receiver;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        json = undefined;
      }
      const request: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, json };
      const index = receiver.received.push(request) - 1;
      const status = await receiver.respond(index, request);
      res.writeHead(status, { 'content-length': '0' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.waitFor = async (count) => {
    while (receiver.received.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
    return receiver.received;
  };
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/** A loopback URL nothing listens on (the port was just released). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/gone`;
}
