/**
 * Durable fingerprint -> Jira issue links, and the lock that makes issue creation happen exactly once per
 * (integration, fingerprint). Implemented on DynamoDB with single-item conditional writes only (dynalite has no
 * transactions): `shared/adapters/dynamodb/`.
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
  /** State/assignee sync bookkeeping (issue 3): watermarks against stale deliveries, our last writes against echoes. */
  sync?: LinkSyncState;
}

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

/** A Backtrace user seen in a fingerprint.updated event, remembered for mapping Jira users back by e-mail. */
export interface KnownBacktraceUser {
  id: number;
  username?: string;
  email?: string;
}

export type ClaimResult =
  /** The caller now holds a fresh claim: nobody claimed before. */
  | { outcome: 'claimed'; link: Link }
  /** The caller took over an expired claim: a crash may have left a Jira issue behind, search before creating. */
  | { outcome: 'took-over'; link: Link; previous: Link }
  /** Already linked: nothing to create. */
  | { outcome: 'linked'; link: Link }
  /** Someone else holds a live claim until `link.leaseUntil`. */
  | { outcome: 'busy'; link: Link };

export interface LinkStore {
  get(integration: string, fingerprint: string): Promise<Link | undefined>;
  /** Conditional write: create a claim, or take over an expired one. Never overwrites a `linked` item. */
  claim(input: { integration: string; fingerprint: string; universe: string; project: string; token: string; now: number; leaseMs: number }): Promise<ClaimResult>;
  /**
   * Turn the caller's claim into a link. Conditional on `claimToken = token`; returns false when the claim was
   * taken over meanwhile (the caller must then not act further on this fingerprint).
   */
  completeClaim(input: { integration: string; fingerprint: string; token: string; issue: { id: string; key: string; url: string }; now: number }): Promise<boolean>;
  /**
   * Give up the caller's claim without linking (the caller knows it created no Jira issue, e.g. Jira refused the
   * fields), so a redelivery after a config fix need not wait for the lease. The claim is expired rather than
   * deleted: the next claimer gets `took-over` and searches Jira first, which stays safe even if an earlier holder
   * crashed after creating an issue. Conditional on `claimToken = token`; returns false when the caller no longer
   * holds the claim. Never touches a `linked` item.
   */
  releaseClaim(input: { integration: string; fingerprint: string; token: string; now: number }): Promise<boolean>;
  /** Record that the Backtrace ticket entry was written. Idempotent. */
  markTicketAttached(integration: string, fingerprint: string, now: number): Promise<void>;
  /** Look a link up by Jira issue id (GSI). */
  findByIssueId(issueId: string): Promise<Link[]>;

  // --- State and assignee sync (issue 3) ---------------------------------------------------------------------
  /**
   * Merge sync bookkeeping (and, for a moved issue, the new key/URL) into a linked item, in one conditional update.
   * Returns false, writing nothing, when there is no linked item, or, with `guard`, when the stored watermark is
   * not strictly older than `guard.value` (a newer change was recorded first). With `guard` the watermark itself
   * is set to `guard.value`.
   */
  updateSync(
    integration: string,
    fingerprint: string,
    patch: { sync?: Partial<LinkSyncState>; issueKey?: string; issueUrl?: string; now: number },
    guard?: { watermark: 'backtraceChangeAt' | 'jiraUpdatedAt'; value: number },
  ): Promise<boolean>;
  /**
   * Forget the link (its Jira issue was deleted). With `issueId`, only while the link still points at that issue:
   * a late or redelivered deletion never removes a link made since to another issue. Idempotent.
   */
  unlink(integration: string, fingerprint: string, issueId?: string): Promise<void>;
  /** Record a webhook delivery id; false when it was recorded before (a retry or duplicate). Expires after `ttlSeconds`. */
  recordDelivery(deliveryId: string, now: number, ttlSeconds: number): Promise<boolean>;
  /** Whether a delivery id was recorded and has not expired; reads only. */
  seenDelivery(deliveryId: string, now: number): Promise<boolean>;
  /** Remember Backtrace users seen in events (per universe), for mapping Jira users back by e-mail. */
  rememberBacktraceUsers(universe: string, users: KnownBacktraceUser[], now: number): Promise<void>;
  findBacktraceUserByEmail(universe: string, email: string): Promise<KnownBacktraceUser | undefined>;
}
