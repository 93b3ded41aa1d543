/**
 * The one way adapters talk HTTP: axios (its `fetch` adapter, Node's own fetch) with a per-request deadline, short in-process retries while the total wait
 * stays small, and every failure turned into {@link RetryableError} or {@link PermanentError}.
 *
 * Why no retry library: the wait comes from the server's answer (Retry-After, X-RateLimit-Reset) and a wait beyond
 * the inline budget must surface as `retryAfterMs` so the worker hands the message back to its queue instead of
 * sleeping in a Lambda. p-retry / axios-retry compute their own delays and would need that logic bolted on anyway;
 * the loop below is the whole policy.
 *
 * Why the fetch adapter, not axios' Node `http` adapter: the function bundles leave the http adapter out (it brings
 * follow-redirects, proxy-from-env, https-proxy-agent and debug, ~50 KiB of each bundle; see
 * infra/constructs/bundle-options.ts), and the tests must run the adapter the bundles run.
 */
import axios, { type AxiosResponse, type RawAxiosResponseHeaders, type AxiosResponseHeaders } from 'axios';
import { PermanentError, RateLimitWaitError, RetryableError } from '../../ports/errors.ts';
import type { ErrorClass, ExternalSystem, Metrics } from '../../ports/metrics.ts';
import type { PaceKey, RateLimiter } from '../../ports/rate-limiter.ts';
import { HttpExchangeError, describeExchange, safeUrl, type HttpFailure } from './http-failure.ts';
import { retryAfterMs as serverRetryAfterMs, retryDelayMs } from './retry-delay.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_INLINE_WAIT_MS = 5_000;
/** Atlassian's guidance: at most about 4 retries. */
export const DEFAULT_MAX_RETRIES = 4;
/** How long a paced bucket holds after a 429 that said neither Retry-After nor X-RateLimit-Reset. */
export const UNTOLD_429_HOLD_MS = 1_000;

/** Turns a failure into a message an admin can act on; `undefined` falls back to a generic description. */
export type ExplainFailure = (failure: HttpFailure) => string | undefined | Promise<string | undefined>;

export interface RequestRunnerOptions {
  /** The outside system's name for messages and metrics: `Jira`, `Backtrace`. */
  system: ExternalSystem;
  /** Counts each failed request by class (`JiraErrors` / `BacktraceErrors`), each 429 and each in-process retry. @default - none */
  metrics?: Metrics;
  /** Absolute base URL; request paths are resolved against it. */
  baseUrl: string;
  /** Deadline for one attempt, from sending to the last byte of the answer. Default 10 s. */
  timeoutMs?: number;
  /** Longest total time to sleep across inline retries; a longer required wait throws instead. Default 5 s. */
  maxInlineWaitMs?: number;
  maxRetries?: number;
  /** Extra headers for one attempt (authentication). Called per attempt, so signatures get a fresh nonce. */
  headers?: (request: { method: string; url: string }) => Record<string, string>;
  /** Default message builder for this system's failures. */
  explain?: ExplainFailure;
  /**
   * Shared pacing: every attempt first takes a slot from `limiter` (bucket `bucket(method, path)`, at most `ceiling`
   * per second) and a 429 lowers that bucket's rate. A slot further away than the inline budget left, or a 429 still
   * unanswered after the retries, throws {@link RateLimitWaitError} (nothing sent; the worker re-queues the message).
   * Without it, attempts go out at once and a 429 waits its Retry-After inline.
   */
  pacing?: { limiter: RateLimiter; ceiling: number; bucket: (method: string, path: string) => PaceKey };
  /** Injectable for tests; default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests; default `Date.now`. */
  now?: () => number;
  /** Injectable for tests; default `Math.random`. */
  random?: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the base URL, without a leading slash: `issue`, `search/jql`, `api/query`. */
  path: string;
  query?: Record<string, string>;
  /** A JSON body. */
  body?: unknown;
  /** A form body (`application/x-www-form-urlencoded`), instead of `body`. */
  form?: Record<string, string>;
  /**
   * Whether repeating the request is harmless. Default: every method but POST. A non-idempotent request is
   * repeated in-process only when the server certainly did not act on it (429, 503, connection refused); after a
   * timeout or a dropped connection the caller must find out first (a created Jira issue is found by its label).
   */
  idempotent?: boolean;
  /** Overrides the runner's `explain` for this request; return `undefined` to fall back to it. */
  explain?: ExplainFailure;
}

export interface HttpResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

export interface RequestRunner {
  /** Resolves with a 2xx answer, or throws {@link RetryableError} / {@link PermanentError}. */
  request<T>(request: HttpRequest): Promise<HttpResponse<T>>;
}

type Decision = 'permanent' | 'retry-inline' | 'retry-later';

/**
 * @example
 * const http = createRequestRunner({ system: 'Jira', baseUrl: 'https://acme.atlassian.net/rest/api/2/',
 *   headers: () => ({ Authorization: basic }), maxInlineWaitMs: 5_000 });
 * const { data } = await http.request<{ deploymentType: string }>({ method: 'GET', path: 'serverInfo' });
 */
/**
 * Runs a pacing step (the bucket's reservation, or its hold after a 429) that comes before this attempt is sent: if
 * it fails (the bucket's DynamoDB table throttled or unreachable), the request was certainly not applied (not sent,
 * or answered 429), so a non-idempotent call such as issue creation may be repeated at once. Without the mark, the
 * create use-case kept its claim and waited out the whole lease before looking for an issue that was never made.
 */
async function beforeSending<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof RetryableError && !error.notApplied) throw new RetryableError(error.message, { retryAfterMs: error.retryAfterMs, cause: error, notApplied: true });
    throw error;
  }
}

export function createRequestRunner(options: RequestRunnerOptions): RequestRunner {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxInlineWaitMs = options.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const client = axios.create({
    adapter: 'fetch',
    timeout: timeoutMs,
    // A redirect would replay credentials to wherever it points, and turns a POST into a GET: refuse it instead.
    // The fetch adapter turns `maxRedirects: 0` into `redirect: 'manual'`; said twice so neither can drift alone.
    maxRedirects: 0,
    fetchOptions: { redirect: 'manual' },
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });

  async function attempt(request: HttpRequest, url: string): Promise<AxiosResponse | HttpFailure> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const method = request.method;
    try {
      return await client.request({
        method,
        url,
        data: request.form ? new URLSearchParams(request.form).toString() : request.body,
        headers: {
          Accept: 'application/json',
          ...(request.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers?.({ method, url }),
        },
        // The signal bounds the whole exchange, answer body included, whatever the adapter does with `timeout`.
        signal: deadline,
      });
    } catch (error) {
      return networkFailure(error, { method, url, path: request.path, timedOut: deadline.aborted });
    }
  }

  async function fail(request: HttpRequest, failure: HttpFailure, decision: Decision, retryAfterMs: number): Promise<never> {
    const explained = (await safely(request.explain, failure)) ?? (await safely(options.explain, failure));
    const message = explained ?? `${options.system}: ${describeExchange(failure)}`;
    const cause = new HttpExchangeError(failure);
    options.metrics?.count(options.system === 'Jira' ? 'JiraErrors' : 'BacktraceErrors', { errorClass: errorClassOf(failure) });
    if (decision === 'permanent') throw new PermanentError(message, { status: failure.status, cause });
    throw new RetryableError(`${message} (retry in ${Math.ceil(retryAfterMs / 1000)} s)`, { retryAfterMs, cause, notApplied: !failure.mayHaveBeenProcessed });
  }

  return {
    async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      const url = resolveUrl(baseUrl, request.path, request.query);
      const idempotent = request.idempotent ?? request.method !== 'POST';
      const pacing = options.pacing;
      const bucket = pacing?.bucket(request.method, request.path);
      let waitedMs = 0;
      for (let retryIndex = 0; ; retryIndex++) {
        if (pacing && bucket) {
          const slot = await beforeSending(() => pacing.limiter.reserve(bucket, pacing.ceiling, Math.max(0, maxInlineWaitMs - waitedMs)));
          if (!slot.granted) {
            throw new RateLimitWaitError(`${options.system}: no slot for ${request.method} ${safeUrl(url)} within the inline budget at ${pacing.ceiling} requests/s (${bucket.endpoint}); waiting ${Math.ceil(slot.waitMs / 1000)} s on the queue`, {
              retryAfterMs: slot.waitMs,
              notApplied: true,
            });
          }
          if (slot.waitMs > 0) {
            await sleep(slot.waitMs);
            waitedMs += slot.waitMs;
          }
        }
        const outcome = await attempt(request, url);
        if (!isFailure(outcome) && outcome.status >= 200 && outcome.status < 300) {
          return { status: outcome.status, data: outcome.data as T, headers: lowerCaseHeaders(outcome.headers) };
        }
        const failure = isFailure(outcome) ? outcome : statusFailure(outcome, request.path);
        const decision = decide(failure, idempotent);
        if (failure.status === 429) options.metrics?.count('RateLimited', { system: options.system });
        if (pacing && bucket && failure.status === 429) {
          // The bucket is the wait now: its hold covers Retry-After for every worker, and the next reservation
          // waits it out (or sends the message back to its queue when it is longer than the budget left).
          // A 429 without either header still holds a second: burst buckets refill per second, and the documented
          // burst 429 says `Retry-After: 1` (../shared/reference/jira-rest-v2.md section 8.1).
          const told = serverRetryAfterMs(failure.headers['retry-after'], now()) ?? resetMs(failure.headers['x-ratelimit-reset'], now());
          const waitMs = told !== undefined && told > 0 ? told : UNTOLD_429_HOLD_MS;
          await beforeSending(() => pacing.limiter.penalize(bucket, pacing.ceiling, waitMs));
          if (retryIndex < maxRetries) {
            options.metrics?.count('Retries', { system: options.system });
            continue;
          }
          const explained = (await safely(request.explain, failure)) ?? (await safely(options.explain, failure)) ?? `${options.system}: ${describeExchange(failure)}`;
          throw new RateLimitWaitError(`${explained} (retry in ${Math.ceil(waitMs / 1000)} s)`, { retryAfterMs: waitMs, cause: new HttpExchangeError(failure), notApplied: true });
        }
        const waitMs = retryDelayMs({ headers: failure.headers, retryIndex, now: now(), random: random() });
        if (decision === 'retry-inline' && retryIndex < maxRetries && waitedMs + waitMs <= maxInlineWaitMs) {
          options.metrics?.count('Retries', { system: options.system });
          await sleep(waitMs);
          waitedMs += waitMs;
          continue;
        }
        return fail(request, failure, decision === 'permanent' ? 'permanent' : 'retry-later', waitMs);
      }
    },
  };
}

/**
 * 429/5xx/408/409, timeouts and connection errors can succeed later; anything else (400, 401, 403, 404, 422,
 * redirects) cannot. In-process retries only where repeating cannot do the work twice.
 */
function decide(failure: HttpFailure, idempotent: boolean): Decision {
  if (failure.kind === 'status') {
    const status = failure.status ?? 0;
    const retryable = status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
    if (!retryable) return 'permanent';
  }
  // A conflict is another writer's moment; the queue's delay is the better place to wait for it.
  if (failure.status === 409) return 'retry-later';
  return idempotent || !failure.mayHaveBeenProcessed ? 'retry-inline' : 'retry-later';
}

/** The metric class of a failure (see {@link ErrorClass}). */
export function errorClassOf(failure: HttpFailure): ErrorClass {
  if (failure.kind === 'timeout') return 'Timeout';
  if (failure.kind === 'network') return 'Network';
  const status = failure.status ?? 0;
  if (status === 429) return 'RateLimited';
  if (status >= 500) return 'ServerError';
  if (status === 401 || status === 403) return 'Auth';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  return 'Refused';
}

function statusFailure(response: AxiosResponse, path: string): HttpFailure {
  const status = response.status;
  return {
    kind: 'status',
    method: (response.config.method ?? 'GET').toUpperCase(),
    url: safeUrl(response.config.url ?? ''),
    path,
    status,
    body: response.data === '' ? undefined : response.data,
    headers: lowerCaseHeaders(response.headers),
    // 429 and 503 are refusals before any work (Jira's rate limiter, an unavailable node).
    mayHaveBeenProcessed: !(status === 429 || status === 503),
  };
}

/** Codes meaning the connection was never established, so the server never saw the request. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function networkFailure(error: unknown, at: { method: string; url: string; path: string; timedOut: boolean }): HttpFailure {
  const code = socketCode(error);
  const timedOut = at.timedOut || code === 'ETIMEDOUT' || code === 'ECONNABORTED';
  return {
    kind: timedOut ? 'timeout' : 'network',
    method: at.method,
    url: safeUrl(at.url),
    path: at.path,
    headers: {},
    code: timedOut ? 'ETIMEDOUT' : code,
    mayHaveBeenProcessed: timedOut || code === undefined || !NOT_SENT_CODES.has(code),
  };
}

/** `X-RateLimit-Reset` (ISO-8601): a gateway 429 may carry only that. */
function resetMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const date = Date.parse(value.trim());
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** undici's names for what Node's sockets call ECONNRESET / ETIMEDOUT. */
const UNDICI_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
};

/**
 * The socket's error code behind a failed request. axios' fetch adapter reports `ERR_NETWORK` and keeps fetch's
 * error as `cause`; the socket's code (ECONNREFUSED, ENOTFOUND, ...) sits on that cause, on its own cause, or on
 * the first error of an AggregateError (every address of a host refused). A timeout is axios' own ETIMEDOUT.
 */
function socketCode(error: unknown): string | undefined {
  let fallback: string | undefined;
  const seen = new Set<unknown>();
  for (let current = error; typeof current === 'object' && current !== null && !seen.has(current); ) {
    seen.add(current);
    const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
    if (code !== undefined && code !== 'ERR_NETWORK') return UNDICI_CODES[code] ?? code;
    if (code !== undefined) fallback ??= code;
    const errors = current instanceof AggregateError ? (current.errors as unknown[]) : [];
    current = 'cause' in current && current.cause !== undefined ? current.cause : errors[0];
  }
  return fallback;
}

function resolveUrl(baseUrl: string, path: string, query: Record<string, string> | undefined): string {
  const url = new URL(path.replace(/^\/+/, ''), baseUrl);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url.toString();
}

function lowerCaseHeaders(headers: RawAxiosResponseHeaders | AxiosResponseHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

function isFailure(outcome: AxiosResponse | HttpFailure): outcome is HttpFailure {
  return 'kind' in outcome && 'mayHaveBeenProcessed' in outcome;
}

/** A message builder that itself fails must not hide the original failure. */
async function safely(explain: ExplainFailure | undefined, failure: HttpFailure): Promise<string | undefined> {
  if (!explain) return undefined;
  try {
    return await explain(failure);
  } catch {
    return undefined;
  }
}
