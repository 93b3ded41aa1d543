/**
 * The bridge's own record of a fingerprint's Jira issue: the link, with the claim that makes its creation happen
 * once and the bookkeeping that keeps sync from echoing or going back in time.
 */

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

export interface LinkSyncState {
  /** Epoch ms (`at`) of the newest Backtrace fingerprint change applied to Jira. */
  backtraceChangeAt?: number;
  /** Epoch ms (`issue.fields.updated`) of the newest Jira change applied to Backtrace. */
  jiraUpdatedAt?: number;
  /** What we last wrote to Jira: its webhook echo is recognised and dropped. */
  pushedToJira?: { statusId?: string; assignee?: string | null; at: number };
  /** What we last wrote to Backtrace: its fingerprint.updated echo is recognised and dropped. */
  pushedToBacktrace?: { state?: string; assigneeIds?: number[]; at: number };
}
