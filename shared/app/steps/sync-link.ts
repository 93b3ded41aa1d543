/**
 * One sync of a linked pair, whatever started it (a new link, a Backtrace change the poller saw, a Jira webhook, the
 * reconcile): read both sides now, compare each with what the bridge last saw, let each changed field flow the way
 * `planSync` says, and answer what to record: both sides as they are afterwards. The caller holds the link's sync
 * lease ({@link withSyncLease}), so no other worker reads or writes this pair meanwhile.
 *
 * A person's Jira change that the bridge's previous write overwrote (made after the read that write was based on)
 * is put back first. Jira answering 404 for the issue means it is gone: the link and our ticket entry are removed.
 */
import type { IntegrationConfig } from '../../domain/config/index.ts';
import { regressionDecision, regressionVersion } from '../../domain/fix-versions/regression.ts';
import { invariantsFor, versionInvariantOf } from '../../domain/fix-versions/resolved-until.ts';
import { versioningFor } from '../../domain/fix-versions/version-rules.ts';
import type { JiraIssueEvent } from '../../domain/jira/jira-webhook.ts';
import { fingerprintAssignees, type FingerprintIssue, type FingerprintRef } from '../../domain/model/backtrace.ts';
import type { JiraIssueState } from '../../domain/model/jira.ts';
import type { LinkedLink, LinkSyncState } from '../../domain/model/link.ts';
import { backtraceStateFor, jiraTargetFor, type JiraTarget } from '../../domain/sync/state-mapping.ts';
import { primaryAssignee, sameTickets, syncEnabled, ticketsWithout } from '../../domain/sync/sync-decisions.ts';
import { anyField, backtraceChanges, backtraceSide, changedInJiraByOthers, fixVersionsChanged, jiraChanges, jiraSide, meantState, overwrittenChange, planSync, startsWork, type SyncFields } from '../../domain/sync/sync-plan.ts';
import { jiraUserRef } from '../../domain/sync/user-mapping.ts';
import type { BacktraceIssues } from '../../ports/backtrace-issues.ts';
import type { BacktraceUserDirectory } from '../../ports/backtrace-user-directory.ts';
import type { Clock } from '../../ports/clock.ts';
import { PermanentError } from '../../ports/errors.ts';
import type { IssueTracker } from '../../ports/issue-tracker.ts';
import type { LinkStore, SyncRecord } from '../../ports/link-store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { actOnRegression, type RegressionActResult } from './act-on-regression.ts';
import { backtraceAssigneesFor, jiraUserFor } from './map-users.ts';
import { versionFieldIdOf } from './version-field.ts';
import { writeToFingerprint } from './write-to-fingerprint.ts';
import { writeToIssue } from './write-to-issue.ts';
import type { SettledLinks } from '../settled-links.ts';

export interface SyncLinkDeps {
  tracker: IssueTracker;
  backtrace: BacktraceIssues;
  links: Pick<LinkStore, 'unlink'>;
  users: BacktraceUserDirectory;
  clock: Clock;
  log: Logger;
  metrics?: Metrics;
  /** This container's memory of settled links, told when a link goes. @default - none */
  settledLinks?: Pick<SettledLinks, 'forget'>;
}

/** What started the sync. */
export type SyncTrigger =
  /**
   * The first sync of a link (`row`: the fingerprint as the create flow just wrote it, to spare a read; `group`:
   * what the group's event says, kept for Fix Versions' rule sets and regression comments).
   */
  | { kind: 'link'; row?: FingerprintIssue; group?: LinkSyncState['group'] }
  /** A Backtrace change seen at `observedAt` (by the poller, or the optional push route); `reconcile`: the repair. */
  | { kind: 'backtrace'; observedAt: number; reconcile?: boolean }
  /** A Jira webhook delivery (by someone other than the integration's own account). */
  | { kind: 'jira'; delivery: JiraIssueEvent };

export interface SyncLinkInput {
  integration: IntegrationConfig;
  /** The integration's path in the config (e.g. `integrations[0]`), for refusals that name a setting. */
  configPath?: string;
  /** The link as read by taking its lease. */
  link: LinkedLink;
  trigger: SyncTrigger;
}

export type SyncLinkResult =
  /** `record`: what to record on the link (the caller writes it as it gives the lease up). */
  | { outcome: 'synced' | 'unchanged'; issueKey: string; toJira: string[]; toBacktrace: string[]; record: Pick<SyncRecord, 'sync' | 'issueKey' | 'issueUrl' | 'issueId'> }
  /** Jira has no such issue any more: the link and our ticket entry are gone. */
  | { outcome: 'issue-gone' };

const directions = (integration: IntegrationConfig): { toJira: SyncFields; toBacktrace: SyncFields } => ({
  toJira: { state: syncEnabled(integration.sync, 'to-jira', 'state'), assignee: syncEnabled(integration.sync, 'to-jira', 'assignee') },
  toBacktrace: { state: syncEnabled(integration.sync, 'to-backtrace', 'state'), assignee: syncEnabled(integration.sync, 'to-backtrace', 'assignee') },
});

export async function syncLink(deps: SyncLinkDeps, input: SyncLinkInput): Promise<SyncLinkResult> {
  const { integration, link, trigger } = input;
  const ref: FingerprintRef = { universe: link.universe, project: link.project, fingerprint: link.fingerprint };
  const context = { integration: integration.name, fingerprint: link.fingerprint, issueKey: link.issueKey, trigger: trigger.kind };
  const { stateMap } = integration.sync;
  const fix = integration.fixVersions;
  const configPath = input.configPath ?? `integration "${integration.name}"`;
  // Nothing seen of one side yet (a new link, or one whose first sync failed): a link-time sync, changelog and all.
  const linkTime = trigger.kind === 'link' || !link.sync?.backtrace || !link.sync?.jira;

  let issue: JiraIssueState;
  const [deployment, self] = await Promise.all([deps.tracker.deploymentType(), deps.tracker.myself()]);
  const versionField = fix.enabled ? await versionFieldIdOf(deps.tracker, fix.jiraField, configPath) : undefined;
  const read = (id: string, changelog = false) => deps.tracker.getIssueState(id, { changelog, ...(versionField ? { versionField } : {}) });
  try {
    issue = await read(link.issueId, linkTime);
  } catch (error) {
    if (!(error instanceof PermanentError && error.status === 404)) throw error;
    await unlinkGone(deps, integration, link, ref, context);
    return { outcome: 'issue-gone' };
  }
  const row = trigger.kind === 'link' && trigger.row ? trigger.row : await deps.backtrace.getIssue(ref);
  const toJira: string[] = [];
  let basedOn = issue.updatedAt;

  if (trigger.kind === 'jira') {
    const lost = overwrittenChange(trigger.delivery, jiraSide(issue, deployment), link.sync?.pushedToJira, self, deployment);
    if (lost) {
      deps.log.warn(`A change to ${issue.key} made while the bridge wrote it was overwritten; putting it back`, { ...context, lost });
      const restored = await writeToIssue(deps, {
        integration,
        issue,
        deployment,
        ...(lost.statusId === undefined ? {} : { target: { kind: 'status', idOrName: lost.statusId } as JiraTarget }),
        ...(lost.assignee === undefined ? {} : { assignee: lost.assignee === null ? null : jiraUserRef(lost.assignee, deployment) }),
        context,
      });
      toJira.push(...restored.actions.map((action) => `${action} (put back)`));
      // Read again: the put-back change is now Jira's newest, with its own time and the assignee's full record.
      if (restored.actions.length > 0) issue = await read(link.issueId);
    }
  }

  const now = deps.clock.now();
  const current = { backtrace: backtraceSide(row), jira: jiraSide(issue, deployment) };
  const enabled = directions(integration);
  const plan = planSync({
    seen: link.sync,
    backtrace: current.backtrace,
    observedAt: trigger.kind === 'backtrace' ? trigger.observedAt : now,
    jira: current.jira,
    jiraUpdatedAt: issue.updatedAt,
    ...(linkTime ? { jiraChangedSinceCreation: changedInJiraByOthers(issue.history ?? [], self) } : {}),
    enabled,
    onLink: integration.sync.onLink,
    reconcile: trigger.kind === 'backtrace' && trigger.reconcile === true,
  });

  // A regression (Backtrace reopened the fingerprint past its resolved-until version): acted on once per reopen
  // count, by `fixVersions.onRegression`, instead of the plain state sync.
  const regression = fix.enabled
    ? regressionDecision({ state: row.state, reopenCount: row.reopenCount ?? 0, seenReopenCount: linkTime ? undefined : link.sync?.backtrace?.reopenCount, handledCount: link.sync?.regression?.count })
    : undefined;
  let regressionRecord: LinkSyncState['regression'];
  let acted: RegressionActResult | undefined;
  if (regression?.act) {
    plan.toJira.state = false;
    plan.toBacktrace.state = false;
    const until = versionInvariantOf(row.invariants) ?? link.sync?.resolvedUntil ?? undefined;
    const recorded = link.sync?.resolvedUntil ?? undefined;
    const version = regressionVersion(link.sync?.regressedIn, until && recorded && until.version === recorded.version ? recorded : until);
    acted = await actOnRegression(deps, {
      integration, configPath, link, issue, deployment, self, count: regression.count, version, resolvedUntil: until?.version, versionFieldId: versionField ?? 'fixVersions', context,
    });
    toJira.push(...acted.actions);
    regressionRecord = { count: regression.count, action: acted.action, ...(version === undefined ? {} : { version }), at: now, ...(acted.newIssue ? { issueKey: acted.newIssue.ref.key } : {}) };
    deps.log.info(`Regression of ${link.issueKey}${version ? ` in ${version}` : ''}: ${acted.actions.join(', ') || 'nothing to do'}`, { ...context, reopenCount: regression.count, action: acted.action });
  } else if (regression?.record !== undefined) {
    regressionRecord = { count: regression.record, action: 'none', at: now };
    deps.log.info(`Fingerprint reopened by Backtrace and ${row.state} again before the bridge saw it: nothing reopened in Jira`, context);
  }
  // The regression's new issue is the fingerprint's issue from here on.
  const newIssue = acted?.newIssue;
  if (newIssue) issue = newIssue.state;

  // Fix Versions changed on a done issue: the fingerprint is resolved (again) until the new highest version.
  const jiraState = backtraceStateFor(issue.status, stateMap);
  if (fix.enabled && !acted && !linkTime && jiraState === 'resolved' && enabled.toBacktrace.state && fixVersionsChanged(current.jira, link.sync?.jira)) {
    plan.toBacktrace.state = true;
    plan.why.state = 'Fix Versions changed on a done issue';
  }

  // Backtrace -> Jira.
  let jiraAfter = acted && !newIssue ? acted.after : { status: issue.status, assignee: issue.assignee };
  if (anyField(plan.toJira)) {
    const assignees = fingerprintAssignees(row.tickets);
    const starts = !plan.toJira.state && startsWork({ assigneeFlows: plan.toJira.assignee, stateFlowsToJira: enabled.toJira.state, backtrace: current.backtrace, jira: jiraSide(jiraAfter, deployment), seenJira: link.sync?.jira });
    const target = plan.toJira.state || starts ? jiraTargetFor(meantState(current.backtrace), stateMap) : undefined;
    const assignee = plan.toJira.assignee ? await jiraUserFor(deps, primaryAssignee(assignees), integration, deployment, context) : undefined;
    basedOn = issue.updatedAt;
    const written = await writeToIssue(deps, { integration, issue: { ...issue, ...jiraAfter }, deployment, ...(target ? { target } : {}), ...(assignee === undefined ? {} : { assignee }), context });
    jiraAfter = written.after;
    toJira.push(...written.actions);
  }

  // Jira -> Backtrace, and our ticket entry kept true (the issue's state, key and URL) either way.
  const url = `${integration.jira.siteUrl}/browse/${issue.key}`;
  const assignees = plan.toBacktrace.assignee ? await backtraceAssigneesFor(deps, issue.assignee, integration, link.universe, context) : undefined;
  const newState = plan.toBacktrace.state ? jiraState : undefined;
  const invariants = fix.enabled && !acted
    ? invariantsFor({
        newState,
        rowInvariants: row.invariants,
        fixVersions: issue.fixVersions ?? [],
        versioning: versioningFor(fix, (trigger.kind === 'link' ? trigger.group?.values : undefined) ?? link.sync?.group?.values ?? {}),
        invariant: fix.invariant,
      })
    : { write: false as const };
  if (invariants.decision && newState === 'resolved') {
    const { decision } = invariants;
    if (decision.skipped.length > 0) deps.log.warn(`Fix Versions of ${issue.key} skipped: ${decision.skipped.join('; ')}`, context);
    if (decision.reason) deps.log.info(`${issue.key} resolved without a version invariant: ${decision.reason}`, context);
  }
  const written = await writeToFingerprint(deps, {
    integration,
    ref,
    row,
    ...(newState ? { state: newState } : {}),
    ...(assignees === undefined ? {} : { assignees }),
    ...(invariants.write ? { invariants: invariants.invariants } : {}),
    ticket: { state: backtraceStateFor(jiraAfter.status, stateMap), key: issue.key, url },
    context,
  });
  if (backtraceChanges(current.backtrace, link.sync?.backtrace).assignee) {
    // Who is who, for mapping Jira users back by e-mail.
    const known = fingerprintAssignees(row.tickets).filter((user) => user.email);
    if (known.length > 0) await deps.users.remember(link.universe, known, now);
  }

  // Each side's time is that of its last change of its own (seen there, not written by the bridge to follow the
  // other side), so the reconcile can tell which side changed last.
  const observedAt = trigger.kind === 'backtrace' ? trigger.observedAt : now;
  const changedHere = { backtrace: backtraceChanges(current.backtrace, link.sync?.backtrace), jira: jiraChanges(current.jira, link.sync?.jira) };
  const backtraceAt = link.sync?.backtrace && !anyField(changedHere.backtrace) ? link.sync.backtrace.at : observedAt;
  const jiraUpdatedAt = link.sync?.jira && !anyField(changedHere.jira) && !newIssue ? link.sync.jira.updatedAt : issue.updatedAt;
  const jiraSeen = jiraSide({ ...jiraAfter, ...(issue.fixVersions === undefined ? {} : { fixVersions: issue.fixVersions }) }, deployment);
  const resolvedUntil = invariants.write ? versionInvariantOf(invariants.invariants) : undefined;
  const sync: Partial<LinkSyncState> = {
    backtrace: { ...backtraceSide(written.after), at: backtraceAt, reopenCount: row.reopenCount ?? 0 },
    jira: { ...jiraSeen, updatedAt: jiraUpdatedAt },
    ...(toJira.length > 0 ? { pushedToJira: { statusId: jiraAfter.status.id, assignee: jiraSeen.assignee, at: now, basedOn } } : {}),
    ...(invariants.write ? { resolvedUntil: resolvedUntil ? { ...resolvedUntil, at: now } : null } : {}),
    ...(regressionRecord ? { regression: regressionRecord } : {}),
    ...(trigger.kind === 'link' && trigger.group ? { group: trigger.group } : {}),
  };
  const moved = issue.key !== link.issueKey;
  if (moved && !newIssue) deps.log.info(`Jira issue ${link.issueKey} is now ${issue.key}`, context);
  const changed = toJira.length > 0 || written.actions.length > 0;
  if (changed) deps.log.info(`Synced ${issue.key} and its fingerprint`, { ...context, toJira, toBacktrace: written.actions, why: plan.why });
  return {
    outcome: changed ? 'synced' : 'unchanged',
    issueKey: issue.key,
    toJira,
    toBacktrace: written.actions,
    record: { sync, ...(moved ? { issueKey: issue.key, issueUrl: url } : {}), ...(newIssue ? { issueId: newIssue.ref.id } : {}) },
  };
}

/** The issue is gone from Jira (404): our ticket entry comes off the fingerprint and the link is forgotten. */
async function unlinkGone(deps: SyncLinkDeps, integration: IntegrationConfig, link: LinkedLink, ref: FingerprintRef, context: Record<string, unknown>): Promise<void> {
  const row = await deps.backtrace.getIssue(ref);
  const tickets = ticketsWithout(row.tickets, integration.name);
  if (!sameTickets(tickets, row.tickets)) await deps.backtrace.updateIssue(ref, { tickets });
  await deps.links.unlink(integration.name, link.fingerprint, link.issueId);
  deps.settledLinks?.forget(integration.name, link.fingerprint);
  deps.log.info(`Jira has no issue ${link.issueKey} any more: unlinked from the fingerprint`, context);
}
