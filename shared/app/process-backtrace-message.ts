/**
 * The backtrace-events worker's dispatch: an error group (ingest message, EventBridge event or bare body) becomes
 * exactly one Jira issue; a `fingerprint.updated` change is pushed to the linked Jira issue. When a new link is made
 * and sync is on, the two sides are brought in step once, the way `sync.onLink` says.
 */
import { parseFingerprintUpdated, FINGERPRINT_UPDATED_TYPE, type FingerprintUpdatedEvent } from '../domain/sync/fingerprint-event.ts';
import { syncEnabled } from '../domain/sync/sync-decisions.ts';
import type { IntegrationConfig } from '../domain/config/index.ts';
import { PermanentError } from '../ports/errors.ts';
import { syncGroupMessage, type SyncGroupDeps, type SyncedGroup } from './sync-group-message.ts';
import { FINGERPRINT_CHANGE_KIND } from './queue-messages.ts';
import { pushChangeToJira } from './push-change-to-jira.ts';
import { applyToLink } from './apply-jira-change.ts';
import type { JiraIssueEvent } from '../domain/sync/jira-webhook.ts';
import type { Link } from '../ports/link-store.ts';

function integrationNamed(deps: SyncGroupDeps, name: unknown): IntegrationConfig {
  const integration = deps.config.integrations.find((candidate) => candidate.name === name);
  if (!integration) throw new PermanentError(`the message names integration "${String(name)}", which is not in the config (was it renamed or removed?)`);
  return integration;
}

export async function processBacktraceMessage(deps: SyncGroupDeps, body: string): Promise<void> {
  let json: { kind?: unknown; integration?: unknown; event?: unknown } | undefined;
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    json = undefined;
  }
  if (json?.kind === FINGERPRINT_CHANGE_KIND) {
    const integration = integrationNamed(deps, json.integration);
    const parsed = parseFingerprintUpdated(json.event);
    if (!parsed.ok) throw new PermanentError(`the queued fingerprint change is malformed: ${parsed.problems.join('; ')}`);
    const { tracker, backtrace } = await deps.clientsFor(integration);
    const result = await pushChangeToJira({ tracker, backtrace, links: deps.links, clock: deps.clock, log: deps.log }, { integration, event: parsed.event });
    deps.log.debug('Fingerprint change processed', { integration: integration.name, fingerprint: parsed.event.fingerprint, ...result });
    return;
  }
  const synced = await syncGroupMessage(deps, body);
  for (const { integration: name, fingerprint, result } of synced) {
    if (result.outcome === 'superseded') continue;
    const integration = integrationNamed(deps, name);
    if (!syncEnabled(integration.sync, 'to-jira', 'state') && !syncEnabled(integration.sync, 'to-jira', 'assignee') && !syncEnabled(integration.sync, 'to-backtrace', 'state') && !syncEnabled(integration.sync, 'to-backtrace', 'assignee')) continue;
    // A link whose first sync has not happened yet (a new one, or one whose first sync failed and is retried).
    const link = await deps.links.get(name, fingerprint);
    if (link?.status === 'linked' && link.sync === undefined) await syncOnLink(deps, integration, link);
  }
}

/**
 * `sync.onLink`: at link time the fingerprint may already be assigned, resolved or muted. `backtrace-wins` pushes
 * the fingerprint's state to the new issue; `jira-wins` (two-way only) applies the issue's state to the fingerprint.
 */
async function syncOnLink(deps: SyncGroupDeps, integration: IntegrationConfig, link: Link): Promise<void> {
  const { sync } = integration;
  const now = deps.clock.now();
  const { universe, project, fingerprint } = link;
  if (sync.onLink === 'jira-wins' && (syncEnabled(sync, 'to-backtrace', 'state') || syncEnabled(sync, 'to-backtrace', 'assignee'))) {
    // The link as read (consistently) from the table: the issue-id index may not show a link made a moment ago.
    const change: JiraIssueEvent = {
      kind: 'issue',
      event: 'updated',
      issueId: link.issueId!,
      issueKey: link.issueKey!,
      projectKey: integration.jira.projectKey,
      timestamp: now,
      changed: { status: true, resolution: true, assignee: true },
      changelog: {},
    };
    await applyToLink({ config: deps.config, clientsFor: deps.clientsFor, links: deps.links, clock: deps.clock, log: deps.log }, integration, link, change, { everything: true });
    return;
  }
  if (syncEnabled(sync, 'to-jira', 'state') || syncEnabled(sync, 'to-jira', 'assignee')) {
    const { tracker, backtrace } = await deps.clientsFor(integration);
    // A trigger only: the use-case reads the fingerprint's current state and assignees from Backtrace.
    const event: FingerprintUpdatedEvent = { type: FINGERPRINT_UPDATED_TYPE, universe, project, fingerprint, state: 'open', assignees: [], at: now };
    await pushChangeToJira({ tracker, backtrace, links: deps.links, clock: deps.clock, log: deps.log }, { integration, event, atLink: true });
  }
}

export type { SyncedGroup };
