/**
 * The worker's per-message use-case: recognise the envelope (ingest message, EventBridge event or bare group), pick
 * the integrations it is for, and make sure each has exactly one Jira issue for the group.
 *
 * Throws {@link PermanentError} for a message no retry can fix (malformed, unknown integration) and lets the
 * errors of {@link createIssueForGroup} through; the handler turns them into batch item failures.
 */
import type { BridgeConfig, IntegrationConfig } from '../domain/config/index.ts';
import { parseEnvelope, type BacktraceGroup } from '../domain/backtrace-group.ts';
import { shouldSubmit } from '../domain/rules.ts';
import { buildIssueFields } from '../domain/build-issue-fields.ts';
import { ClaimBusyError, PermanentError, RetryableError } from '../ports/errors.ts';
import type { IssueTracker } from '../ports/issue-tracker.ts';
import type { BacktraceIssues } from '../ports/backtrace-issues.ts';
import type { LinkStore } from '../ports/link-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import { createIssueForGroup, type CreateIssueResult } from './create-issue-for-group.ts';

export interface IntegrationClients {
  tracker: IssueTracker;
  backtrace: BacktraceIssues;
}

export interface SyncGroupDeps {
  config: BridgeConfig;
  /** Adapters of one integration, built once per container (secrets resolved). */
  clientsFor(integration: IntegrationConfig): Promise<IntegrationClients>;
  links: LinkStore;
  clock: Clock;
  log: Logger;
}

export interface SyncedGroup {
  integration: string;
  fingerprint: string;
  result: CreateIssueResult;
}

/** Integrations an envelope is for: those the ingest named, or, for EventBridge and bare bodies, every match. */
function targetsOf(deps: SyncGroupDeps, group: BacktraceGroup, named: string[] | undefined): IntegrationConfig[] {
  if (named !== undefined) {
    return named.map((name) => {
      const integration = deps.config.integrations.find((candidate) => candidate.name === name);
      if (!integration) throw new PermanentError(`the message names integration "${name}", which is not in the config (was it renamed or removed?)`);
      return integration;
    });
  }
  // EventBridge events did not pass through the ingest function: its universe/project match and rules apply here.
  return deps.config.integrations.filter((integration) => {
    if (integration.backtrace.universe !== group.universe || integration.backtrace.project !== group.project) return false;
    const decision = shouldSubmit(group, integration.rules);
    if (!decision.submit) deps.log.info('Event filtered by a rule', { integration: integration.name, fingerprint: group.fingerprint, reason: decision.reason });
    return decision.submit;
  });
}

export async function syncGroupMessage(deps: SyncGroupDeps, body: string): Promise<SyncedGroup[]> {
  const envelope = parseEnvelope(body);
  if (!envelope.ok) throw new PermanentError(`the message is not a Backtrace error group: ${envelope.problems.join('; ')}`);
  const { group } = envelope;
  const targets = targetsOf(deps, group, envelope.integrations);
  if (targets.length === 0) {
    deps.log.info('No integration takes this error group', { universe: group.universe, project: group.project, fingerprint: group.fingerprint, source: envelope.source });
    return [];
  }
  const synced: SyncedGroup[] = [];
  const failures: unknown[] = [];
  // One integration at a time: they write the same fingerprint's ticket list, which Backtrace replaces whole, so
  // they must not race. Each is tried even when another fails; a replay is idempotent for those that succeeded.
  for (const integration of targets) {
    try {
      const index = deps.config.integrations.indexOf(integration);
      const clients = await deps.clientsFor(integration);
      const result = await createIssueForGroup(
        { tracker: clients.tracker, backtrace: clients.backtrace, links: deps.links, clock: deps.clock, log: deps.log, leaseMs: deps.config.settings.claimLeaseSeconds * 1000 },
        {
          integration,
          group,
          buildFields: (fields, deployment) => buildIssueFields({ group, integration, fields, deployment, configPath: `integrations[${index}]` }),
        },
      );
      deps.log.info('Error group synced to Jira', { integration: integration.name, fingerprint: group.fingerprint, ...result });
      synced.push({ integration: integration.name, fingerprint: group.fingerprint, result });
    } catch (error) {
      // Waiting for another worker's claim is routine; anything else deserves a line of its own.
      const log = error instanceof ClaimBusyError ? deps.log.debug : deps.log.warn;
      log.call(deps.log, 'Error group not synced for one integration', { integration: integration.name, fingerprint: group.fingerprint, error: (error as Error).message });
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
