/** The sandbox defaults the fake starts with, exported so tests and the local stack configure the same values. */
import type { FakeProject, JiraFakeAuth } from './types.ts';

/** Basic credentials accepted when no `auth` option is given (a Cloud-style email + API token). */
export const DEFAULT_JIRA_USER = 'bot@example.com';
export const DEFAULT_JIRA_SECRET = 'sandbox-token';

export const defaultJiraAuth = (): JiraFakeAuth => ({ basic: [{ user: DEFAULT_JIRA_USER, secret: DEFAULT_JIRA_SECRET }] });

/** Project CRASH (id 10000) with Bug (10004) and Task (10002); only the summary is required. */
export function defaultSandboxProject(): FakeProject {
  return {
    id: '10000',
    key: 'CRASH',
    name: 'Crash reports',
    issueTypes: [
      { id: '10004', name: 'Bug' },
      { id: '10002', name: 'Task' },
    ],
  };
}
