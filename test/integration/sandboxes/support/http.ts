/** Small HTTP helpers for driving the sandboxes from tests with Node's fetch. */

export const basicAuth = (user: string, secret: string): string => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

/** The Jira sandbox's default credentials. */
export const SANDBOX_AUTH = basicAuth('bot@example.com', 'sandbox-token');

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body when it is JSON. */
  json: any;
}

export async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: string | null; signal?: AbortSignal } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.auth !== null) headers.authorization ??= init.auth ?? SANDBOX_AUTH;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    signal: init.signal,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
