import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../../shared/domain/model/backtrace.ts';
import { primaryAssignee, syncEnabled, ticketsAfterJiraChange, ticketsWithout } from '../../../shared/domain/sync/sync-decisions.ts';

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


