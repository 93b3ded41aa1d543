/**
 * The poller: Backtrace pushes no event when a fingerprint changes (../shared/reference/backtrace.md sections 3.7
 * and 5), so every `backtrace.poll.intervalSeconds` the linked fingerprints of an integration are read with
 * `POST /api/query` (at most 100 per query) and compared with what the bridge last saw of each. Each difference
 * (state, assignees, a regression's reopen count) goes down the Backtrace -> Jira path as a
 * `backtrace.fingerprint-updated` message on the backtrace-events queue, where `pushFingerprintChange` syncs the
 * pair from both sides as they are then.
 *
 * It is also the reconcile: a pair whose two sides, as last seen, disagree by the state maps (a write that could not
 * be made) is noted, and when it still disagrees a cycle later, a repair toward the side that changed last is
 * queued. An idle cycle makes no Jira call, ceil(linked / 100) Backtrace queries and no queue or table writes.
 */
import type { IntegrationConfig } from '../domain/config/index.ts';
import { fingerprintAssignees, type FingerprintRow } from '../domain/model/backtrace.ts';
import type { LinkedLink } from '../domain/model/link.ts';
import { FINGERPRINT_CHANGE_KIND, type QueueMessageInput } from '../domain/queue-message.ts';
import { statesAgree } from '../domain/sync/state-mapping.ts';
import { syncEnabled } from '../domain/sync/sync-decisions.ts';
import { backtraceChanges, backtraceSide } from '../domain/sync/sync-plan.ts';
import type { Clock } from '../ports/clock.ts';
import type { BacktraceIssues } from '../ports/backtrace-issues.ts';
import type { LinkStore } from '../ports/link-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { Queue } from '../ports/queue.ts';

/** The longest wait between two repairs of a pair that keeps disagreeing. */
const MAX_REPAIR_WAIT_MS = 24 * 60 * 60 * 1000;

/**
 * A regression acted on by comment only (`fixVersions.onRegression.action: "comment"`) leaves the fingerprint open
 * and the Jira issue done, by the admin's choice: not a disagreement to repair, as long as no new reopen came since.
 */
function leftApartByPolicy(link: LinkedLink, row: FingerprintRow): boolean {
  const regression = link.sync?.regression;
  return regression?.action === 'comment' && regression.count === (row.reopenCount ?? 0) && link.sync?.jira?.categoryKey === 'done';
}

/** Messages sent at once; SQS takes them one call each, so a burst of changes goes out a few at a time. */
const SEND_CONCURRENCY = 10;

export interface PollDeps {
  /** The integration's Backtrace client (the poller reads no Jira credential). */
  backtraceFor(integration: IntegrationConfig): Promise<BacktraceIssues>;
  links: Pick<LinkStore, 'listLinked' | 'noteDisagreement'>;
  /** The backtrace-events queue. */
  queue: Queue;
  clock: Clock;
  log: Logger;
}

export interface PollReport {
  integration: string;
  /** Linked fingerprints read. */
  linked: number;
  /** `POST /api/query` calls made (ceil(linked / 100) when each batch fits one page). */
  queries: number;
  /** Differences sent down the Backtrace -> Jira path. */
  changes: number;
  /** Repairs queued for pairs that kept disagreeing. */
  repairs: number;
  /** Linked fingerprints Backtrace returned no row for. */
  missing: number;
  durationMs: number;
}

/** Does this integration poll? Whenever anything syncs: changes on Backtrace's side only show up this way. */
export function polls(integration: IntegrationConfig): boolean {
  return integration.sync.mode !== 'none' && (['state', 'assignee'] as const).some((field) => syncEnabled(integration.sync, 'to-jira', field));
}

export async function pollBacktrace(deps: PollDeps, integration: IntegrationConfig): Promise<PollReport> {
  const started = deps.clock.now();
  const report: PollReport = { integration: integration.name, linked: 0, queries: 0, changes: 0, repairs: 0, missing: 0, durationMs: 0 };
  if (!polls(integration)) return report;

  const links: LinkedLink[] = [];
  for await (const page of deps.links.listLinked(integration.name)) links.push(...page);
  report.linked = links.length;
  if (links.length === 0) return { ...report, durationMs: deps.clock.now() - started };

  const backtrace = await deps.backtraceFor(integration);
  const project = { universe: integration.backtrace.universe, project: integration.backtrace.project };
  const fingerprints = links.map((link) => link.fingerprint);
  const rows = new Map((await backtrace.readFingerprints(project, fingerprints)).map((row) => [row.fingerprint, row]));
  report.queries = Math.ceil(new Set(fingerprints).size / 100);

  const now = deps.clock.now();
  const intervalMs = integration.backtrace.poll.intervalSeconds * 1000;
  // The reconcile compares states: with state sync off both ways, states may differ for good.
  const reconciles = syncEnabled(integration.sync, 'to-jira', 'state') || syncEnabled(integration.sync, 'to-backtrace', 'state');
  const messages: QueueMessageInput[] = [];
  for (const link of links) {
    const row = rows.get(link.fingerprint);
    if (!row) {
      report.missing += 1;
      continue;
    }
    const seen = link.sync?.backtrace;
    const changed = backtraceChanges(backtraceSide(row), seen);
    if (!seen || changed.state || changed.assignee || (row.reopenCount ?? 0) !== (seen.reopenCount ?? 0)) {
      messages.push(changeMessage(integration, row, now, false));
      report.changes += 1;
      continue;
    }
    const jira = link.sync?.jira;
    if (!jira || !reconciles) continue;
    const agree =
      statesAgree(row.state, { id: jira.statusId, name: jira.statusName ?? '', categoryKey: jira.categoryKey }, integration.sync.stateMap, seen.assigneeIds.length > 0) ||
      leftApartByPolicy(link, row);
    // A repair goes toward the side that changed last; when that way is off (one-way, Jira changed last), the sides
    // stay apart by the admin's choice, and there is nothing to repair.
    const repairable = jira.updatedAt >= seen.at ? syncEnabled(integration.sync, 'to-backtrace', 'state') : syncEnabled(integration.sync, 'to-jira', 'state');
    const since = link.sync?.disagreeSince;
    if (agree || !repairable) {
      if (since !== undefined) await deps.links.noteDisagreement(integration.name, link.fingerprint, null, now);
    } else if (since === undefined) {
      await deps.links.noteDisagreement(integration.name, link.fingerprint, now, now);
    } else if (now - since >= intervalMs * 0.9) {
      deps.log.warn('The fingerprint and its Jira issue still disagree a cycle later; repairing toward the side that changed last', {
        integration: integration.name,
        fingerprint: link.fingerprint,
        issueKey: link.issueKey,
        backtrace: row.state,
        jiraStatus: jira.statusName ?? jira.statusId,
      });
      messages.push(changeMessage(integration, row, now, true));
      // A repair that cannot help (a status no transition reaches) must not warn every cycle forever: the next one
      // waits as long again as this one waited, doubling up to a day (noted as if first seen that far ahead).
      const repairs = link.sync?.repairs ?? 0;
      const wait = Math.min(intervalMs * 2 ** repairs, MAX_REPAIR_WAIT_MS);
      await deps.links.noteDisagreement(integration.name, link.fingerprint, now + wait, now, repairs + 1);
      report.repairs += 1;
    }
  }
  for (let start = 0; start < messages.length; start += SEND_CONCURRENCY) {
    await Promise.all(messages.slice(start, start + SEND_CONCURRENCY).map((message) => deps.queue.send(message)));
  }
  report.durationMs = deps.clock.now() - started;
  if (report.changes > 0 || report.repairs > 0 || report.missing > 0) deps.log.info('Backtrace poll cycle', { ...report });
  else deps.log.debug('Backtrace poll cycle', { ...report });
  return report;
}

function changeMessage(integration: IntegrationConfig, row: FingerprintRow, at: number, reconcile: boolean): QueueMessageInput {
  return {
    kind: FINGERPRINT_CHANGE_KIND,
    integration: integration.name,
    source: 'poll',
    ...(reconcile ? { reconcile: true } : {}),
    receivedAt: new Date(at).toISOString(),
    event: {
      type: 'fingerprint.updated',
      universe: integration.backtrace.universe,
      project: integration.backtrace.project,
      fingerprint: row.fingerprint,
      state: row.state,
      assignees: fingerprintAssignees(row.tickets),
      ...(row.invariants && row.invariants.length > 0 ? { invariants: row.invariants } : {}),
      invariant_reopen_count: row.reopenCount ?? 0,
      at,
    },
  };
}
