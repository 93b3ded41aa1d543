/**
 * Backtrace -> Jira: a fingerprint change (a `backtrace.fingerprint-updated` message) moves and assigns the linked
 * Jira issue, in one-way and two-way sync.
 *
 * The change is a trigger, not the truth: changes can arrive late, twice or out of order, so the fingerprint's
 * current row is read from Backtrace (and the issue's state from Jira) and only the difference is written. Dropped:
 * a change older than the link's watermark, and the echo of the bridge's own Backtrace write (the fingerprint holds
 * exactly what we last pushed there). Idempotent; retried through the queue on a `RetryableError`.
 */
import { fingerprintAssignees, type FingerprintRef } from '../domain/model/backtrace.ts';
import { isLinked } from '../domain/model/link.ts';
import type { FingerprintChangeMessage } from '../domain/queue-message.ts';
import { integrationNamed } from '../domain/routing.ts';
import { isOurBacktraceEcho, isStale, syncEnabled } from '../domain/sync/sync-decisions.ts';
import { PermanentError } from '../ports/errors.ts';
import { pushFingerprintToIssue } from './steps/push-fingerprint-to-issue.ts';
import type { SyncDeps } from './sync-deps.ts';

export type PushChangeResult =
  | { outcome: 'sync-off' | 'not-linked' | 'stale' | 'echo' }
  | { outcome: 'pushed' | 'unchanged'; issueKey: string; actions: string[] };

/** @see the module comment for what is idempotent and what is dropped. */
export async function pushFingerprintChange(deps: SyncDeps, message: FingerprintChangeMessage): Promise<PushChangeResult> {
  const integration = integrationNamed(deps.config, message.integration);
  if (!integration) throw new PermanentError(`the message names integration "${message.integration}", which is not in the config (was it renamed or removed?)`);
  const { event } = message;
  const context = { integration: integration.name, fingerprint: event.fingerprint };
  if (!syncEnabled(integration.sync, 'to-jira', 'state') && !syncEnabled(integration.sync, 'to-jira', 'assignee')) return { outcome: 'sync-off' };

  // Remember who is who, for mapping Jira users back by e-mail (two-way assignee sync).
  const known = event.assignees.filter((assignee) => assignee.email);
  if (known.length > 0) await deps.users.remember(event.universe, known, event.at);

  const { tracker, backtrace } = await deps.clientsFor(integration);
  const ref: FingerprintRef = { universe: event.universe, project: event.project, fingerprint: event.fingerprint };
  // Once more, unguarded, after a newer change was recorded while we wrote: the newer watermark stands.
  const earlier: string[] = [];
  for (let recheck = false; ; recheck = true) {
    const link = await deps.links.get(integration.name, event.fingerprint);
    if (!isLinked(link)) {
      deps.log.debug('Fingerprint change for an unlinked fingerprint; nothing to sync', context);
      return { outcome: 'not-linked' };
    }
    if (!recheck && isStale(link.sync?.backtraceChangeAt, event.at)) {
      deps.log.debug('Stale fingerprint change dropped', { ...context, at: event.at, watermark: link.sync?.backtraceChangeAt });
      return { outcome: 'stale' };
    }
    const row = await backtrace.getIssue(ref);
    // The change's own time: a person's change made before our last Backtrace write is no echo of it.
    const echo = isOurBacktraceEcho({ state: row.state, assignees: fingerprintAssignees(row.tickets), ...(recheck ? {} : { at: event.at }) }, link.sync?.pushedToBacktrace);
    if (echo.echo) {
      // An echo leaves the watermark alone: a person's change made before our write may still be on its way.
      deps.log.debug('Echo of our own Backtrace write dropped', { ...context, reason: echo.reason });
      return { outcome: 'echo' };
    }
    const guard = recheck ? undefined : ({ watermark: 'backtraceChangeAt', value: event.at } as const);
    const pushed = await pushFingerprintToIssue({ tracker, backtrace, links: deps.links, clock: deps.clock, log: deps.log }, { integration, link, row, guard });
    if (pushed.outcome !== 'superseded') {
      const actions = [...earlier, ...pushed.actions];
      return { outcome: actions.length > 0 ? 'pushed' : 'unchanged', issueKey: pushed.issueKey, actions };
    }
    earlier.push(...pushed.actions);
    deps.log.info('A newer Backtrace change was applied meanwhile; checking Jira once more', context);
  }
}
