/**
 * Outgoing HTTP deliveries of the sandboxes (the Jira sandbox's webhooks): asynchronous, so the REST
 * answer that caused the event is never held up; retried on the statuses the sender's policy names, with short
 * delays so the local stack and the tests see in milliseconds what the real service spreads over minutes; and
 * logged, so tests can see every attempt.
 */

export interface DeliveryAttempt {
  /** 0 for the first attempt, n for the n-th retry. */
  retry: number;
  /** Epoch ms the attempt started. */
  at: number;
  /** HTTP status of the answer; absent when the connection failed or timed out. */
  status?: number;
  /** Connection error or timeout, when there was no answer. */
  error?: string;
}

export interface Delivery {
  /** Stable across retries (Jira's `X-Atlassian-Webhook-Identifier`). */
  id: string;
  url: string;
  /** What the delivery is about, e.g. `jira:issue_updated` or `fingerprint.updated`. */
  event: string;
  /** The exact bytes sent, as text. */
  rawBody: string;
  /** The parsed body, for assertions. */
  body: unknown;
  /** Headers of the first attempt (retries add a retry counter). */
  headers: Record<string, string>;
  attempts: DeliveryAttempt[];
  /** `pending` while attempts remain; `delivered` on a 2xx; `failed` on a status not retried; `gave-up` after the last retry. */
  outcome: 'pending' | 'delivered' | 'failed' | 'gave-up' | 'cancelled';
}

export interface RetryPolicy {
  /** Retries after the first attempt; default 5. */
  maxRetries?: number;
  /** Delay before each retry: one value, or one per retry (the last repeats); default 50 ms. */
  retryDelayMs?: number | number[];
  /** Deadline of one attempt; default 5 s. */
  timeoutMs?: number;
  /** Whether a status is worth retrying; connection errors and timeouts always are. */
  retryOnStatus: (status: number) => boolean;
}

export interface OutgoingMessage {
  id: string;
  url: string;
  event: string;
  body: unknown;
  rawBody: string;
  /** Headers of the attempt with this retry index (0 = first). */
  headers: (retry: number) => Record<string, string>;
  policy: RetryPolicy;
}

const DEFAULT_MAX_RETRIES = 5;
const DEFAULT_RETRY_DELAY_MS = 50;
const DEFAULT_TIMEOUT_MS = 5_000;

export class Outbox {
  readonly deliveries: Delivery[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  readonly #controllers = new Set<AbortController>();
  #closed = false;
  #generation = 0;

  /** Queues the message and returns at once; attempts start on the next turn of the event loop. */
  send(message: OutgoingMessage): Delivery {
    const delivery: Delivery = {
      id: message.id,
      url: message.url,
      event: message.event,
      rawBody: message.rawBody,
      body: message.body,
      headers: message.headers(0),
      attempts: [],
      outcome: this.#closed ? 'cancelled' : 'pending',
    };
    this.deliveries.push(delivery);
    if (this.#closed) return delivery;
    const run = this.#run(message, delivery, this.#generation).finally(() => this.#pending.delete(run));
    this.#pending.add(run);
    return delivery;
  }

  /** Resolves once every queued delivery (retries included) is finished, also those queued while waiting. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Forgets the log and cancels what is pending (their outcome becomes `cancelled`). */
  reset(): void {
    this.#generation += 1;
    this.#cancelWaits();
    this.deliveries.length = 0;
  }

  /** Cancels pending retries and in-flight attempts; later sends are logged as cancelled. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#generation += 1;
    this.#cancelWaits();
    await this.idle();
  }

  #cancelWaits(): void {
    for (const { timer, wake } of [...this.#timers]) {
      clearTimeout(timer);
      wake();
    }
    for (const controller of [...this.#controllers]) controller.abort();
  }

  async #run(message: OutgoingMessage, delivery: Delivery, generation: number): Promise<void> {
    const { policy } = message;
    const maxRetries = policy.maxRetries ?? DEFAULT_MAX_RETRIES;
    // Let the caller finish answering its own request first, as a real service's async dispatcher would.
    await this.#wait(0);
    for (let retry = 0; ; retry++) {
      if (generation !== this.#generation) {
        delivery.outcome = 'cancelled';
        return;
      }
      const attempt = await this.#attempt(message, retry, policy.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      delivery.attempts.push(attempt);
      if (generation !== this.#generation) {
        delivery.outcome = 'cancelled';
        return;
      }
      if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) {
        delivery.outcome = 'delivered';
        return;
      }
      const retryable = attempt.status === undefined || policy.retryOnStatus(attempt.status);
      if (!retryable) {
        delivery.outcome = 'failed';
        return;
      }
      if (retry >= maxRetries) {
        delivery.outcome = 'gave-up';
        return;
      }
      await this.#wait(delayFor(policy.retryDelayMs, retry));
    }
  }

  async #attempt(message: OutgoingMessage, retry: number, timeoutMs: number): Promise<DeliveryAttempt> {
    const at = Date.now();
    const controller = new AbortController();
    this.#controllers.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const response = await fetch(message.url, {
        method: 'POST',
        headers: message.headers(retry),
        body: Buffer.from(message.rawBody, 'utf8'),
        signal: controller.signal,
        redirect: 'manual',
      });
      // Drain the body so the connection is released.
      await response.arrayBuffer().catch(() => undefined);
      return { retry, at, status: response.status };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { retry, at, error: cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)) };
    } finally {
      clearTimeout(timer);
      this.#controllers.delete(controller);
    }
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        wake: () => {
          this.#timers.delete(entry);
          resolve();
        },
      };
      this.#timers.add(entry);
    });
  }
}

function delayFor(setting: number | number[] | undefined, retry: number): number {
  if (setting === undefined) return DEFAULT_RETRY_DELAY_MS;
  if (typeof setting === 'number') return setting;
  return setting[Math.min(retry, setting.length - 1)] ?? DEFAULT_RETRY_DELAY_MS;
}
