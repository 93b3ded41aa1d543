/** Public types of the Backtrace fake (re-exported by `backtrace-fake.ts`). Shapes: ../shared/reference/backtrace.md 3.4, 3.5, 5. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FingerprintState, Ticket } from '../../../shared/ports/backtrace-issues.ts';
import type { FaultFilter } from '../shared/fault-queue.ts';

export type { FingerprintState, Ticket };

export interface BacktraceFakeOptions {
  /** API tokens accepted in `X-Coroner-Token` (or morgue's `?token=`); default ['sandbox-backtrace-token']. */
  tokens?: string[];
}

/** One row of the `issues` table as the fake keeps it. */
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
  /** Seed a row, as if someone had changed it in Backtrace's UI. */
  setIssue(universe: string, project: string, fingerprint: string, row: { state?: FingerprintState; tickets?: Ticket[]; tags?: string }): void;
  requests: BacktraceRecordedRequest[];
  failNext(spec: BacktraceFault): void;
  /** Forget rows, requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}
