/**
 * The decision at the heart of state/assignee sync: with both sides read now and both as the bridge last saw them,
 * which way each field flows. A change is a difference from what was seen, on either side; a field nobody changed
 * flows nowhere (so a comment in Jira never overwrites a muted fingerprint); when both sides changed a field, the
 * later change wins. At link time (nothing seen yet) `sync.onLink` picks the side, except that a change someone
 * made in Jira after the issue was created is newer than the error group and wins.
 *
 * Pure: no I/O. The steps that act on a plan write only what still differs after mapping.
 */
import { fingerprintAssignees, type Ticket } from '../model/backtrace.ts';
import type { JiraDeployment, JiraHistoryEntry, JiraIssueState, JiraUser } from '../model/jira.ts';
import type { JiraIssueEvent } from '../jira/jira-webhook.ts';
import type { BacktraceSide, JiraSide, LinkSyncState } from '../model/link.ts';
import { syncedState } from './state-mapping.ts';
import { jiraUserKey } from './user-mapping.ts';

export type SyncField = 'state' | 'assignee';
export const SYNC_FIELDS: readonly SyncField[] = ['state', 'assignee'];

/** A yes/no per synced field. */
export type SyncFields = Record<SyncField, boolean>;
export const NO_FIELDS: SyncFields = { state: false, assignee: false };
export const anyField = (fields: SyncFields): boolean => fields.state || fields.assignee;

const sortedIds = (ids: readonly number[]): number[] => [...new Set(ids)].sort((a, b) => a - b);

/**
 * The fingerprint's synced fields: its state as Backtrace holds it, and the `_backtrace` entry's assignee ids
 * (sorted). Compared through {@link syncedState}: an automatic in-progress reads as open.
 */
export function backtraceSide(row: { state: BacktraceSide['state']; tickets: readonly Ticket[] }): BacktraceSide {
  return { state: row.state, assigneeIds: sortedIds(fingerprintAssignees(row.tickets).map((assignee) => assignee.id)) };
}

/** The state the fingerprint's side means (Backtrace's automatic in-progress is open): what Jira is moved to. */
export const meantState = (side: BacktraceSide): BacktraceSide['state'] => syncedState(side.state, side.assigneeIds.length > 0);

/** The issue's synced fields: status (id and category) and the assignee's key for this deployment (and the Fix Versions, when read). */
export function jiraSide(issue: Pick<JiraIssueState, 'status' | 'assignee' | 'fixVersions'>, deployment: JiraDeployment): JiraSide {
  return {
    statusId: issue.status.id,
    statusName: issue.status.name,
    categoryKey: issue.status.categoryKey,
    assignee: issue.assignee === null ? null : (jiraUserKey(issue.assignee, deployment) ?? null),
    ...(issue.fixVersions === undefined ? {} : { fixVersions: [...issue.fixVersions].sort() }),
  };
}

/** Did the Fix Versions change since they were last seen? Not when they were never read (Fix Versions sync off, or an older link). */
export function fixVersionsChanged(current: JiraSide, seen: JiraSide | undefined): boolean {
  if (current.fixVersions === undefined || seen?.fixVersions === undefined) return false;
  return current.fixVersions.length !== seen.fixVersions.length || current.fixVersions.some((name, index) => name !== seen.fixVersions![index]);
}

const sameKey = (a: string | null, b: string | null) => (a === null || b === null ? a === b : a.toLowerCase() === b.toLowerCase());

/** Which fields of the fingerprint differ from what was seen (all, when nothing was seen). */
export function backtraceChanges(current: BacktraceSide, seen: BacktraceSide | undefined): SyncFields {
  if (!seen) return { state: true, assignee: true };
  const ids = sortedIds(seen.assigneeIds);
  // An automatic in-progress and open mean the same: a ticket linked or unlinked is no state change (and an
  // assignment, which turns the one into a chosen in-progress, is an assignee change: see `startsWork`).
  const stateChanged = current.state !== seen.state && meantState(current) !== syncedState(seen.state, ids.length > 0);
  return { state: stateChanged, assignee: current.assigneeIds.length !== ids.length || current.assigneeIds.some((id, index) => id !== ids[index]) };
}

/**
 * Does assigning the fingerprint start work in Jira? An assignment flowing to an issue still in its first status,
 * of a fingerprint in progress (Backtrace's automatic in-progress became a chosen one), also moves the issue to
 * where in-progress maps, unless someone moved it in Jira since it was seen.
 */
export function startsWork(input: { assigneeFlows: boolean; stateFlowsToJira: boolean; backtrace: BacktraceSide; jira: JiraSide; seenJira: JiraSide | undefined }): boolean {
  return (
    input.assigneeFlows &&
    input.stateFlowsToJira &&
    meantState(input.backtrace) === 'in-progress' &&
    input.jira.categoryKey === 'new' &&
    !jiraChanges(input.jira, input.seenJira).state
  );
}

/** Which fields of the issue differ from what was seen (all, when nothing was seen). */
export function jiraChanges(current: JiraSide, seen: JiraSide | undefined): SyncFields {
  if (!seen) return { state: true, assignee: true };
  return { state: current.statusId !== seen.statusId, assignee: !sameKey(current.assignee, seen.assignee) };
}

function sameUser(a: JiraUser, b: JiraUser): boolean {
  // accountId decides when both have one (Cloud); else key, else username.
  if (a.accountId && b.accountId) return a.accountId === b.accountId;
  if (a.key && b.key) return a.key.toLowerCase() === b.key.toLowerCase();
  if (a.name && b.name) return a.name.toLowerCase() === b.name.toLowerCase();
  return false;
}

/** Was this change made by the integration's own Jira account (our write, or its webhook echo)? */
export function madeByUs(author: JiraUser | undefined, self: JiraUser | undefined): boolean {
  return author !== undefined && self !== undefined && sameUser(author, self);
}

/** The fields someone other than the integration's own account changed in Jira, from the issue's changelog. */
export function changedInJiraByOthers(history: readonly JiraHistoryEntry[], self: JiraUser | undefined): SyncFields {
  const changed = { ...NO_FIELDS };
  for (const entry of history) {
    if (madeByUs(entry.author, self)) continue;
    for (const field of entry.fields) changed[field === 'status' ? 'state' : 'assignee'] = true;
  }
  return changed;
}

export type Winner = 'backtrace' | 'jira' | 'none';

export interface PlanInput {
  /** Both sides as last seen; absent at link time. */
  seen?: Pick<LinkSyncState, 'backtrace' | 'jira'>;
  /** The fingerprint now, and when the bridge saw it so (the change happened at or before). */
  backtrace: BacktraceSide;
  observedAt: number;
  /** The issue now, and its `fields.updated`. */
  jira: JiraSide;
  jiraUpdatedAt: number;
  /** At link time: the fields someone other than the bridge changed in Jira since the issue was created. */
  jiraChangedSinceCreation?: SyncFields;
  /** Which fields flow which way (`sync.mode`, `sync.state`, `sync.assignee`). */
  enabled: { toJira: SyncFields; toBacktrace: SyncFields };
  onLink: 'backtrace-wins' | 'jira-wins';
  /** The two sides disagree though neither changed (a write that could not be made): repair toward the newer side. */
  reconcile?: boolean;
}

export interface SyncPlan {
  toJira: SyncFields;
  toBacktrace: SyncFields;
  /** Per field, which side wins and why, for the log line. */
  why: Record<SyncField, string>;
}

/** Which side wins one field, and why. */
function winnerOf(field: SyncField, input: PlanInput): { winner: Winner; why: string } {
  const { seen } = input;
  if (!seen?.backtrace || !seen.jira) {
    if (input.jiraChangedSinceCreation?.[field]) return { winner: 'jira', why: 'changed in Jira after the issue was created' };
    return input.onLink === 'jira-wins' ? { winner: 'jira', why: 'sync.onLink is "jira-wins"' } : { winner: 'backtrace', why: 'sync.onLink is "backtrace-wins"' };
  }
  const inBacktrace = backtraceChanges(input.backtrace, seen.backtrace)[field];
  const inJira = jiraChanges(input.jira, seen.jira)[field];
  if (inBacktrace && inJira) {
    // Jira's time is exact; Backtrace's change happened at or before it was seen. Jira's is later when not earlier.
    return input.jiraUpdatedAt >= input.observedAt
      ? { winner: 'jira', why: 'changed on both sides; the Jira change is the later one' }
      : { winner: 'backtrace', why: 'changed on both sides; the Backtrace change is the later one' };
  }
  if (inBacktrace) return { winner: 'backtrace', why: 'changed in Backtrace' };
  if (inJira) return { winner: 'jira', why: 'changed in Jira' };
  if (input.reconcile) {
    return seen.jira.updatedAt >= seen.backtrace.at
      ? { winner: 'jira', why: 'the sides disagree; Jira changed last' }
      : { winner: 'backtrace', why: 'the sides disagree; Backtrace changed last' };
  }
  return { winner: 'none', why: 'unchanged on both sides' };
}

/**
 * Which way each field flows now. A winner whose direction is off (one-way sync and a Jira change) flows nowhere:
 * the bridge never undoes a change it may not propagate.
 */
export function planSync(input: PlanInput): SyncPlan {
  const plan: SyncPlan = { toJira: { ...NO_FIELDS }, toBacktrace: { ...NO_FIELDS }, why: { state: '', assignee: '' } };
  for (const field of SYNC_FIELDS) {
    const { winner, why } = winnerOf(field, input);
    plan.why[field] = why;
    if (winner === 'backtrace') plan.toJira[field] = input.enabled.toJira[field];
    if (winner === 'jira') plan.toBacktrace[field] = input.enabled.toBacktrace[field];
  }
  return plan;
}

/** Tolerance between Jira's clock (a change's `updated`) and the bridge's (when it wrote). */
export const OVERWRITE_CLOCK_SKEW_MS = 5_000;

/** A person's Jira change that the bridge's last write overwrote: the values to put back. */
export interface OverwrittenChange {
  statusId?: string;
  /** The assignee's key, `null` for nobody. */
  assignee?: string | null;
}

/**
 * Did the bridge's last Jira write undo this delivery's change? Yes when the change was made by someone else after
 * the read the write was based on (`pushed.basedOn`) and before the write (`pushed.at`), and Jira now holds what the
 * bridge wrote rather than what the change set: the write landed after it. The change must then be put back (a person's change made after the bridge
 * read a side is never undone).
 */
export function overwrittenChange(
  delivery: Pick<JiraIssueEvent, 'author' | 'updatedAt' | 'timestamp' | 'changed' | 'status' | 'assignee'>,
  now: JiraSide,
  pushed: LinkSyncState['pushedToJira'],
  self: JiraUser | undefined,
  deployment: JiraDeployment,
): OverwrittenChange | undefined {
  if (!pushed || madeByUs(delivery.author, self)) return undefined;
  const at = delivery.updatedAt ?? delivery.timestamp;
  // Between the read our write was based on and the write itself (give or take the two clocks' skew): a change
  // made later was not overwritten by it, and is a newer change like any other.
  if (at === undefined || at <= pushed.basedOn || at > pushed.at + OVERWRITE_CLOCK_SKEW_MS) return undefined;
  const lost: OverwrittenChange = {};
  if (delivery.changed.status && delivery.status && pushed.statusId !== undefined && now.statusId === pushed.statusId && delivery.status.id !== pushed.statusId) {
    lost.statusId = delivery.status.id;
  }
  if (delivery.changed.assignee && delivery.assignee !== undefined && pushed.assignee !== undefined && sameKey(now.assignee, pushed.assignee)) {
    const set = delivery.assignee === null ? null : (jiraUserKey(delivery.assignee, deployment) ?? null);
    if (!sameKey(set, pushed.assignee)) lost.assignee = set;
  }
  return lost.statusId !== undefined || lost.assignee !== undefined ? lost : undefined;
}
