import { describe, expect, it } from 'vitest';
import type { JiraUser } from '../../../shared/domain/model/jira.ts';
import {
  backtraceUserForJira,
  backtraceUserFromLookup,
  jiraUserForBacktrace,
  jiraUserKey,
  pickJiraUserByEmail,
} from '../../../shared/domain/sync/user-mapping.ts';
import { CLOUD_ALICE, CLOUD_BOB, DC_ADMIN, DC_JDOE, syncConfig } from './sync-factories.ts';

const mapping = syncConfig({
  users: [
    { backtrace: 12, jira: CLOUD_ALICE.accountId },
    { backtrace: 'Bob', jira: CLOUD_BOB.accountId },
    { backtrace: 'Carol@Acme.com', jira: 'carol' },
    { backtrace: { id: 40, username: 'dave', email: 'dave@acme.com' }, jira: 'jdoe' },
  ],
});
const noLookup = syncConfig({ users: [], userLookup: 'none' });
const lookup = syncConfig({ users: [] });

describe('Function: jiraUserForBacktrace', () => {
  it.each([
    ['a pair by Backtrace id, on Cloud', { id: 12 }, 'Cloud' as const, { kind: 'user', ref: { accountId: CLOUD_ALICE.accountId } }],
    ['a pair by username, case-insensitively', { id: 99, username: 'bob' }, 'Cloud' as const, { kind: 'user', ref: { accountId: CLOUD_BOB.accountId } }],
    ['a pair by e-mail, case-insensitively, on Data Center', { id: 98, email: 'carol@acme.com' }, 'Server' as const, { kind: 'user', ref: { name: 'carol' } }],
    ['a pair written as an object, by its id', { id: 40 }, 'Server' as const, { kind: 'user', ref: { name: 'jdoe' } }],
    ['the first matching pair', { id: 12, username: 'bob' }, 'Cloud' as const, { kind: 'user', ref: { accountId: CLOUD_ALICE.accountId } }],
    ['an e-mail lookup when no pair matches', { id: 7, username: 'erin', email: 'erin@acme.com' }, 'Cloud' as const, { kind: 'lookup', email: 'erin@acme.com' }],
  ])('finds %s', (_case, assignee, deployment, expected) => {
    // Act
    const decision = jiraUserForBacktrace(assignee, mapping, deployment);

    // Assess
    expect(decision).toEqual(expected);
  });

  it('does not match an object pair by its informational username', () => {
    // Act
    const decision = jiraUserForBacktrace({ id: 41, username: 'dave' }, syncConfig({ users: [{ backtrace: { id: 40, username: 'dave' }, jira: 'jdoe' }], userLookup: 'none' }), 'Server');

    // Assess
    expect(decision.kind).toBe('skip');
  });

  it.each([
    [
      'no pair and lookup off',
      { id: 7, username: 'erin', email: 'erin@acme.com' },
      noLookup,
      'Cloud' as const,
      'skipped: Backtrace user 7 (erin, erin@acme.com) has no pair in sync.users and sync.userLookup is "none"; add {"backtrace": 7, "jira": "<accountId>"} to sync.users',
    ],
    [
      'no pair and no e-mail to look up',
      { id: 7, username: 'erin' },
      lookup,
      'Server' as const,
      'skipped: Backtrace user 7 (erin) has no pair in sync.users and Backtrace sent no e-mail to look up; add {"backtrace": 7, "jira": "<username>"} to sync.users',
    ],
  ])('skips %s', (_case, assignee, config, deployment, reason) => {
    // Act
    const decision = jiraUserForBacktrace(assignee, config, deployment);

    // Assess
    expect(decision).toEqual({ kind: 'skip', reason });
  });
});

describe('Function: pickJiraUserByEmail', () => {
  it.each([
    ['the one Cloud user with that visible e-mail', [{ ...CLOUD_ALICE, emailAddress: 'alice@acme.com' }], 'ALICE@acme.com', 'Cloud' as const, { accountId: CLOUD_ALICE.accountId }],
    ['the one Data Center user by username', [DC_JDOE], 'jdoe@example.com', 'Server' as const, { name: 'jdoe' }],
    ['a Data Center user without username, by key', [{ key: 'JIRAUSER10200', emailAddress: 'x@example.com' }], 'x@example.com', 'Server' as const, { name: 'JIRAUSER10200' }],
    ['the exact match among prefix matches', [DC_JDOE, { ...DC_ADMIN, emailAddress: 'jdoe@example.com.au' }], 'jdoe@example.com', 'Server' as const, { name: 'jdoe' }],
  ])('assigns %s', (_case, users, email, deployment, ref) => {
    // Act
    const decision = pickJiraUserByEmail(users, email, deployment);

    // Assess
    expect(decision).toEqual({ kind: 'user', ref });
  });

  it.each<[string, JiraUser[], 'Cloud' | 'Server', string]>([
    ['a Cloud user whose e-mail is hidden', [CLOUD_ALICE], 'Cloud', "skipped: Jira Cloud hides this user's e-mail (alice@acme.com), so the match cannot be confirmed; add an explicit pair to sync.users with the Jira accountId"],
    ['nobody on Cloud', [], 'Cloud', 'skipped: no Jira user has the e-mail alice@acme.com (Jira Cloud does not find users whose e-mail is hidden); add an explicit pair to sync.users'],
    ['nobody on Data Center', [{ ...DC_JDOE, emailAddress: 'other@acme.com' }], 'Server', 'skipped: no Jira user has the e-mail alice@acme.com; add an explicit pair to sync.users'],
    [
      'several users with that e-mail',
      [{ ...DC_JDOE, emailAddress: 'alice@acme.com' }, { ...DC_ADMIN, emailAddress: 'Alice@Acme.com' }],
      'Server',
      'skipped: 2 Jira users have the e-mail alice@acme.com; add an explicit pair to sync.users',
    ],
    ['a deactivated user', [{ ...DC_JDOE, emailAddress: 'alice@acme.com', active: false }], 'Server', 'skipped: Jira user jdoe (Jdoe) with the e-mail alice@acme.com is deactivated in Jira'],
    ['a Cloud user without accountId', [{ name: 'legacy', emailAddress: 'alice@acme.com' }], 'Cloud', 'skipped: the Jira user with the e-mail alice@acme.com has no accountId to assign'],
  ])('skips %s', (_case, users, deployment, reason) => {
    // Act
    const decision = pickJiraUserByEmail(users, 'alice@acme.com', deployment);

    // Assess
    expect(decision).toEqual({ kind: 'skip', reason });
  });
});

describe('Function: backtraceUserForJira', () => {
  it.each([
    ['a pair with the Backtrace id, by accountId', CLOUD_ALICE, mapping, { kind: 'user', assignee: { id: 12 } }],
    ['a pair written as an object, by Data Center username, case-insensitively', { ...DC_JDOE, name: 'JDoe' }, mapping, { kind: 'user', assignee: { id: 40, username: 'dave', email: 'dave@acme.com' } }],
    ['a pair by Data Center user key', { key: 'jdoe' }, mapping, { kind: 'user', assignee: { id: 40, username: 'dave', email: 'dave@acme.com' } }],
    ['a lookup of the e-mail a pair names', { name: 'carol', key: 'carol' }, mapping, { kind: 'lookup', email: 'Carol@Acme.com' }],
    ['a lookup of the Jira user\'s visible e-mail', DC_ADMIN, lookup, { kind: 'lookup', email: 'admin@example.com' }],
  ])('finds %s', (_case, user, config, expected) => {
    // Act
    const decision = backtraceUserForJira(user, config);

    // Assess
    expect(decision).toEqual(expected);
  });

  it('compares accountIds exactly', () => {
    // Act
    const decision = backtraceUserForJira({ accountId: CLOUD_ALICE.accountId?.toUpperCase() }, mapping);

    // Assess
    expect(decision.kind).not.toBe('user');
  });

  it.each([
    [
      'a pair naming only a Backtrace username',
      CLOUD_BOB,
      mapping,
      'skipped: the sync.users pair for Jira user 5b10ac8d82e05b22cc7d4ef5 (Bob Example) names the Backtrace user "Bob" without its numeric id; write {"id": <Backtrace user id>, "username": "Bob"}',
    ],
    [
      'a pair naming only a Backtrace e-mail, with lookup off',
      { name: 'carol' },
      syncConfig({ users: [{ backtrace: 'carol@acme.com', jira: 'carol' }], userLookup: 'none' }),
      'skipped: the sync.users pair for Jira user carol names the Backtrace user "carol@acme.com" without its numeric id, and sync.userLookup is "none"; write {"id": <Backtrace user id>, "email": "carol@acme.com"}',
    ],
    [
      'no pair and lookup off',
      DC_ADMIN,
      noLookup,
      'skipped: Jira user admin (admin) has no pair in sync.users and sync.userLookup is "none"; add {"backtrace": <Backtrace user id>, "jira": "admin"} to sync.users',
    ],
    [
      'a Cloud user with no visible e-mail',
      CLOUD_BOB,
      lookup,
      'skipped: Jira user 5b10ac8d82e05b22cc7d4ef5 (Bob Example) has no pair in sync.users and Jira shows no e-mail for them (Jira Cloud hides e-mails); add {"backtrace": <Backtrace user id>, "jira": "5b10ac8d82e05b22cc7d4ef5"} to sync.users',
    ],
  ])('skips %s', (_case, user, config, reason) => {
    // Act
    const decision = backtraceUserForJira(user, config);

    // Assess
    expect(decision).toEqual({ kind: 'skip', reason });
  });
});

describe('Function: backtraceUserFromLookup', () => {
  it.each([
    ['a known user with username and e-mail', { id: 5, username: 'erin', email: 'erin@acme.com' }, { id: 5, username: 'erin', email: 'erin@acme.com' }],
    ['a known user stored without e-mail, given the looked-up one', { id: 6 }, { id: 6, email: 'Erin@acme.com' }],
  ])('assigns %s', (_case, known, assignee) => {
    // Act
    const decision = backtraceUserFromLookup('Erin@acme.com', known);

    // Assess
    expect(decision).toEqual({ kind: 'user', assignee });
  });

  it.each([
    ['nobody known', undefined, 'skipped: no Backtrace user with the e-mail erin@acme.com has been seen yet (the bridge learns them from fingerprint.updated events); add a pair with the Backtrace user id to sync.users'],
    ['a user with another e-mail', { id: 5, email: 'someone@acme.com' }, 'skipped: the Backtrace user found for erin@acme.com has another e-mail (someone@acme.com)'],
  ])('skips %s', (_case, known, reason) => {
    // Act
    const decision = backtraceUserFromLookup('erin@acme.com', known);

    // Assess
    expect(decision).toEqual({ kind: 'skip', reason });
  });
});

describe('Function: jiraUserKey', () => {
  it.each<[string, JiraUser, 'Cloud' | 'Server', string | undefined]>([
    ['the accountId on Cloud', { accountId: 'acc-1', name: 'legacy' }, 'Cloud', 'acc-1'],
    ['nothing on Cloud without accountId', { name: 'legacy' }, 'Cloud', undefined],
    ['the username on Data Center', DC_JDOE, 'Server', 'jdoe'],
    ['the user key on Data Center without username', { key: 'JIRAUSER10100' }, 'Server', 'JIRAUSER10100'],
  ])('gives %s', (_case, user, deployment, expected) => {
    // Act
    const key = jiraUserKey(user, deployment);

    // Assess
    expect(key).toBe(expected);
  });
});
