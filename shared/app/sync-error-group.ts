/**
 * The backtrace-events worker's use-case for an error group (a `backtrace.group` message): make sure each
 * integration it is for has exactly one Jira issue for the group, and when that link is new (or its first sync
 * failed), bring the two sides in step once (`syncNewLink`).
 *
 * Throws `PermanentError` for a message no retry can fix (an integration no longer in the config) and lets the
 * errors of {@link createIssueForGroup} through; the worker turns them into batch item failures.
 */
import { buildIssueFields } from '../domain/build-issue-fields.ts';
import type { IntegrationConfig } from '../domain/config/index.ts';
import type { BacktraceGroup } from '../domain/backtrace-group.ts';
import { eventRegression, groupNoteFor, sameGroupNote, type GroupNote } from '../domain/fix-versions/group-note.ts';
import { isLinked, type LinkedLink } from '../domain/model/link.ts';
import type { GroupMessage } from '../domain/queue-message.ts';
import { integrationNamed, integrationsForProject } from '../domain/routing.ts';
import { shouldSubmit } from '../domain/rules.ts';
import { ClaimBusyError, PermanentError, RateLimitWaitError, RetryableError } from '../ports/errors.ts';
import { createIssueForGroup, type CreateIssueResult } from './create-issue-for-group.ts';
import { SYNC_LEASE_MS } from './steps/with-sync-lease.ts';
import type { SyncDeps } from './sync-deps.ts';
import type { IntegrationClients } from '../ports/integration-clients.ts';
import { syncNewLink, syncPair, syncsAnything } from './sync-new-link.ts';

export interface SyncedGroup {
  integration: string;
  fingerprint: string;
  result: CreateIssueResult;
}

/** The integrations named by the ingest route, or, for a group that did not pass it (EventBridge), every match. */
function targetsOf(deps: SyncDeps, message: GroupMessage): IntegrationConfig[] {
  const { group } = message;
  if (message.integrations !== undefined) {
    return message.integrations.map((name) => {
      const integration = integrationNamed(deps.config, name);
      if (!integration) throw new PermanentError(`the message names integration "${name}", which is not in the config (was it renamed or removed?)`);
      return integration;
    });
  }
  // The ingest route applied universe/project and the rules; a group from EventBridge gets them here.
  return integrationsForProject(deps.config, group).filter((integration) => {
    const decision = shouldSubmit(group, integration.rules);
    if (!decision.submit) deps.log.info('Event filtered by a rule', { integration: integration.name, fingerprint: group.fingerprint, reason: decision.reason });
    if (!decision.submit) deps.metrics?.count('EventsFiltered');
    return decision.submit;
  });
}

export async function syncErrorGroup(deps: SyncDeps, message: GroupMessage): Promise<SyncedGroup[]> {
  const { group } = message;
  const targets = targetsOf(deps, message);
  if (targets.length === 0) {
    deps.log.info('No integration takes this error group', { universe: group.universe, project: group.project, fingerprint: group.fingerprint });
    return [];
  }
  const synced: SyncedGroup[] = [];
  const failures: unknown[] = [];
  // One integration at a time: they write the same fingerprint's ticket list, which Backtrace replaces whole, so
  // they must not race. Each is tried even when another fails (but not past a fingerprint another worker holds);
  // a replay is idempotent for those that succeeded.
  for (const integration of targets) {
    const context = { integration: integration.name, fingerprint: group.fingerprint };
    try {
      const syncs = syncsAnything(integration);
      // A repeat of a group this container found settled moments ago: nothing to read, nothing to do
      // (./settled-links.ts says why that is safe, and why Fix Versions integrations always read).
      const settled = integration.fixVersions.enabled ? undefined : deps.settledLinks?.get(integration.name, group.fingerprint, deps.clock.now());
      if (settled) {
        deps.log.debug('Error group already linked and synced (remembered by this container): nothing to do', { ...context, issueKey: settled.issueKey });
        synced.push({ integration: integration.name, fingerprint: group.fingerprint, result: { outcome: 'already-linked', issueKey: settled.issueKey, issueId: settled.issueId, link: settled } });
        continue;
      }
      const index = deps.config.integrations.indexOf(integration);
      const clients = await deps.clientsFor(integration);
      // At or before the lease the create flow takes with a new link: the first sync below uses that lease as it is.
      const startedAt = deps.clock.now();
      const result = await createIssueForGroup(
        { ...clients, links: deps.links, clock: deps.clock, log: deps.log, leaseMs: deps.config.settings.claimLeaseSeconds * 1000 },
        {
          integration,
          group,
          buildFields: (fields, deployment) => buildIssueFields({ group, integration, fields, deployment, configPath: `integrations[${index}]` }),
          ...(syncs ? { syncLeaseMs: SYNC_LEASE_MS } : {}),
        },
      );
      deps.log.info('Error group synced to Jira', { ...context, outcome: result.outcome, issueKey: result.issueKey });
      if (result.outcome === 'created') deps.metrics?.count('IssuesCreated');
      if (result.outcome === 'adopted' || result.outcome === 'recovered') deps.metrics?.count('IssuesAdopted');
      if (result.outcome === 'already-linked' && isLinked(result.link) && !integration.fixVersions.enabled) deps.settledLinks?.remember(integration.name, result.link, syncs, deps.clock.now());
      if (syncs && result.outcome !== 'superseded' && isLinked(result.link)) {
        const configPath = `integrations[${index}]`;
        const note = integration.fixVersions.enabled ? groupNoteFor(integration.fixVersions, group) : undefined;
        // A new link, under the lease taken with it; or a link whose first sync failed, and is tried again.
        if (result.outcome !== 'already-linked') {
          await syncNewLink(deps, clients, integration, result.link, { token: result.token, leasedSince: startedAt, row: result.row, configPath, ...(note ? { group: note } : {}) });
        } else if (result.link.sync === undefined) {
          await syncNewLink(deps, clients, integration, result.link, { configPath, ...(note ? { group: note } : {}) });
        } else if (note) {
          await noteLinkedGroup(deps, clients, integration, result.link, { group, note, configPath });
        }
      }
      synced.push({ integration: integration.name, fingerprint: group.fingerprint, result });
    } catch (error) {
      // Waiting for another worker's claim is routine; anything else deserves a line of its own.
      const log = error instanceof ClaimBusyError ? deps.log.debug : deps.log.warn;
      log.call(deps.log, 'Error group not synced for one integration', { ...context, error: (error as Error).message });
      failures.push(error);
      // Another worker holds this fingerprint (or Jira asks us to wait): it is handling the same message's
      // integrations in the same order, so going on would race it on the ticket list (a whole-value write in
      // Backtrace) and lose one of the entries. The message comes back later; integrations done by then cost nothing.
      if (error instanceof ClaimBusyError || error instanceof RateLimitWaitError) break;
    }
  }
  if (failures.length > 0) throw mostUrgent(failures);
  return synced;
}

/**
 * An error-group event for a fingerprint already linked (Fix Versions on): keep its URL and rule-set values, and
 * when it carries a version above the fingerprint's resolved-until one, note that version (the regression comment
 * names it) and sync the pair now: Backtrace has reopened it, or will, and the poller would see it only later. The
 * regression is acted on once, whether this or the poller gets there first. An event at or below the resolved-until
 * version does nothing.
 */
async function noteLinkedGroup(
  deps: SyncDeps,
  clients: IntegrationClients,
  integration: IntegrationConfig,
  link: LinkedLink,
  input: { group: BacktraceGroup; note: GroupNote; configPath: string },
): Promise<void> {
  const now = deps.clock.now();
  const regressed = eventRegression(integration.fixVersions, input.group, input.note, link.sync?.resolvedUntil);
  if (regressed === undefined && sameGroupNote(link.sync?.group, input.note)) return;
  await deps.links.noteErrorGroup(integration.name, link.fingerprint, { group: input.note, ...(regressed === undefined ? {} : { regressedIn: { version: regressed, at: now } }) }, now);
  if (regressed === undefined) return;
  deps.log.info(`Error group seen in ${regressed}, above its resolved-until version ${link.sync?.resolvedUntil?.version}: checking for a regression`, {
    integration: integration.name,
    fingerprint: link.fingerprint,
    issueKey: link.issueKey,
  });
  await syncPair(deps, clients, { integration, fingerprint: link.fingerprint, configPath: input.configPath, trigger: { kind: 'backtrace', observedAt: now } });
}

/** The failure that decides what happens to the message: any retryable one (soonest first) before a permanent one. */
function mostUrgent(failures: unknown[]): unknown {
  const retryable = failures.filter((failure): failure is RetryableError => failure instanceof RetryableError);
  if (retryable.length === 0) return failures[0];
  return retryable.reduce((soonest, failure) => ((failure.retryAfterMs ?? 0) < (soonest.retryAfterMs ?? 0) ? failure : soonest));
}
