import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../../shared/domain/model/backtrace.ts';
import type { LinkSyncState } from '../../../shared/domain/model/link.ts';
import { parseJiraWebhook, type JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import {
  isOurBacktraceEcho,
  isOurJiraEcho,
  isStale,
  primaryAssignee,
  pushedToBacktraceRecord,
  pushedToJiraRecord,
  syncEnabled,
  ticketsAfterJiraChange,
  ticketsWithout,
  type JiraChangeView,
} from '../../../shared/domain/sync/sync-decisions.ts';
import { CLOUD_ALICE, CLOUD_BOB, CLOUD_BOT, DC_ADMIN, DC_JDOE, DONE, IN_PROGRESS, TO_DO, webhookFixture } from './sync-factories.ts';

function issueEvent(name: string): JiraIssueEvent {
  const parsed = parseJiraWebhook(webhookFixture(name));
  if (parsed.kind !== 'issue') throw new Error(`${name} is not an issue event`);
  return parsed;
}

describe('Function: syncEnabled', () => {
  it.each([
    ['none', true, 'to-jira', 'state', false],
    ['one-way', true, 'to-jira', 'state', true],
    ['one-way', true, 'to-backtrace', 'state', false],
    ['two-way', true, 'to-backtrace', 'assignee', true],
    ['two-way', false, 'to-jira', 'assignee', false],
  ] as const)('mode %s with the field switch %s: %s %s -> %s', (mode, on, direction, field, expected) => {
    // Prepare
    const sync = { mode, state: field === 'state' ? on : true, assignee: field === 'assignee' ? on : true };

    // Act
    const enabled = syncEnabled(sync, direction, field);

    // Assess
    expect(enabled).toBe(expected);
  });
});

describe('Function: isStale', () => {
  it.each([
    ['no watermark yet', undefined, 1000, false],
    ['a newer change', 1000, 1001, false],
    ['a change at the same time (whole seconds), or the same change again: both sides are read, nothing is lost', 1000, 1000, false],
    ['an older change delivered late', 1000, 999, true],
  ])('%s', (_case, watermark, value, expected) => {
    // Act
    const stale = isStale(watermark, value);

    // Assess
    expect(stale).toBe(expected);
  });
});

describe('Function: primaryAssignee', () => {
  it.each([
    ['the first of several', [{ id: 3 }, { id: 1 }], { id: 3 }],
    ['null when unassigned', [], null],
  ])('gives %s', (_case, assignees, expected) => {
    // Act
    const primary = primaryAssignee(assignees);

    // Assess
    expect(primary).toEqual(expected);
  });
});

describe('Function: isOurJiraEcho', () => {
  const statusChange = (status = DONE, assignee: JiraChangeView['assignee'] = CLOUD_ALICE): JiraChangeView => ({ changed: { status: true, assignee: false }, status, assignee });
  const assigneeChange = (assignee: JiraChangeView['assignee'], status = IN_PROGRESS): JiraChangeView => ({ changed: { status: false, assignee: true }, status, assignee });
  const pushed = (record: Omit<NonNullable<LinkSyncState['pushedToJira']>, 'at'>) => ({ ...record, at: 1 });

  it.each([
    ['made by our own Cloud account', CLOUD_BOT, CLOUD_BOT, statusChange(), undefined, 'Cloud' as const, "made by the integration's own Jira account"],
    ['made by our own Data Center account, same key', DC_ADMIN, { name: 'admin', key: 'admin' }, statusChange(), undefined, 'Server' as const, "made by the integration's own Jira account"],
    ['made by our own Data Center account, username in another case', { name: 'Admin' }, { name: 'admin' }, statusChange(), undefined, 'Server' as const, "made by the integration's own Jira account"],
    ['the status we pushed, with the assignee we left', CLOUD_ALICE, CLOUD_BOT, statusChange(DONE), pushed({ statusId: '10001', assignee: CLOUD_ALICE.accountId ?? null }), 'Cloud' as const, 'the issue holds exactly what the bridge last pushed to Jira'],
    ['the status we pushed, with no assignee on record', CLOUD_ALICE, CLOUD_BOT, statusChange(DONE), pushed({ statusId: '10001' }), 'Cloud' as const, 'the issue holds exactly what the bridge last pushed to Jira'],
    ['the unassignment we pushed', CLOUD_ALICE, CLOUD_BOT, assigneeChange(null), pushed({ statusId: '3', assignee: null }), 'Cloud' as const, 'the issue holds exactly what the bridge last pushed to Jira'],
    ['the Data Center assignee we pushed, by username', undefined, DC_ADMIN, assigneeChange(DC_JDOE), pushed({ assignee: 'jdoe' }), 'Server' as const, 'the issue holds exactly what the bridge last pushed to Jira'],
  ])('recognises an echo: %s', (_case, author, self, change, pushedRecord, deployment, reason) => {
    // Act
    const verdict = isOurJiraEcho(author, self, change, pushedRecord, deployment);

    // Assess
    expect(verdict).toEqual({ echo: true, reason });
  });

  it.each([
    ['a person, with nothing pushed', CLOUD_ALICE, CLOUD_BOT, statusChange(), undefined, 'Cloud' as const],
    ['a person moving the issue elsewhere than we pushed', CLOUD_ALICE, CLOUD_BOT, statusChange(IN_PROGRESS), pushed({ statusId: '10001' }), 'Cloud' as const],
    ['a person reassigning while the status is what we pushed', CLOUD_ALICE, CLOUD_BOT, assigneeChange(CLOUD_BOB, DONE), pushed({ statusId: '10001' }), 'Cloud' as const],
    ['a person assigning someone else than we pushed', CLOUD_ALICE, CLOUD_BOT, assigneeChange(CLOUD_BOB), pushed({ statusId: '3', assignee: CLOUD_ALICE.accountId ?? null }), 'Cloud' as const],
    ['a person moving the status while the assignee is what we pushed', CLOUD_ALICE, CLOUD_BOT, statusChange(DONE, null), pushed({ assignee: null }), 'Cloud' as const],
    ['a change of neither field', CLOUD_ALICE, CLOUD_BOT, { changed: { status: false, assignee: false }, status: DONE }, pushed({ statusId: '10001' }), 'Cloud' as const],
    ['an assignee change whose new assignee is not in the body', CLOUD_ALICE, CLOUD_BOT, { changed: { status: false, assignee: true }, status: DONE }, pushed({ statusId: '10001', assignee: null }), 'Cloud' as const],
    ['an empty pushed record', CLOUD_ALICE, CLOUD_BOT, statusChange(), pushed({}), 'Cloud' as const],
    ['no author and no pushed record', undefined, CLOUD_BOT, statusChange(), undefined, 'Cloud' as const],
    ['a Cloud user sharing only a legacy name with us', { accountId: 'acc-person', name: 'admin' }, { accountId: 'acc-bot', name: 'admin' }, statusChange(), undefined, 'Cloud' as const],
  ])('lets through a real change: %s', (_case, author, self, change, pushedRecord, deployment) => {
    // Act
    const verdict = isOurJiraEcho(author, self, change, pushedRecord, deployment);

    // Assess
    expect(verdict).toEqual({ echo: false });
  });

  it('reads a parsed webhook: our own unassignment on Cloud is an echo', () => {
    // Prepare
    const event = issueEvent('cloud_issue_updated_unassigned.json');

    // Act
    const verdict = isOurJiraEcho(event.author, CLOUD_BOT, event, undefined, 'Cloud');

    // Assess
    expect(verdict.echo).toBe(true);
  });

  it('reads a parsed webhook: a real Server transition to Done is no echo when we pushed To Do', () => {
    // Prepare
    const event = issueEvent('issue_updated_status_to_done.json');

    // Act
    const verdict = isOurJiraEcho(event.author, { name: 'bridge-bot' }, event, pushed({ statusId: '10000', assignee: 'admin' }), 'Server');

    // Assess
    expect(verdict.echo).toBe(false);
  });
});

describe('Function: isOurBacktraceEcho', () => {
  const pushed = (record: Omit<NonNullable<LinkSyncState['pushedToBacktrace']>, 'at'>) => ({ ...record, at: 1 });

  it.each([
    ['the same state and assignees', { state: 'resolved' as const, assignees: [{ id: 12 }] }, pushed({ state: 'resolved', assigneeIds: [12] })],
    ['the same assignees in another order', { state: 'open' as const, assignees: [{ id: 2 }, { id: 1 }] }, pushed({ state: 'open', assigneeIds: [1, 2] })],
    ['unassigned as pushed', { state: 'in-progress' as const, assignees: [] }, pushed({ state: 'in-progress', assigneeIds: [] })],
    ['the state, with no assignees on record', { state: 'muted' as const, assignees: [{ id: 3 }] }, pushed({ state: 'muted' })],
    ['a change stamped after our write began', { state: 'resolved' as const, assignees: [{ id: 12 }], at: 2 }, pushed({ state: 'resolved', assigneeIds: [12] })],
  ])('recognises an echo: %s', (_case, event, pushedRecord) => {
    // Act
    const verdict = isOurBacktraceEcho(event, pushedRecord);

    // Assess
    expect(verdict).toEqual({ echo: true, reason: 'the fingerprint holds exactly what the bridge last pushed to Backtrace' });
  });

  it.each([
    ['nothing pushed', { state: 'resolved' as const, assignees: [] }, undefined],
    ['an empty pushed record', { state: 'resolved' as const, assignees: [] }, pushed({})],
    ['another state', { state: 'open' as const, assignees: [{ id: 12 }] }, pushed({ state: 'resolved', assigneeIds: [12] })],
    ['another assignee', { state: 'resolved' as const, assignees: [{ id: 13 }] }, pushed({ state: 'resolved', assigneeIds: [12] })],
    ['one assignee more', { state: 'resolved' as const, assignees: [{ id: 12 }, { id: 13 }] }, pushed({ state: 'resolved', assigneeIds: [12] })],
    ['a change made before our write began, although the fingerprint now looks the same', { state: 'resolved' as const, assignees: [{ id: 12 }], at: 0 }, pushed({ state: 'resolved', assigneeIds: [12] })],
  ])('lets through a real change: %s', (_case, event, pushedRecord) => {
    // Act
    const verdict = isOurBacktraceEcho(event, pushedRecord);

    // Assess
    expect(verdict).toEqual({ echo: false });
  });
});

describe('Function: pushedToJiraRecord / pushedToBacktraceRecord', () => {
  it.each([
    ['a Cloud assignee by accountId', { status: DONE, assignee: CLOUD_ALICE }, 'Cloud' as const, { statusId: '10001', assignee: CLOUD_ALICE.accountId, at: 5 }],
    ['a Data Center assignee by username', { status: TO_DO, assignee: DC_JDOE }, 'Server' as const, { statusId: '10000', assignee: 'jdoe', at: 5 }],
    ['unassigned as null', { status: TO_DO, assignee: null }, 'Cloud' as const, { statusId: '10000', assignee: null, at: 5 }],
    ['no assignee when the user has no key', { status: TO_DO, assignee: { name: 'legacy' } }, 'Cloud' as const, { statusId: '10000', at: 5 }],
  ])('records %s', (_case, after, deployment, expected) => {
    // Act
    const record = pushedToJiraRecord(after, deployment, 5);

    // Assess
    expect(record).toEqual(expected);
  });

  it('records the Backtrace state and sorted, distinct assignee ids', () => {
    // Act
    const record = pushedToBacktraceRecord({ state: 'resolved', assignees: [{ id: 9 }, { id: 2 }, { id: 9 }] }, 7);

    // Assess
    expect(record).toEqual({ state: 'resolved', assigneeIds: [2, 9], at: 7 });
  });

  it('makes the fingerprint.updated echo of a write recognisable', () => {
    // Prepare
    const after = { state: 'in-progress' as const, assignees: [{ id: 4 }, { id: 1 }] };
    const record = pushedToBacktraceRecord(after, 7);

    // Act
    const verdict = isOurBacktraceEcho(after, record);

    // Assess
    expect(verdict.echo).toBe(true);
  });
});

describe('Function: ticketsAfterJiraChange', () => {
  const other: Ticket = { watcher: 'jira-staging', state: 'open', short: 'STG-1', url: 'https://stg/browse/STG-1' };
  const ours: Ticket = { watcher: 'jira-prod', state: 'open', short: 'CRASH-7', url: 'https://acme/browse/CRASH-7' };
  const backtrace: Ticket = { watcher: '_backtrace', state: 'open', assignees: [{ id: 1, username: 'old' }] };

  it.each<[string, Ticket[], Parameters<typeof ticketsAfterJiraChange>[2], Ticket[]]>([
    [
      'our state changes, the others stay in order',
      [backtrace, other, ours],
      { state: 'resolved' },
      [backtrace, other, { ...ours, state: 'resolved' }],
    ],
    [
      'our entry takes the issue state, which may differ from the fingerprint state',
      [ours],
      { state: 'muted', issueState: 'resolved' },
      [{ ...ours, state: 'resolved' }],
    ],
    [
      'assignees go on the _backtrace entry',
      [backtrace, ours],
      { assignees: [{ id: 12, username: 'alice' }] },
      [{ ...backtrace, assignees: [{ id: 12, username: 'alice' }] }, ours],
    ],
    [
      'a _backtrace entry is created first when absent',
      [other, ours],
      { state: 'in-progress', assignees: [{ id: 12 }] },
      [{ watcher: '_backtrace', assignees: [{ id: 12 }], state: 'in-progress' }, other, { ...ours, state: 'in-progress' }],
    ],
    [
      'a _backtrace entry found later in the list moves first',
      [other, backtrace, ours],
      { assignees: [] },
      [{ ...backtrace, assignees: [] }, other, ours],
    ],
    ['null unassigns', [backtrace], { assignees: null }, [{ ...backtrace, assignees: [] }]],
    ['no assignees given leaves _backtrace alone and creates none', [other], { state: 'open' }, [other]],
    [
      'a moved issue shows its new key and URL',
      [backtrace, ours],
      { key: 'GAME-3', url: 'https://acme/browse/GAME-3' },
      [backtrace, { ...ours, short: 'GAME-3', url: 'https://acme/browse/GAME-3' }],
    ],
    [
      'our missing entry is appended when the key is known',
      [backtrace, other],
      { state: 'resolved', key: 'CRASH-7', url: 'https://acme/browse/CRASH-7' },
      [backtrace, other, { watcher: 'jira-prod', state: 'resolved', short: 'CRASH-7', url: 'https://acme/browse/CRASH-7' }],
    ],
    ['our missing entry is not invented without a key', [other], { state: 'resolved' }, [other]],
    ['an empty list with assignees gets only the _backtrace entry', [], { assignees: [{ id: 3 }] }, [{ watcher: '_backtrace', assignees: [{ id: 3 }] }]],
  ])('%s', (_case, tickets, change, expected) => {
    // Act
    const result = ticketsAfterJiraChange(tickets, 'jira-prod', change);

    // Assess
    expect(result).toEqual(expected);
  });

  it('leaves the list it was given unchanged', () => {
    // Prepare
    const tickets = [structuredClone(backtrace), structuredClone(ours)];
    const before = structuredClone(tickets);

    // Act
    ticketsAfterJiraChange(tickets, 'jira-prod', { state: 'resolved', assignees: [{ id: 9 }], key: 'X-1' });

    // Assess
    expect(tickets).toEqual(before);
  });
});

describe('Function: ticketsWithout', () => {
  it.each<[string, Ticket[], Ticket[]]>([
    ['removes our entry and keeps the rest in order', [{ watcher: '_backtrace' }, { watcher: 'jira-prod' }, { watcher: 'jira-staging' }], [{ watcher: '_backtrace' }, { watcher: 'jira-staging' }]],
    ['removes duplicates of our entry', [{ watcher: 'jira-prod' }, { watcher: 'jira-prod', short: 'X-2' }], []],
    ['changes nothing when our entry is absent', [{ watcher: 'jira-staging' }], [{ watcher: 'jira-staging' }]],
  ])('%s', (_case, tickets, expected) => {
    // Act
    const result = ticketsWithout(tickets, 'jira-prod');

    // Assess
    expect(result).toEqual(expected);
  });
});


