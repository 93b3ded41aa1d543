/**
 * The Backtrace -> Jira write: move the issue to a target status and assign it, choosing the transition by where it
 * leads (status id or category), never by its name, and setting the resolution only when the transition screen asks
 * for one. A target that cannot be reached (no such transition) is logged and skipped, never guessed.
 */
import type { IntegrationConfig } from '../../domain/config/index.ts';
import type { JiraDeployment, JiraIssueState, JiraUser, JiraUserRef } from '../../domain/model/jira.ts';
import { chooseTransition, describeTarget, resolutionFor, statusMatches, type JiraTarget } from '../../domain/sync/state-mapping.ts';
import { jiraUserKey } from '../../domain/sync/user-mapping.ts';
import type { IssueTracker } from '../../ports/issue-tracker.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';

export interface WriteToIssueInput {
  integration: IntegrationConfig;
  issue: JiraIssueState;
  deployment: JiraDeployment;
  /** Where the status should be; absent: leave it. */
  target?: JiraTarget;
  /** Who should be assigned (`null`: nobody); absent: leave it. */
  assignee?: JiraUserRef | null;
  context: Record<string, unknown>;
}

export interface WriteToIssueResult {
  /** The issue's status and assignee after the writes. */
  after: { status: JiraIssueState['status']; assignee: JiraUser | null };
  actions: string[];
}

export async function writeToIssue(deps: { tracker: IssueTracker; log: Logger; metrics?: Metrics }, input: WriteToIssueInput): Promise<WriteToIssueResult> {
  const { issue, target, assignee, context } = input;
  const after: WriteToIssueResult['after'] = { status: issue.status, assignee: issue.assignee };
  const actions: string[] = [];

  if (target && target.kind !== 'leave' && !statusMatches(issue.status, target)) {
    const choice = chooseTransition(await deps.tracker.listTransitions(issue.id), target);
    if (!choice.ok) {
      deps.log.warn(`Cannot move ${issue.key} to ${describeTarget(target)}: ${choice.reason}`, context);
    } else {
      const resolution = resolutionFor(choice.transition, input.integration.sync.stateMap.resolution);
      if (resolution.kind === 'problem') {
        deps.log.warn(`Cannot move ${issue.key} with "${choice.transition.name}": ${resolution.reason}`, context);
      } else {
        await deps.tracker.transition(issue.id, choice.transition.id, resolution.kind === 'set' ? { resolution: resolution.resolution } : undefined);
        deps.metrics?.count('SyncWrites', { direction: 'ToJira' });
        after.status = choice.transition.to;
        actions.push(`transitioned to ${choice.transition.to.name}`);
      }
    }
  }

  if (assignee !== undefined) {
    const currentKey = issue.assignee === null ? null : (jiraUserKey(issue.assignee, input.deployment) ?? null);
    const wantedKey = assignee === null ? null : 'accountId' in assignee ? assignee.accountId : assignee.name;
    if (currentKey?.toLowerCase() !== wantedKey?.toLowerCase()) {
      await deps.tracker.assign(issue.id, assignee);
      deps.metrics?.count('SyncWrites', { direction: 'ToJira' });
      after.assignee = assignee;
      actions.push(assignee === null ? 'unassigned' : `assigned to ${wantedKey}`);
    }
  }
  return { after, actions };
}
