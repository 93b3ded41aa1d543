/**
 * The bridge's own record of a fingerprint's Jira issue: the link, with the claim that makes its creation happen
 * once and the bookkeeping that keeps sync from echoing or going back in time.
 */

import type { FingerprintState } from './backtrace.ts';

export interface Link {
  integration: string;
  fingerprint: string;
  universe: string;
  project: string;
  /** `claimed`: someone is creating the Jira issue right now (or crashed doing so); `linked`: the issue exists. */
  status: 'claimed' | 'linked';
  /** Random token of the current claim holder; only the holder may complete or renew the claim. */
  claimToken?: string;
  /** Epoch ms after which another worker may take the claim over (and must search Jira before creating). */
  leaseUntil?: number;
  issueId?: string;
  issueKey?: string;
  issueUrl?: string;
  /** True once the ticket entry has been written to the Backtrace fingerprint. */
  ticketAttached?: boolean;
  createdAt: number;
  updatedAt: number;
  /** State/assignee sync bookkeeping: watermarks against stale deliveries, our last writes against echoes. */
  sync?: LinkSyncState;
}

/** A link whose Jira issue exists. */
export type LinkedLink = Link & { status: 'linked'; issueId: string; issueKey: string; issueUrl: string };

export const isLinked = (link: Link | undefined): link is LinkedLink =>
  link?.status === 'linked' && link.issueId !== undefined && link.issueKey !== undefined && link.issueUrl !== undefined;

/** Backtrace's synced fields as the bridge compares them. */
export interface BacktraceSide {
  state: FingerprintState;
  /** Sorted, distinct. */
  assigneeIds: number[];
}

/** Jira's synced fields as the bridge compares them. */
export interface JiraSide {
  statusId: string;
  /** The status's display name then (for a state map that names statuses; never compared to tell a change). */
  statusName?: string;
  /** `statusCategory.key` of the status: 'new', 'indeterminate', 'done' (or 'undefined'). */
  categoryKey: string;
  /** The assignee's key (accountId on Cloud, username on Data Center); null when unassigned. */
  assignee: string | null;
  /** The Fix Version names, sorted (only when `fixVersions.enabled`). */
  fixVersions?: string[];
}

/**
 * Sync bookkeeping: each side as the bridge last saw it (read, or written) when the two were last made to agree.
 * A change on either side is a difference from what was seen; a change made after the bridge last read a side is
 * never undone.
 */
export interface LinkSyncState {
  /** The fingerprint as last seen; `at` is when (bridge clock), `reopenCount` its invariant reopen count then. */
  backtrace?: BacktraceSide & { at: number; reopenCount?: number };
  /** The issue as last seen; `updatedAt` is Jira's `fields.updated` then (or our write's time). */
  jira?: JiraSide & { updatedAt: number };
  /**
   * Our last write to Jira: what we set and the Jira `updated` time we had read when deciding it. A person's change
   * made after that read and overwritten by the write is found with it, and restored.
   */
  pushedToJira?: { statusId?: string; assignee?: string | null; at: number; basedOn: number };
  /** When the poller first found the two sides disagreeing (by the state maps); cleared once they agree. */
  disagreeSince?: number;
  /** Repairs queued since the pair last agreed (each next one waits twice as long). */
  repairs?: number;
  /** The "resolved until" invariant the bridge last wrote from Jira's Fix Versions, and when; null once cleared. */
  resolvedUntil?: (VersionInvariant & { at: number }) | null;
  /** The last regression (reopen count) acted on, how, and naming which version. */
  regression?: { count: number; action: 'reopen' | 'comment' | 'new-issue' | 'none'; version?: string; at: number; issueKey?: string };
  /** A version above the resolved-until one that an error-group event brought, and when (the regression's version). */
  regressedIn?: { version: string; at: number };
  /** What the bridge knows of the error group, from its events: its Backtrace URL and the rule-set attributes' values. */
  group?: { url?: string; values: Record<string, string> };
}

/** A "resolved until version" reopen criterion (../shared/reference/backtrace.md section 3.2). */
export interface VersionInvariant {
  type: 'version_gt' | 'version_ge';
  field: string;
  version: string;
}
