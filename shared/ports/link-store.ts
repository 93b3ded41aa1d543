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

/** The outcome of asking for a link's sync lease. */
export type SyncLeaseResult =
  /** The caller holds the lease; `link` is the item as it is now (read consistently, by the same write). */
  | { outcome: 'acquired'; link: LinkedLink }
  /** Another worker holds it until `until` (epoch ms). */
  | { outcome: 'busy'; until: number }
  /** No linked item (never linked, only claimed, or unlinked). */
  | { outcome: 'missing' };

/** What a sync records on the link, while holding its lease. */
export interface SyncRecord {
  integration: string;
  fingerprint: string;
  /** The lease token given to {@link LinkStore.acquireSync} (or to `completeClaim`). */
  token: string;
  /** Fields given replace the stored ones whole; others stay. */
  sync?: Partial<LinkSyncState>;
  /** The issue's key and browse URL after a move to another project (same issue id). */
  issueKey?: string;
  issueUrl?: string;
  /** A new issue for the fingerprint (a regression's `new-issue`): the link moves to it, with key and URL. */
  issueId?: string;
  now: number;
  /** Give the lease up with this write. */
  release: boolean;
}

export interface LinkStore {
  get(integration: string, fingerprint: string): Promise<Link | undefined>;
  /** One conditional write: create a claim, or take over an expired one. Never overwrites a `linked` item. */
  claim(input: { integration: string; fingerprint: string; universe: string; project: string; token: string; now: number; leaseMs: number }): Promise<ClaimResult>;
  /**
   * Turn the caller's claim into a link. Conditional on `claimToken = token`; returns the link, or `undefined` when
   * the claim was taken over meanwhile (the caller must then not act further on this fingerprint). With
   * `syncLeaseMs`, the caller also holds the link's sync lease (token = the claim token) for its first sync, so no
   * Jira webhook about the new issue is applied before the link-time sync has read both sides.
   */
  completeClaim(input: { integration: string; fingerprint: string; token: string; issue: { id: string; key: string; url: string }; now: number; syncLeaseMs?: number }): Promise<LinkedLink | undefined>;
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
  /** Every linked item of an integration, page by page (the poller's list). */
  listLinked(integration: string): AsyncIterable<LinkedLink[]>;
  /**
   * The link's sync lease: one worker at a time reads and writes a linked pair, whichever direction started it, so
   * no two writes cross. Taken when free or expired (or already ours); `leaseMs` bounds how long a crashed holder
   * blocks the others.
   */
  acquireSync(input: { integration: string; fingerprint: string; token: string; now: number; leaseMs: number }): Promise<SyncLeaseResult>;
  /**
   * Record what a sync saw and wrote, conditional on holding the lease (`token`). False, writing nothing, when the
   * lease was lost (it expired and another worker took it: that worker reads both sides again).
   */
  recordSync(record: SyncRecord): Promise<boolean>;
  /**
   * What an error-group event told about a linked fingerprint: the group's URL and rule-set values, and a version
   * above its resolved-until one. Needs no lease (no sync writes these; a sync reads them). No-op when not linked.
   */
  noteErrorGroup(integration: string, fingerprint: string, note: Pick<LinkSyncState, 'group' | 'regressedIn'>, now: number): Promise<void>;
  /**
   * The poller's note that the pair disagrees since `since` (null: it agrees again, and the repair count goes too),
   * with the repairs queued so far. Needs no lease.
   */
  noteDisagreement(integration: string, fingerprint: string, since: number | null, now: number, repairs?: number): Promise<void>;
  /**
   * Forget the link (its Jira issue was deleted). With `issueId`, only while the link still points at that issue:
   * a late or redelivered deletion never removes a link made since to another issue. Idempotent.
   */
  unlink(integration: string, fingerprint: string, issueId?: string): Promise<void>;
}
