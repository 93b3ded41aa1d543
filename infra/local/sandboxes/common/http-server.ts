/**
 * Loopback HTTP plumbing shared by the Jira and Backtrace sandboxes: listen on 127.0.0.1 with a random port, read
 * bodies, answer JSON, and close without waiting for keep-alive or deliberately slow requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  origin: string;
  /** Waits `ms`, or less if the server closes first (so a slow fault never holds `close()` up). */
  sleep(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Bodies beyond this are refused: no test needs more, and a runaway client should fail loudly. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startLoopbackServer(handler: RequestHandler, onError: (res: ServerResponse, error: unknown) => void): Promise<LoopbackServer> {
  const sleepers = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    // A client that gave up (timeout) closes the socket; the late answer must not crash the fake.
    res.on('error', () => undefined);
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) onError(res, error);
      else res.destroy();
    });
  });
  // Slow faults hold requests open for seconds; without this Node would cut them after its default timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    origin: `http://127.0.0.1:${port}`,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        sleepers.add(wake);
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const wake of [...sleepers]) wake();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}

export interface ReadBody {
  raw: string;
  /** Parsed JSON when the body is non-empty and parses; `undefined` for an empty body. */
  json?: unknown;
  /** Set when the body is non-empty but not valid JSON. */
  jsonError?: string;
}

export async function readBody(req: IncomingMessage): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return { raw };
  try {
    return { raw, json: JSON.parse(raw) as unknown };
  } catch (error) {
    return { raw, jsonError: error instanceof Error ? error.message : String(error) };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-length': '0', ...headers });
  res.end();
}

/** Query string as a record; repeated names become arrays (as Jira's `fields=a&fields=b`). */
export function queryToRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}
