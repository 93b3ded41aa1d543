/**
 * Jira users in both dialects (../shared/reference/jira-rest-v2.md section 4): Cloud identifies a user by
 * `accountId` and may hide the e-mail; Server/Data Center by `name` (with a `key` that may differ) and shows it.
 */
import { PermanentError } from '../../ports/errors.ts';
// One reader of Jira's user objects for REST answers and webhook bodies alike.
import { readJiraUser } from '../../domain/jira/jira-json.ts';
import type { JiraDeployment, JiraUser, JiraUserRef } from '../../domain/model/jira.ts';

/**
 * The body of `PUT issue/{key}/assignee`: Cloud `{"accountId": ...}`, Data Center `{"name": ...}`; null unassigns
 * in the member of the dialect. A reference in the other dialect's terms is a configuration mistake.
 */
export function assigneeBody(user: JiraUserRef | null, deployment: JiraDeployment): Record<string, string | null> {
  if (user === null) return deployment === 'Cloud' ? { accountId: null } : { name: null };
  if (deployment === 'Cloud' && !('accountId' in user)) {
    throw new PermanentError(
      `Cannot assign Jira user "${user.name}" on Jira Cloud: Cloud identifies users by accountId, not username. Put the user's accountId in sync.users (Jira: profile page URL, or Settings > User management)`,
    );
  }
  if (deployment === 'Server' && !('name' in user)) {
    throw new PermanentError(
      `Cannot assign Jira user by accountId "${user.accountId}" on Jira Data Center: Data Center identifies users by username. Put the username in sync.users`,
    );
  }
  return 'accountId' in user ? { accountId: user.accountId } : { name: user.name };
}

/** How a user reference reads in messages: `accountId 5b10...` / `username jdoe`. */
export function describeUserRef(user: JiraUserRef | null): string {
  if (user === null) return 'nobody (unassign)';
  return 'accountId' in user ? `accountId ${user.accountId}` : `username ${user.name}`;
}

/** Users whose visible e-mail is `email` (case-insensitive): a hidden e-mail never counts as a match. */
export function withEmail(users: unknown, email: string): JiraUser[] {
  if (!Array.isArray(users)) return [];
  const wanted = email.trim().toLowerCase();
  return users
    .map((user) => readJiraUser(user))
    .filter((user): user is JiraUser => user !== undefined && user.emailAddress?.trim().toLowerCase() === wanted);
}
