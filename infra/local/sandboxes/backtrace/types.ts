/** Public types of the Backtrace sandbox (re-exported by `backtrace-fake.ts`). Wire shapes: `wire.ts` (../shared/reference/backtrace.md sections 3.1 to 3.5). */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultFilter } from '../common/fault-queue.ts';
import type { FingerprintState, IssueInvariant, Ticket, TicketAssignee } from './wire.ts';

export type { FingerprintState, IssueInvariant, Ticket, TicketAssignee };

export interface BacktraceFakeOptions {
  /** API tokens accepted in `X-Coroner-Token` (or morgue's `?token=`); default ['sandbox-backtrace-token']. */
  tokens?: string[];
  /** Users who can `POST /api/login` (form-encoded username and password) and get a session token. Default none. */
  users?: BacktraceUser[];
  /** How long a session token stays valid; default one hour (a guess, `guesses.ts` G15). */
  sessionTtlMs?: number;
  /**
   * Whether an API token (not a session token) may `POST /api/issue`; default true. False answers such writes
   * HTTP 403 (reference section 3.7: no documented API-token scope names issue writes; `guesses.ts` G17).
   */
  apiTokensMayWriteIssues?: boolean;
  /**
   * The people of the universe, whom the page at `/` lets you act as and assign (Backtrace's UI offers the
   * universe's users). Default: ana (7), harper (8) and sam (9) at example.com, the Jira sandbox's colleagues.
   */
  people?: TicketAssignee[];
}

export interface BacktraceUser {
  username: string;
  password: string;
  /** The universe the login answer names (`universe.name`); default 'sandbox'. Sessions work in every universe. */
  universe?: string;
  /** Default: the user's position in `users`, from 1. */
  uid?: number;
}

/**
 * A person in Backtrace's UI. Each action changes the row, as one transaction, and sends nothing anywhere: like
 * Backtrace, the sandbox announces no change; a reader polls `POST /api/query`.
 */
export interface BacktraceUiSession {
  setState(universe: string, project: string, fingerprint: string, state: FingerprintState): void;
  /**
   * Sets the fingerprint's assignees (`[]` unassigns) as Backtrace's UI does: on the `_backtrace` entry (created
   * first in the list when missing) and on every other ticket entry; an open fingerprint becomes in-progress.
   */
  assign(universe: string, project: string, fingerprint: string, users: TicketAssignee[]): void;
  /** Resolve, or "resolve until" one of `invariants` matches a new error (e.g. `[{type:'version_gt', field:'version', version:'2.4.0'}]`). */
  resolve(universe: string, project: string, fingerprint: string, invariants?: IssueInvariant[]): void;
  /** Mute, or "mute until" one of `invariants` matches. */
  mute(universe: string, project: string, fingerprint: string, invariants?: IssueInvariant[]): void;
  /** Back to open (in-progress when assigned or linked, reference section 3.1). */
  reopen(universe: string, project: string, fingerprint: string): void;
}

/** A row of the `issues` table as a test reads it. */
export interface BacktraceIssue {
  state: string;
  /** `[]` when no ticket list was ever set. */
  tickets: Ticket[];
  tags: string;
  /** Absent when never set. */
  invariants?: IssueInvariant[];
  invariantReopenCount: number;
  /** Unix seconds of the last reopen by an invariant; 0 before the first. */
  invariantReopenLastTime: number;
  /** The row's `_tx`: the transaction that created it. */
  tx: number;
  /** Writes to the row since it was created: `/api/issue`, a person's actions, reopens (seeding does not count). */
  modifications: number;
}

/** The state a row had before the test. */
export interface BacktraceIssueSeed {
  state?: FingerprintState;
  tickets?: Ticket[];
  tags?: string;
  invariants?: IssueInvariant[];
  invariantReopenCount?: number;
  invariantReopenLastTime?: number;
}

export type BacktraceRoute = '/api/issue' | '/api/query' | '/api/login';

export interface BacktraceRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON body, or the raw text when it is not JSON (a login's form); absent for an empty body. */
  body?: unknown;
  /** Headers as received, token included: never print them (nor a login's body). */
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
  getIssue(universe: string, project: string, fingerprint: string): BacktraceIssue | undefined;
  /** Seed a row (the state it had before the test): no request recorded, no modification counted. */
  setIssue(universe: string, project: string, fingerprint: string, row: BacktraceIssueSeed): void;
  /** Act as a Backtrace user in the UI. */
  actAs(user: TicketAssignee): BacktraceUiSession;
  /**
   * A new error of this fingerprint arrives with these attributes (e.g. `{version: '2.4.1'}`). A resolved or muted
   * row one of whose invariants matches is reopened, as Backtrace does (reference section 3.2): state open,
   * `invariant_reopen_count` + 1, `invariant_reopen_last_time` now. Returns whether it reopened. Without invariants
   * resolved and muted are sticky. An unknown fingerprint gets its row (open).
   */
  reportError(universe: string, project: string, fingerprint: string, attributes: Record<string, string>): boolean;
  /** Every request received, faults included, in order. */
  requests: BacktraceRecordedRequest[];
  /** The recorded requests to one route, optionally of one universe and/or project (`?universe=&project=`). */
  requestsTo(route: BacktraceRoute, where?: { universe?: string; project?: string }): BacktraceRecordedRequest[];
  /** How many `POST /api/query` calls named this universe and project (refused and faulted ones included). */
  queryCount(universe: string, project: string): number;
  /** Ends every session now: their tokens are refused with 401 from then on (a login gives a new one). */
  expireSessions(): void;
  failNext(spec: BacktraceFault): void;
  /** Forget rows, requests and pending faults. Tokens, users and sessions stay; the transaction number never goes back. */
  reset(): void;
  close(): Promise<void>;
}
