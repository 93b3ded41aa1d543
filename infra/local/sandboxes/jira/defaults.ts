/** The defaults the Jira sandbox starts with, exported so the local stack and the tests configure the same values. */
import type { FakeProject, FakeUser, JiraFakeAuth } from './types.ts';

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

/**
 * The site's people when no `users` option is given: the bot matching the default credentials, colleagues to
 * assign to, one Cloud user who hides their e-mail (searchable by it, never shown it) and one deactivated user.
 * Server keys follow Jira 8+ (`JIRAUSER...`, not the name) except for the old `admin` account.
 */
export function defaultJiraUsers(deployment: 'Cloud' | 'Server'): FakeUser[] {
  if (deployment === 'Cloud') {
    return [
      { displayName: 'Sandbox Bot', emailAddress: DEFAULT_JIRA_USER },
      { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Ana Lima', emailAddress: 'ana@example.com' },
      { accountId: '712020:1f6c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', displayName: 'Harper Quinn', emailAddress: 'harper@example.com', hideEmail: true },
      { accountId: '557058:0b2d4f6a-8c1e-4a3b-9d5f-7e6c5b4a3f2e', displayName: 'Former Colleague', emailAddress: 'former@example.com', active: false },
    ];
  }
  return [
    { name: DEFAULT_JIRA_USER, key: 'JIRAUSER10000', displayName: 'Sandbox Bot', emailAddress: DEFAULT_JIRA_USER },
    { name: 'admin', key: 'admin', displayName: 'Administrator', emailAddress: 'admin@example.com' },
    { name: 'ana', key: 'JIRAUSER10100', displayName: 'Ana Lima', emailAddress: 'ana@example.com' },
    { name: 'harper', key: 'JIRAUSER10101', displayName: 'Harper Quinn', emailAddress: 'harper@example.com' },
    { name: 'former', key: 'JIRAUSER10102', displayName: 'Former Colleague', emailAddress: 'former@example.com', active: false },
  ];
}
