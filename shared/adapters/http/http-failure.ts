/**
 * One failed HTTP exchange, described without anything secret. HTTP client errors may carry the request (and with it
 * the Authorization / X-Coroner-Token headers), so they are never passed on as a `cause`: {@link HttpExchangeError}
 * is what error chains and logs get instead.
 */

export type HttpFailureKind = 'status' | 'timeout' | 'network';

export interface HttpFailure {
  kind: HttpFailureKind;
  method: string;
  /** Scheme, host and path only: no user-info, no query string. */
  url: string;
  /** Path relative to the adapter's base URL, as the adapter asked for it (e.g. `issue`, `api/query`). */
  path: string;
  status?: number;
  /** Response body, parsed when it was JSON. */
  body?: unknown;
  /** Response headers, lower-cased names. */
  headers: Record<string, string>;
  /** Node error code of a network failure (ECONNREFUSED, ECONNRESET, ...). */
  code?: string;
  /**
   * False when the request certainly never reached the server's application (connection refused, rate-limited,
   * unavailable), so even a non-idempotent request may be repeated.
   */
  mayHaveBeenProcessed: boolean;
}

const BODY_EXCERPT_CHARS = 2_000;

/** A log-safe stand-in for the HTTP client's error: status, method, URL, error code and a short excerpt of the body. */
export class HttpExchangeError extends Error {
  override readonly name = 'HttpExchangeError';
  readonly status?: number;
  readonly method: string;
  readonly url: string;
  readonly code?: string;
  readonly body?: string;
  constructor(failure: HttpFailure) {
    super(describeExchange(failure));
    this.status = failure.status;
    this.method = failure.method;
    this.url = failure.url;
    this.code = failure.code;
    this.body = bodyExcerpt(failure.body);
  }
}

/** `POST http://host/rest/api/2/issue: HTTP 400`, `... timed out`, `... connection failed (ECONNREFUSED)`. */
export function describeExchange(failure: HttpFailure): string {
  const where = `${failure.method} ${failure.url}`;
  switch (failure.kind) {
    case 'status':
      return `${where}: HTTP ${failure.status}`;
    case 'timeout':
      return `${where}: no answer in time`;
    case 'network':
      return `${where}: connection failed (${failure.code ?? 'network error'})`;
  }
}

/** Drops user-info and the query string: neither belongs in a message. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function bodyExcerpt(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}...` : text;
}
