/**
 * Durable fingerprint -> Jira issue links, the lock that makes issue creation happen exactly once per
 * (integration, fingerprint), and the sync bookkeeping on each link. Implemented on DynamoDB with single-item
 * conditional writes only (dynalite has no transactions): `shared/adapters/dynamodb/link-store.ts`.
 */
import type { Link, LinkedLink, LinkSyncState } from '../domain/model/link.ts';

export type ClaimResult =
  /** The caller now holds a fresh claim: nobody claimed before. */
  | { outcome: 'claimed'; link: Link }
  /** The caller took over an expired claim: a crash may have left a Jira issue behind, search before creating. */
  | { outcome: 'took-over'; link: Link; previous: Link }
  /** Already linked: nothing to create. */
  | { outcome: 'linked'; link: Link }
  /** Someone else holds a live claim until `link.leaseUntil`. */
  | { outcome: 'busy'; link: Link };

/** What {@link LinkStore.updateSync} merges into a linked item. */
export interface SyncPatch {
  sync?: Partial<LinkSyncState>;
  /** The issue's key and browse URL after a move to another project (same issue id). */
  issueKey?: string;
  issueUrl?: string;
  now: number;
}

/** A watermark the update must advance: it happens only when the stored one is absent or strictly older. */
export interface SyncGuard {
  watermark: 'backtraceChangeAt' | 'jiraUpdatedAt';
  value: number;
}

export interface LinkStore {
  get(integration: string, fingerprint: string): Promise<Link | undefined>;
  /** One conditional write: create a claim, or take over an expired one. Never overwrites a `linked` item. */
  claim(input: { integration: string; fingerprint: string; universe: string; project: string; token: string; now: number; leaseMs: number }): Promise<ClaimResult>;
  /**
   * Turn the caller's claim into a link. Conditional on `claimToken = token`; returns the link, or `undefined` when
   * the claim was taken over meanwhile (the caller must then not act further on this fingerprint).
   */
  completeClaim(input: { integration: string; fingerprint: string; token: string; issue: { id: string; key: string; url: string }; now: number }): Promise<LinkedLink | undefined>;
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
  /** Look a link up by Jira issue id (an index: eventually consistent). */
  findByIssueId(issueId: string): Promise<Link[]>;
  /**
   * Merge sync bookkeeping (and, for a moved issue, the new key/URL) into a linked item, in one conditional update.
   * Returns false, writing nothing, when there is no linked item, or, with `guard`, when the stored watermark is
   * not strictly older than `guard.value` (a newer change was recorded first). With `guard` the watermark itself
   * is set to `guard.value`.
   */
  updateSync(integration: string, fingerprint: string, patch: SyncPatch, guard?: SyncGuard): Promise<boolean>;
  /**
   * Forget the link (its Jira issue was deleted). With `issueId`, only while the link still points at that issue:
   * a late or redelivered deletion never removes a link made since to another issue. Idempotent.
   */
  unlink(integration: string, fingerprint: string, issueId?: string): Promise<void>;
}
