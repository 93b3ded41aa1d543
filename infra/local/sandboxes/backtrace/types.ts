/** Public types of the Backtrace sandbox (re-exported by `backtrace-fake.ts`). Wire shapes: `wire.ts` (../shared/reference/backtrace.md sections 3.1, 3.4, 3.5). */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultFilter } from '../common/fault-queue.ts';
import type { Delivery } from '../common/outbox.ts';
import type { FingerprintState, Ticket, TicketAssignee } from './wire.ts';

export type { FingerprintState, Ticket, TicketAssignee };
export type { Delivery, DeliveryAttempt } from '../common/outbox.ts';

export interface BacktraceFakeOptions {
  /** API tokens accepted in `X-Coroner-Token` (or morgue's `?token=`); default ['sandbox-backtrace-token']. */
  tokens?: string[];
  /** Where to POST `fingerprint.updated` events; can also be set (or changed) later with `setChangeEvents`. */
  changeEvents?: ChangeFeedOptions;
}

/**
 * The change feed: `{"type":"fingerprint.updated", universe, project, fingerprint, state, assignees, invariants?,
 * invariant_reopen_count, at}` (at = ISO-8601 time of the change, strictly increasing) for every change of a
 * fingerprint's state or `_backtrace` assignees, POSTed with HTTP Basic credentials.
 */
export interface ChangeFeedOptions {
  url: string;
  basicAuth: { username: string; password: string };
  /** Retries after the first attempt (on 429/5xx and connection errors); default 3. */
  maxRetries?: number;
  /** Delay before each retry; default 50 ms. */
  retryDelayMs?: number | number[];
  /** Deadline of one attempt; default 5 s. */
  timeoutMs?: number;
}

/** A person in Backtrace's UI: each change goes through the change feed, like an API write. */
export interface BacktraceUiSession {
  setState(universe: string, project: string, fingerprint: string, state: FingerprintState): void;
  /**
   * Sets the fingerprint's assignees (`[]` unassigns) as Backtrace's UI does: on the `_backtrace` entry (created
   * first in the list when missing) and on every other ticket entry; an open fingerprint becomes in-progress.
   */
  assign(universe: string, project: string, fingerprint: string, users: TicketAssignee[]): void;
}

/** One row of the `issues` table as the sandbox keeps it. */
export interface IssueRow {
  state: string;
  tickets: Ticket[];
  tags: string;
  invariants?: unknown[];
}

export interface BacktraceRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON body, or the raw text when it is not JSON; absent for an empty body. */
  body?: unknown;
  /** Headers as received, token included: never print them. */
  headers: IncomingHttpHeaders;
}

export interface BacktraceFault extends FaultFilter {
  /** Status to answer with (200 with a `body` scripts an embedded `{error}` or odd results). Absent = answer normally after `delayMs`. */
  status?: number;
  /** Response body; default `{error:{code,message}}`; `null` = empty body. */
  body?: unknown;
  delayMs?: number;
  headers?: Record<string, string>;
}

export interface BacktraceFake {
  url: string;
  /** The fingerprint's row, or undefined when nothing was ever written to it (Backtrace would show it open, no tickets). */
  getIssue(universe: string, project: string, fingerprint: string): { state: string; tickets: Ticket[] } | undefined;
  /** Seed a row (the state it had before the test): nothing is sent to the change feed. */
  setIssue(universe: string, project: string, fingerprint: string, row: { state?: FingerprintState; tickets?: Ticket[]; tags?: string }): void;
  /** Act as a Backtrace user in the UI; changes are announced on the change feed. */
  actAs(user: TicketAssignee): BacktraceUiSession;
  /** Point the change feed at a URL (e.g. once the bridge's ingest route is known), or switch it off. */
  setChangeEvents(options: ChangeFeedOptions | undefined): void;
  /** Every change-feed delivery, in the order the changes happened, with each attempt's outcome. */
  changeDeliveries: Delivery[];
  /** Resolves when no change-feed delivery or retry is pending. */
  changesIdle(): Promise<void>;
  requests: BacktraceRecordedRequest[];
  failNext(spec: BacktraceFault): void;
  /** Forget rows, requests, pending faults and change deliveries (pending ones are cancelled); the feed stays configured. */
  reset(): void;
  close(): Promise<void>;
}
