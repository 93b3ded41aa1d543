/**
 * The fingerprint change feed: whenever a fingerprint's state or its `_backtrace` assignees change (through
 * `/api/issue`, the bridge's own writes included, or a person in the UI), a `fingerprint.updated` event is POSTed
 * to the configured URL with HTTP Basic credentials, retried on 429/5xx and connection errors. The event is the
 * bridge's own documented contract (README "State and assignee sync").
 */
import { randomUUID } from 'node:crypto';
import type { Outbox } from '../common/outbox.ts';
import type { StoredRow } from './issue-table.ts';
import type { ChangeFeedOptions } from './types.ts';
import { BACKTRACE_WATCHER, type TicketAssignee } from './wire.ts';

/** What a change is compared on: the state and the `_backtrace` entry's assignees. */
export interface RowSnapshot {
  state: string;
  assignees: string;
}

export function backtraceAssignees(row: StoredRow): TicketAssignee[] {
  return structuredClone(row.tickets?.find((t) => t.watcher === BACKTRACE_WATCHER)?.assignees ?? []);
}

export function snapshot(row: StoredRow): RowSnapshot {
  return { state: row.state, assignees: JSON.stringify(backtraceAssignees(row).map((a) => a.id)) };
}

const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

export class ChangeFeed {
  #options: ChangeFeedOptions | undefined;
  readonly #outbox: Outbox;
  #lastAt = 0;

  constructor(outbox: Outbox, options?: ChangeFeedOptions) {
    this.#outbox = outbox;
    this.configure(options);
  }

  /** Points the feed somewhere else, or (undefined) switches it off. */
  configure(options: ChangeFeedOptions | undefined): void {
    if (options && !URL.canParse(options.url)) throw new Error(`Backtrace fake: changeEvents.url is not an absolute URL: ${JSON.stringify(options.url)}`);
    this.#options = options;
  }

  /** Sends an event when the row differs from `before` in state or `_backtrace` assignees. */
  changed(universe: string, project: string, row: StoredRow, before: RowSnapshot): void {
    const after = snapshot(row);
    if (after.state === before.state && after.assignees === before.assignees) return;
    // `at` moves strictly forward so two changes in one millisecond still order.
    this.#lastAt = Math.max(Date.now(), this.#lastAt + 1);
    const options = this.#options;
    if (!options) return;
    const event = {
      type: 'fingerprint.updated',
      universe,
      project,
      fingerprint: row.fingerprint,
      state: row.state,
      assignees: backtraceAssignees(row),
      ...(row.invariants === undefined ? {} : { invariants: structuredClone(row.invariants) }),
      invariant_reopen_count: row.invariantReopenCount,
      at: new Date(this.#lastAt).toISOString(),
    };
    const rawBody = JSON.stringify(event);
    const authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`, 'utf8').toString('base64')}`;
    this.#outbox.send({
      id: randomUUID(),
      url: options.url,
      event: event.type,
      body: event,
      rawBody,
      headers: () => ({ 'Content-Type': 'application/json', Authorization: authorization, 'User-Agent': 'Backtrace fake change feed' }),
      policy: { maxRetries: options.maxRetries ?? 3, retryDelayMs: options.retryDelayMs, timeoutMs: options.timeoutMs, retryOnStatus: isRetryableStatus },
    });
  }
}
