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
import { isLinked } from '../domain/model/link.ts';
import type { GroupMessage } from '../domain/queue-message.ts';
import { integrationNamed, integrationsForProject } from '../domain/routing.ts';
import { shouldSubmit } from '../domain/rules.ts';
import { ClaimBusyError, PermanentError, RetryableError } from '../ports/errors.ts';
import { createIssueForGroup, type CreateIssueResult } from './create-issue-for-group.ts';
import type { SyncDeps } from './sync-deps.ts';
import { syncNewLink, syncsAnything } from './sync-new-link.ts';

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
  // they must not race. Each is tried even when another fails; a replay is idempotent for those that succeeded.
  for (const integration of targets) {
    const context = { integration: integration.name, fingerprint: group.fingerprint };
    try {
      const index = deps.config.integrations.indexOf(integration);
      const clients = await deps.clientsFor(integration);
      const result = await createIssueForGroup(
        { ...clients, links: deps.links, clock: deps.clock, log: deps.log, leaseMs: deps.config.settings.claimLeaseSeconds * 1000 },
        {
          integration,
          group,
          buildFields: (fields, deployment) => buildIssueFields({ group, integration, fields, deployment, configPath: `integrations[${index}]` }),
        },
      );
      deps.log.info('Error group synced to Jira', { ...context, outcome: result.outcome, issueKey: result.issueKey });
      // A link whose first sync has not happened yet: a new one, or one whose first sync failed and is retried.
      if (result.outcome !== 'superseded' && isLinked(result.link) && result.link.sync === undefined && syncsAnything(integration)) {
        await syncNewLink(deps, clients, integration, result.link);
      }
      synced.push({ integration: integration.name, fingerprint: group.fingerprint, result });
    } catch (error) {
      // Waiting for another worker's claim is routine; anything else deserves a line of its own.
      const log = error instanceof ClaimBusyError ? deps.log.debug : deps.log.warn;
      log.call(deps.log, 'Error group not synced for one integration', { ...context, error: (error as Error).message });
      failures.push(error);
    }
  }
  if (failures.length > 0) throw mostUrgent(failures);
  return synced;
}

/** The failure that decides what happens to the message: any retryable one (soonest first) before a permanent one. */
function mostUrgent(failures: unknown[]): unknown {
  const retryable = failures.filter((failure): failure is RetryableError => failure instanceof RetryableError);
  if (retryable.length === 0) return failures[0];
  return retryable.reduce((soonest, failure) => ((failure.retryAfterMs ?? 0) < (soonest.retryAfterMs ?? 0) ? failure : soonest));
}
