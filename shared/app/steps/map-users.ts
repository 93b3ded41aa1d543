/**
 * Users across the two tools, for one write: explicit `sync.users` pairs first, then an e-mail lookup (Jira's user
 * search one way, the Backtrace users the bridge has seen the other way). A person is never guessed: whatever
 * cannot be told for sure is logged and left alone (`undefined`).
 */
import type { IntegrationConfig } from '../../domain/config/index.ts';
import type { TicketAssignee } from '../../domain/model/backtrace.ts';
import type { JiraDeployment, JiraUser, JiraUserRef } from '../../domain/model/jira.ts';
import { backtraceUserForJira, backtraceUserFromLookup, jiraUserForBacktrace, pickJiraUserByEmail } from '../../domain/sync/user-mapping.ts';
import type { BacktraceUserDirectory } from '../../ports/backtrace-user-directory.ts';
import type { IssueTracker } from '../../ports/issue-tracker.ts';
import type { Logger } from '../../ports/logger.ts';

/** The Jira user for a Backtrace assignee (`null` in: unassign); `undefined` when it cannot be told for sure. */
export async function jiraUserFor(
  deps: { tracker: IssueTracker; log: Logger },
  assignee: TicketAssignee | null,
  integration: IntegrationConfig,
  deployment: JiraDeployment,
  context: Record<string, unknown>,
): Promise<JiraUserRef | null | undefined> {
  if (assignee === null) return null;
  const mapped = jiraUserForBacktrace(assignee, integration.sync, deployment);
  if (mapped.kind === 'user') return mapped.ref;
  const picked = mapped.kind === 'skip' ? mapped : pickJiraUserByEmail(await deps.tracker.findUsersByEmail(mapped.email), mapped.email, deployment);
  if (picked.kind === 'skip') {
    deps.log.info(`Assignee not synced to Jira: ${picked.reason}`, { ...context, backtraceUser: assignee.username ?? assignee.id });
    return undefined;
  }
  return picked.ref;
}

/** The Backtrace assignees for a Jira assignee (`null` in: `[]`); `undefined` when it cannot be told for sure. */
export async function backtraceAssigneesFor(
  deps: { users: Pick<BacktraceUserDirectory, 'findByEmail'>; log: Logger },
  assignee: JiraUser | null,
  integration: IntegrationConfig,
  universe: string,
  context: Record<string, unknown>,
): Promise<TicketAssignee[] | undefined> {
  if (assignee === null) return [];
  const mapped = backtraceUserForJira(assignee, integration.sync);
  if (mapped.kind === 'user') return [mapped.assignee];
  const found = mapped.kind === 'skip' ? mapped : backtraceUserFromLookup(mapped.email, await deps.users.findByEmail(universe, mapped.email));
  if (found.kind === 'skip') {
    deps.log.info(`Assignee not synced to Backtrace: ${found.reason}`, { ...context, jiraUser: assignee.displayName });
    return undefined;
  }
  return [found.assignee];
}
