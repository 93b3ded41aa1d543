/**
 * Backtrace users <-> Jira users. Explicit pairs (`sync.users`) first; otherwise, when `sync.userLookup` is "email",
 * by e-mail. A person is never guessed: when the match is not certain (nobody, several people, or a Jira Cloud user
 * whose e-mail is hidden) the change is skipped with a reason for the log. Jira identifies users by `accountId` on
 * Cloud and by username (`name`) on Data Center (jira-rest-v2.md section 4); Backtrace by numeric user id
 * (backtrace.md section 3.4).
 */
import type { TicketAssignee } from '../model/backtrace.ts';
import type { JiraDeployment, JiraUser, JiraUserRef } from '../model/jira.ts';
import type { KnownBacktraceUser } from '../model/backtrace.ts';
import type { SyncConfig, UserPairConfig } from '../config/index.ts';

/** The part of `sync` that maps users. */
export type UserMappingConfig = Pick<SyncConfig, 'users' | 'userLookup'>;

export type JiraUserDecision =
  | { kind: 'user'; ref: JiraUserRef }
  /** No pair: look the e-mail up in Jira (`findUsersByEmail`), then decide with {@link pickJiraUserByEmail}. */
  | { kind: 'lookup'; email: string }
  | { kind: 'skip'; reason: string };

export type BacktraceUserDecision =
  | { kind: 'user'; assignee: TicketAssignee }
  /** No usable pair: look the e-mail up among known Backtrace users, then decide with {@link backtraceUserFromLookup}. */
  | { kind: 'lookup'; email: string }
  | { kind: 'skip'; reason: string };

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** How the bridge names a Jira user: `accountId` on Cloud, username on Data Center (falling back to the user key). */
export function jiraUserKey(user: JiraUser, deployment: JiraDeployment): string | undefined {
  return deployment === 'Cloud' ? user.accountId : (user.name ?? user.key);
}

/** The body of `PUT .../assignee` for a Jira user or a configured identifier. */
export function jiraUserRef(identifier: string, deployment: JiraDeployment): JiraUserRef {
  return deployment === 'Cloud' ? { accountId: identifier } : { name: identifier };
}

function describeBacktraceUser(assignee: TicketAssignee): string {
  const names = [assignee.username, assignee.email].filter((value): value is string => !!value);
  return `Backtrace user ${assignee.id}${names.length ? ` (${names.join(', ')})` : ''}`;
}

function describeJiraUser(user: JiraUser): string {
  const id = user.accountId ?? user.name ?? user.key ?? '?';
  return `Jira user ${id}${user.displayName ? ` (${user.displayName})` : ''}`;
}

function backtraceSideMatches(side: UserPairConfig['backtrace'], assignee: TicketAssignee): boolean {
  if (typeof side === 'number') return side === assignee.id;
  if (typeof side === 'string') return (!!assignee.username && same(side, assignee.username)) || (!!assignee.email && same(side, assignee.email));
  return side.id === assignee.id;
}

/**
 * The Jira user to assign for a Backtrace assignee: the first explicit pair matching its id, username or e-mail
 * (case-insensitive); else an e-mail lookup when allowed and the e-mail is known; else a skip reason.
 */
export function jiraUserForBacktrace(assignee: TicketAssignee, mapping: UserMappingConfig, deployment: JiraDeployment): JiraUserDecision {
  const pair = mapping.users.find((candidate) => backtraceSideMatches(candidate.backtrace, assignee));
  if (pair) return { kind: 'user', ref: jiraUserRef(pair.jira, deployment) };
  if (mapping.userLookup === 'none') {
    return {
      kind: 'skip',
      reason: `skipped: ${describeBacktraceUser(assignee)} has no pair in sync.users and sync.userLookup is "none"; add {"backtrace": ${assignee.id}, "jira": "<${deployment === 'Cloud' ? 'accountId' : 'username'}>"} to sync.users`,
    };
  }
  if (!assignee.email) {
    return {
      kind: 'skip',
      reason: `skipped: ${describeBacktraceUser(assignee)} has no pair in sync.users and Backtrace sent no e-mail to look up; add {"backtrace": ${assignee.id}, "jira": "<${deployment === 'Cloud' ? 'accountId' : 'username'}>"} to sync.users`,
    };
  }
  return { kind: 'lookup', email: assignee.email };
}

/**
 * Decide on the result of a Jira user search by e-mail: exactly one active user whose visible e-mail equals `email`
 * (case-insensitive). Anything less certain is skipped, never assigned to the wrong person.
 */
export function pickJiraUserByEmail(users: JiraUser[], email: string, deployment: JiraDeployment): { kind: 'user'; ref: JiraUserRef } | { kind: 'skip'; reason: string } {
  const pairHint = `add an explicit pair to sync.users`;
  const matching = users.filter((user) => !!user.emailAddress && same(user.emailAddress, email));
  if (matching.length > 1) {
    return { kind: 'skip', reason: `skipped: ${matching.length} Jira users have the e-mail ${email}; ${pairHint}` };
  }
  if (matching.length === 0) {
    if (deployment === 'Cloud' && users.some((user) => !user.emailAddress)) {
      return { kind: 'skip', reason: `skipped: Jira Cloud hides this user's e-mail (${email}), so the match cannot be confirmed; ${pairHint} with the Jira accountId` };
    }
    const hidden = deployment === 'Cloud' ? ' (Jira Cloud does not find users whose e-mail is hidden)' : '';
    return { kind: 'skip', reason: `skipped: no Jira user has the e-mail ${email}${hidden}; ${pairHint}` };
  }
  const [user] = matching;
  if (user.active === false) {
    return { kind: 'skip', reason: `skipped: ${describeJiraUser(user)} with the e-mail ${email} is deactivated in Jira` };
  }
  const key = jiraUserKey(user, deployment);
  if (!key) {
    return { kind: 'skip', reason: `skipped: the Jira user with the e-mail ${email} has no ${deployment === 'Cloud' ? 'accountId' : 'username'} to assign` };
  }
  return { kind: 'user', ref: jiraUserRef(key, deployment) };
}

function jiraSideMatches(jira: string, user: JiraUser): boolean {
  // accountIds are exact; Data Center usernames and keys are case-insensitive.
  return jira.trim() === user.accountId || (!!user.name && same(jira, user.name)) || (!!user.key && same(jira, user.key));
}

function assigneeFromPair(side: UserPairConfig['backtrace']): TicketAssignee | string {
  if (typeof side === 'number') return { id: side };
  if (typeof side === 'string') return side;
  return { id: side.id, ...(side.username ? { username: side.username } : {}), ...(side.email ? { email: side.email } : {}) };
}

const looksLikeEmail = (value: string) => /^[^\s@]+@[^\s@]+$/.test(value.trim());

/**
 * The Backtrace assignee for a Jira user: an explicit pair naming the Backtrace user id wins; a pair naming a
 * Backtrace e-mail, or else the Jira user's own visible e-mail (Data Center; Cloud webhooks never carry one), is looked
 * up among Backtrace users the bridge has seen (when `sync.userLookup` is "email"). Backtrace needs the numeric id.
 */
export function backtraceUserForJira(user: JiraUser, mapping: UserMappingConfig): BacktraceUserDecision {
  const pair = mapping.users.find((candidate) => jiraSideMatches(candidate.jira, user));
  if (pair) {
    const side = assigneeFromPair(pair.backtrace);
    if (typeof side !== 'string') return { kind: 'user', assignee: side };
    if (looksLikeEmail(side)) {
      if (mapping.userLookup === 'email') return { kind: 'lookup', email: side.trim() };
      return { kind: 'skip', reason: `skipped: the sync.users pair for ${describeJiraUser(user)} names the Backtrace user "${side}" without its numeric id, and sync.userLookup is "none"; write {"id": <Backtrace user id>, "email": "${side}"}` };
    }
    return {
      kind: 'skip',
      reason: `skipped: the sync.users pair for ${describeJiraUser(user)} names the Backtrace user "${side}" without its numeric id; write {"id": <Backtrace user id>, "username": "${side}"}`,
    };
  }
  if (mapping.userLookup === 'none') {
    return { kind: 'skip', reason: `skipped: ${describeJiraUser(user)} has no pair in sync.users and sync.userLookup is "none"; add {"backtrace": <Backtrace user id>, "jira": "${user.accountId ?? user.name ?? user.key ?? ''}"} to sync.users` };
  }
  if (!user.emailAddress) {
    return {
      kind: 'skip',
      reason: `skipped: ${describeJiraUser(user)} has no pair in sync.users and Jira shows no e-mail for them${user.accountId ? ' (Jira Cloud hides e-mails)' : ''}; add {"backtrace": <Backtrace user id>, "jira": "${user.accountId ?? user.name ?? user.key ?? ''}"} to sync.users`,
    };
  }
  return { kind: 'lookup', email: user.emailAddress.trim() };
}

/** Finish {@link backtraceUserForJira}'s lookup with what the link store knows (`findBacktraceUserByEmail`). */
export function backtraceUserFromLookup(email: string, known: KnownBacktraceUser | undefined): { kind: 'user'; assignee: TicketAssignee } | { kind: 'skip'; reason: string } {
  if (!known) {
    return {
      kind: 'skip',
      reason: `skipped: no Backtrace user with the e-mail ${email} has been seen yet (the bridge learns them from fingerprint.updated events); add a pair with the Backtrace user id to sync.users`,
    };
  }
  if (known.email && !same(known.email, email)) {
    return { kind: 'skip', reason: `skipped: the Backtrace user found for ${email} has another e-mail (${known.email})` };
  }
  return { kind: 'user', assignee: { id: known.id, ...(known.username ? { username: known.username } : {}), email: known.email ?? email } };
}
