/** Public types of the Backtrace sandbox (re-exported by `backtrace-fake.ts`). Wire shapes: `wire.ts` (../shared/reference/backtrace.md sections 3.1, 3.4, 3.5). */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultFilter } from '../common/fault-queue.ts';
import type { FingerprintState, Ticket, TicketAssignee } from './wire.ts';

export type { FingerprintState, Ticket, TicketAssignee };

export interface BacktraceFakeOptions {
  /** API tokens accepted in `X-Coroner-Token` (or morgue's `?token=`); default ['sandbox-backtrace-token']. */
  tokens?: string[];
}

/** A person in Backtrace's UI: each change only changes the row; like Backtrace, the sandbox announces nothing (a reader polls `/api/query`). */
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
  /** Seed a row (the state it had before the test). */
  setIssue(universe: string, project: string, fingerprint: string, row: { state?: FingerprintState; tickets?: Ticket[]; tags?: string }): void;
  /** Act as a Backtrace user in the UI. */
  actAs(user: TicketAssignee): BacktraceUiSession;
  requests: BacktraceRecordedRequest[];
  failNext(spec: BacktraceFault): void;
  /** Forget rows, requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}
