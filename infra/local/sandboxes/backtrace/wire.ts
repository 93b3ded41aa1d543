/**
 * Backtrace's wire shapes as the sandbox speaks them, written from Backtrace's documentation as collected in
 * ../shared/reference/backtrace.md (the folder beside the repository) and not taken from the bridge's own types:
 * the sandbox is an independent witness, so an adapter that misreads the API fails against it instead of agreeing
 * with it by construction.
 */

/** A fingerprint's workflow states (reference section 3.1, forensics `TicketState`); there is no "ignored". */
export const FINGERPRINT_STATES = ['open', 'in-progress', 'resolved', 'muted'] as const;

export type FingerprintState = (typeof FINGERPRINT_STATES)[number];

/** The `watcher` of Backtrace's own pseudo-ticket, which carries the fingerprint's assignees (reference section 3.4). */
export const BACKTRACE_WATCHER = '_backtrace';

/**
 * A Backtrace user on a ticket entry: `id` is the Backtrace uid, username and e-mail are informational
 * (reference section 3.4; optional as `/api/issue` takes them, section 3.5 `UpdateTicketRequest`).
 */
export interface TicketAssignee {
  id: number;
  username?: string;
  email?: string;
}

/**
 * One entry of a fingerprint's `ticket` list, as `POST /api/issue` takes it (reference section 3.5
 * `UpdateTicketRequest`) and the `ticket` column gives it back (section 3.4). `watcher` is the integration's name,
 * `_backtrace` Backtrace's own entry.
 */
export interface Ticket {
  watcher: string;
  assignees?: TicketAssignee[];
  state?: FingerprintState;
  short?: string;
  url?: string;
}

/**
 * A reopen criterion ("resolve until" / "mute until"), as `/api/issue` takes it in `invariants.value` and the
 * `invariants` column gives it back as a JSON string (reference sections 3.2 and 5.3, forensics `IssueInvariant.ts`).
 * A list of them is OR-ed; `and` nests one level only.
 */
export type IssueInvariant = VersionIssueInvariant | TimestampIssueInvariant | RegexIssueInvariant | AndIssueInvariant;

export interface VersionIssueInvariant {
  type: 'version_gt' | 'version_ge';
  /** The attribute that holds the version, e.g. `version`. */
  field: string;
  version: string;
}

export interface TimestampIssueInvariant {
  type: 'timestamp_gt';
  /** Unix seconds; "resolve until seen again" is `1`. */
  timestamp: number;
}

export interface RegexIssueInvariant {
  type: 'regular_expression';
  field: string;
  /** PCRE in Backtrace. */
  pattern: string;
}

export interface AndIssueInvariant {
  type: 'and';
  children: Exclude<IssueInvariant, AndIssueInvariant>[];
}

export const INVARIANT_TYPES = ['version_gt', 'version_ge', 'timestamp_gt', 'regular_expression', 'and'] as const;
