/**
 * Echo recognition from the delivery alone: is a Jira webhook delivery the echo of something the bridge itself did
 * (its create, or a write it recorded on the link), so that it is dropped before any Jira or Backtrace read?
 *
 * Pure: the delivery as parsed, the integration's own Jira account (when already known) and what the link records.
 * Anything it does not recognise is not an echo and is synced from both sides as usual, so a mistake here can only
 * cost reads, never a person's change: each rule below drops only deliveries that carry nothing the bridge has not
 * read or written itself.
 */
import type { JiraIssueEvent } from '../jira/jira-webhook.ts';
import type { JiraUser } from '../model/jira.ts';
import type { LinkSyncState } from '../model/link.ts';
import { madeByUs } from './sync-plan.ts';

/** Why a delivery is our echo. */
export type EchoReason =
  /** The linked issue's own creation: only the bridge creates (or adopts) linked issues, and reads them after. */
  | 'our-create'
  /** Made by the integration's own Jira account. */
  | 'our-account'
  /** No author given, and it sets exactly what the bridge's last write set, at the time of that write. */
  | 'our-recorded-write';

export type EchoVerdict = { echo: true; reason: EchoReason } | { echo: false };

/** How far Jira's clock may be from ours when a delivery's time is matched to our recorded write's time. */
export const ECHO_CLOCK_SKEW_MS = 5_000;

export interface EchoInput {
  delivery: Pick<JiraIssueEvent, 'event' | 'author' | 'updatedAt' | 'timestamp' | 'changed' | 'changelog' | 'status' | 'assignee'>;
  /**
   * The integration's own Jira account, when known (`undefined`: not fetched yet). The author rule needs it; the
   * create rule does not, so a caller can ask first without it and fetch the account only when that says no.
   */
  self?: JiraUser;
  /** What the link records of the pair: the bridge's last Jira write. */
  sync?: Pick<LinkSyncState, 'pushedToJira'>;
  /** The deployment's user key of a delivery's assignee (accountId on Cloud, username on Data Center). */
  assigneeKey?: (user: JiraUser) => string | undefined;
}

/**
 * Rules, in order:
 * 1. A deletion is never an echo (the bridge deletes nothing; a deletion is checked against Jira before it unlinks).
 * 2. `created` of a linked issue: the bridge made it (or adopted it, by its own ticket entry), and the link-time sync
 *    reads the issue after its creation under the link's lease, so the create's delivery is older than that read.
 *    The receiver no longer queues creations (accept-jira-webhook.ts); this rule covers the messages a version
 *    before it queued, still in the queue or its DLQ when the new one is deployed.
 * 3. An author equal to the integration's own account: our write.
 * 4. No author, only status and/or assignee changed, each to what the bridge's recorded last write set, at that
 *    write's time (give or take the clock skew): our write, as Jira reports it without a user. Processing it would
 *    find Jira holding what the link already says was written.
 */
export function recognizeEcho(input: EchoInput): EchoVerdict {
  const { delivery } = input;
  if (delivery.event === 'deleted') return { echo: false };
  if (delivery.event === 'created') return { echo: true, reason: 'our-create' };
  if (input.self !== undefined && madeByUs(delivery.author, input.self)) return { echo: true, reason: 'our-account' };
  if (delivery.author === undefined && isRecordedWrite(input)) return { echo: true, reason: 'our-recorded-write' };
  return { echo: false };
}

/** Does the author rule need the integration's own account to decide? (Only when the delivery can be ours by author.) */
export function needsOwnAccount(delivery: EchoInput['delivery']): boolean {
  return delivery.event === 'updated' && delivery.author !== undefined;
}

function isRecordedWrite(input: EchoInput): boolean {
  const pushed = input.sync?.pushedToJira;
  const { delivery } = input;
  if (!pushed) return false;
  const at = delivery.updatedAt ?? delivery.timestamp;
  if (at === undefined || Math.abs(at - pushed.at) > ECHO_CLOCK_SKEW_MS) return false;
  const { changed } = delivery;
  // Anything but status (with the resolution a transition sets) and assignee is someone else's change.
  if (!changed.status && !changed.assignee) return false;
  if (changed.status) {
    const statusId = delivery.status?.id ?? delivery.changelog.statusId;
    if (pushed.statusId === undefined || statusId !== pushed.statusId) return false;
  }
  if (changed.assignee) {
    if (pushed.assignee === undefined) return false;
    const set = delivery.assignee === undefined ? delivery.changelog.assignee : delivery.assignee === null ? null : (input.assigneeKey?.(delivery.assignee) ?? undefined);
    if (set === undefined || !sameKey(set, pushed.assignee)) return false;
  }
  return true;
}

const sameKey = (a: string | null, b: string | null) => (a === null || b === null ? a === b : a.toLowerCase() === b.toLowerCase());
