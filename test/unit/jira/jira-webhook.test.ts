import { describe, expect, it } from 'vitest';
import { parseJiraDateTime } from '../../../shared/domain/jira/jira-json.ts';
import { parseJiraWebhook, type JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import { trimJiraWebhook } from '../../../shared/domain/jira/trim-jira-webhook.ts';
import { CLOUD_ALICE, CLOUD_BOB, CLOUD_BOT, DC_JDOE, DONE, IN_PROGRESS, TO_DO, webhookFixture } from '../sync/sync-factories.ts';

const SERVER_ADMIN = { name: 'admin', key: 'admin', displayName: 'admin', emailAddress: 'admin@example.com', active: true };

describe('Function: parseJiraWebhook', () => {
  describe('real Jira Server bodies', () => {
    it('reads a transition to Done with its resolution (issue_updated_status_to_done)', () => {
      // Prepare
      const body = webhookFixture('issue_updated_status_to_done.json');

      // Act
      const result = parseJiraWebhook(body);

      // Assess
      expect(result).toEqual({
        kind: 'issue',
        event: 'updated',
        issueId: '10011',
        issueKey: 'TEST-12',
        projectKey: 'TEST',
        author: SERVER_ADMIN,
        timestamp: 1481183713759,
        updatedAt: Date.UTC(2016, 11, 8, 7, 55, 13, 755),
        status: DONE,
        assignee: SERVER_ADMIN,
        resolution: { id: '1', name: 'Fixed' },
        changed: { status: true, resolution: true, assignee: false },
        changelog: { statusId: '10001' },
      } satisfies JiraIssueEvent);
    });

    it('reads a transition whose changelog lists the resolution first (issue_updated_status_updated)', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('issue_updated_status_updated.json'));

      // Assess
      expect(result).toMatchObject({
        kind: 'issue',
        issueId: '10010',
        issueKey: 'TEST-11',
        status: DONE,
        resolution: { id: '10000', name: 'Done' },
        changed: { status: true, resolution: true, assignee: false },
        changelog: { statusId: '10001' },
      });
    });

    it('sees no status or assignee change in a field edit (issue_updated_fields_updated)', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('issue_updated_fields_updated.json'));

      // Assess
      expect(result).toMatchObject({
        kind: 'issue',
        event: 'updated',
        status: TO_DO,
        changed: { status: false, resolution: true, assignee: false },
        changelog: {},
      });
    });

    it('counts what a create without a changelog set as changed (issue_created)', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('issue_created.json'));

      // Assess
      expect(result).toMatchObject({
        kind: 'issue',
        event: 'created',
        issueId: '10003',
        issueKey: 'TEST-4',
        projectKey: 'TEST',
        author: { name: 'admin', emailAddress: 'admin@admin.com' },
        updatedAt: Date.UTC(2015, 11, 20, 18, 25, 9, 582),
        status: TO_DO,
        assignee: null,
        resolution: null,
        changed: { status: true, resolution: false, assignee: false },
      });
    });

    it('ignores a comment event (cloud_comment_added)', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('cloud_comment_added.json'));

      // Assess
      expect(result).toEqual({
        kind: 'ignored',
        webhookEvent: 'comment_created',
        reason: 'comment_created events are not synced (only jira:issue_created, jira:issue_updated, jira:issue_deleted)',
      });
    });

    it('reads a Data Center assignee change: the changelog holds the user key, the fields the user', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('server_issue_updated_assignee_changed.json'));

      // Assess
      expect(result).toMatchObject({
        kind: 'issue',
        status: IN_PROGRESS,
        assignee: DC_JDOE,
        changed: { status: false, resolution: false, assignee: true },
        changelog: { assignee: 'JIRAUSER10100' },
      });
    });
  });

  describe('Cloud-shaped bodies', () => {
    it('reads a create with a changelog: capitalised "Status" and the assignee accountId', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('cloud_issue_created.json'));

      // Assess
      expect(result).toEqual({
        kind: 'issue',
        event: 'created',
        issueId: '10021',
        issueKey: 'CRASH-7',
        projectKey: 'CRASH',
        author: CLOUD_ALICE,
        timestamp: 1733807512047,
        updatedAt: Date.UTC(2024, 11, 10, 5, 11, 52, 47),
        status: TO_DO,
        assignee: CLOUD_ALICE,
        resolution: null,
        changed: { status: true, resolution: false, assignee: true },
        changelog: { statusId: '10000', assignee: CLOUD_ALICE.accountId },
      } satisfies JiraIssueEvent);
    });

    it('reads a transition to Done', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('cloud_issue_updated_status_to_done.json'));

      // Assess
      expect(result).toMatchObject({
        event: 'updated',
        status: DONE,
        resolution: { id: '10000', name: 'Done' },
        updatedAt: Date.UTC(2024, 11, 11, 6, 53, 20, 118),
        changed: { status: true, resolution: true, assignee: false },
      });
    });

    it('reads a reassignment by accountId', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('cloud_issue_updated_assignee_changed.json'));

      // Assess
      expect(result).toMatchObject({
        author: CLOUD_BOB,
        assignee: CLOUD_BOB,
        changed: { status: false, resolution: false, assignee: true },
        changelog: { assignee: CLOUD_BOB.accountId },
      });
    });

    it('reads an unassignment as a null assignee', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('cloud_issue_updated_unassigned.json'));

      // Assess
      expect(result).toMatchObject({ author: CLOUD_BOT, assignee: null, changed: { assignee: true }, changelog: { assignee: null } });
    });

    it('reads a delete: the issue as it was, nothing changed', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('cloud_issue_deleted.json'));

      // Assess
      expect(result).toMatchObject({
        kind: 'issue',
        event: 'deleted',
        issueId: '10021',
        issueKey: 'CRASH-7',
        changed: { status: false, resolution: false, assignee: false },
        changelog: {},
      });
    });

    it('reads a moved issue: same id, the new key and project', () => {
      // Act
      const result = parseJiraWebhook(webhookFixture('cloud_issue_moved.json'));

      // Assess
      expect(result).toMatchObject({ issueId: '10021', issueKey: 'GAME-3', projectKey: 'GAME', changed: { status: false, assignee: false } });
    });
  });

  describe('changelog matching', () => {
    const update = (items: unknown[]) => ({
      webhookEvent: 'jira:issue_updated',
      issue: { id: '1', key: 'CRASH-1', fields: {} },
      changelog: { items },
    });

    it.each([
      ['fieldId "status" whatever the field name says', { field: 'Workflow state', fieldId: 'status', to: '3' }, { status: true }],
      ['field "STATUS" case-insensitively without fieldId', { field: 'STATUS', to: '3' }, { status: true }],
      ['fieldId over a misleading field name', { field: 'status', fieldId: 'customfield_10020', to: '3' }, { status: false }],
      ['a custom field named "Resolution"', { field: 'Resolution', fieldtype: 'custom', fieldId: 'customfield_10031' }, { resolution: false }],
      ['the resolution', { field: 'resolution', to: '10000' }, { resolution: true }],
      ['the assignee', { field: 'assignee', to: 'jdoe' }, { assignee: true }],
    ])('matches %s', (_case, item, changed) => {
      // Act
      const result = parseJiraWebhook(update([item]));

      // Assess
      expect(result).toMatchObject({ kind: 'issue', changed });
    });

    it.each([
      ['prefers tmpToAccountId over to', { field: 'assignee', fieldId: 'assignee', to: 'legacy', tmpToAccountId: 'acc-1' }, 'acc-1'],
      ['reads `to` on Data Center', { field: 'assignee', to: 'jdoe' }, 'jdoe'],
      ['reads an unassignment as null', { field: 'assignee', fieldId: 'assignee', to: null, tmpToAccountId: null }, null],
    ])('for the assignee, %s', (_case, item, assignee) => {
      // Act
      const result = parseJiraWebhook(update([item]));

      // Assess
      expect(result).toMatchObject({ changelog: { assignee } });
    });

    it('reads a numeric status id and an issue id given as numbers', () => {
      // Act
      const result = parseJiraWebhook({ webhookEvent: 'jira:issue_updated', issue: { id: 10021, key: 'CRASH-7' }, changelog: { items: [{ field: 'status', to: 3 }] } });

      // Assess
      expect(result).toMatchObject({ issueId: '10021', projectKey: 'CRASH', changelog: { statusId: '3' } });
    });

    it('reads a body without fields or changelog as an issue with nothing known', () => {
      // Act
      const result = parseJiraWebhook({ webhookEvent: 'jira:issue_updated', issue: { id: '1', key: 'MY-PROJ-12' } });

      // Assess
      expect(result).toEqual({
        kind: 'issue',
        event: 'updated',
        issueId: '1',
        issueKey: 'MY-PROJ-12',
        projectKey: 'MY-PROJ',
        changed: { status: false, resolution: false, assignee: false },
        changelog: {},
      });
    });

    it('reads a status without a category as category "undefined"', () => {
      // Act
      const result = parseJiraWebhook({ webhookEvent: 'jira:issue_updated', issue: { id: '1', key: 'A-1', fields: { status: { id: '5', name: 'Limbo' } } } });

      // Assess
      expect(result).toMatchObject({ status: { id: '5', name: 'Limbo', categoryKey: 'undefined' } });
    });
  });

  it.each([
    ['issue_property_set', 'issue_property_set events are not synced'],
    ['jira:version_released', 'jira:version_released events are not synced'],
    ['worklog_updated', 'worklog_updated events are not synced'],
  ])('ignores %s', (webhookEvent, reason) => {
    // Act
    const result = parseJiraWebhook({ webhookEvent, timestamp: 1 });

    // Assess
    expect(result).toMatchObject({ kind: 'ignored', webhookEvent, reason: expect.stringContaining(reason) });
  });

  it.each([
    ['JSON text rather than the parsed body', '{"webhookEvent"', '(body): expected a JSON object, got the string "{\\"webhookEvent\\""'],
    ['an array', [], '(body): expected a JSON object, got an array of 0'],
    ['no webhookEvent', { issue: { id: '1', key: 'A-1' } }, 'webhookEvent: required, missing'],
    ['a numeric webhookEvent', { webhookEvent: 7 }, 'webhookEvent: got the number 7'],
    ['an issue event without issue', { webhookEvent: 'jira:issue_updated' }, 'issue: required, missing (the issue the jira:issue_updated event is about)'],
    ['an issue that is a string', { webhookEvent: 'jira:issue_deleted', issue: 'A-1' }, 'issue: got the string "A-1"'],
    ['an issue without id', { webhookEvent: 'jira:issue_updated', issue: { key: 'A-1' } }, 'issue.id: required, missing (the Jira issue id, e.g. "10010")'],
    ['an issue with an empty key', { webhookEvent: 'jira:issue_created', issue: { id: '1', key: '' } }, 'issue.key: got the string ""'],
  ])('refuses %s as invalid', (_case, body, problem) => {
    // Act
    const result = parseJiraWebhook(body);

    // Assess
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.problems.join('\n')).toContain(problem);
  });

  it('names both a missing id and a missing key', () => {
    // Act
    const result = parseJiraWebhook({ webhookEvent: 'jira:issue_updated', issue: {} });

    // Assess
    expect(result.kind === 'invalid' && result.problems).toHaveLength(2);
  });
});

describe('Function: trimJiraWebhook', () => {
  const fixtures = [
    'issue_created.json',
    'issue_updated_fields_updated.json',
    'issue_updated_status_to_done.json',
    'issue_updated_status_updated.json',
    'cloud_issue_created.json',
    'cloud_issue_updated_status_to_done.json',
    'cloud_issue_updated_assignee_changed.json',
    'cloud_issue_updated_unassigned.json',
    'cloud_issue_deleted.json',
    'cloud_issue_moved.json',
    'server_issue_updated_assignee_changed.json',
  ];

  it.each(fixtures)('keeps everything the parser reads from %s', (name) => {
    // Prepare
    const body = webhookFixture(name);

    // Act
    const trimmed = trimJiraWebhook(body);

    // Assess
    expect(parseJiraWebhook(trimmed)).toEqual(parseJiraWebhook(body));
  });

  it.each(fixtures)('shrinks %s to a small message', (name) => {
    // Prepare
    const body = webhookFixture(name);

    // Act
    const trimmed = trimJiraWebhook(body);

    // Assess
    expect(JSON.stringify(trimmed).length).toBeLessThan(Math.min(JSON.stringify(body).length, 3000));
  });

  it('keeps the documented members and drops the rest', () => {
    // Prepare
    const body = webhookFixture('cloud_issue_updated_status_to_done.json');

    // Act
    const trimmed = trimJiraWebhook(body);

    // Assess
    expect(Object.keys(trimmed).sort()).toEqual(['changelog', 'issue', 'timestamp', 'user', 'webhookEvent']);
    expect(Object.keys(trimmed.issue ?? {}).sort()).toEqual(['fields', 'id', 'key', 'self']);
    expect(Object.keys(trimmed.issue?.fields ?? {}).sort()).toEqual(['assignee', 'project', 'resolution', 'status', 'summary', 'updated']);
    expect(trimmed.issue?.self).toBe('https://acme-crash.atlassian.net/rest/api/2/10021');
    expect(trimmed.user).toEqual(CLOUD_ALICE);
    expect(trimmed.issue?.fields?.status).toEqual({ id: '10001', name: 'Done', statusCategory: { id: 3, key: 'done', name: 'Done' } });
  });

  it('drops changelog items sync does not read, such as an edited description', () => {
    // Prepare
    const body = {
      webhookEvent: 'jira:issue_updated',
      issue: { id: '1', key: 'A-1', fields: {} },
      changelog: {
        id: '9',
        items: [
          { field: 'description', fromString: 'x'.repeat(100_000), toString: 'y'.repeat(100_000) },
          { field: 'status', fieldId: 'status', from: '1', to: '3', fromString: 'Open', toString: 'In Progress' },
        ],
      },
    };

    // Act
    const trimmed = trimJiraWebhook(body);

    // Assess
    expect(trimmed.changelog).toEqual({ id: '9', items: [{ field: 'status', fieldId: 'status', from: '1', to: '3', fromString: 'Open', toString: 'In Progress' }] });
  });

  it('cuts a very long summary', () => {
    // Act
    const trimmed = trimJiraWebhook({ webhookEvent: 'jira:issue_updated', issue: { id: '1', key: 'A-1', fields: { summary: 's'.repeat(5000) } } });

    // Assess
    expect(trimmed.issue?.fields?.summary).toHaveLength(1000);
  });

  it('keeps null assignee and resolution as null', () => {
    // Act
    const trimmed = trimJiraWebhook(webhookFixture('cloud_issue_updated_unassigned.json'));

    // Assess
    expect(trimmed.issue?.fields).toMatchObject({ assignee: null, resolution: null });
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['text', 'x'],
  ])('gives an empty message for %s', (_case, body) => {
    // Act
    const trimmed = trimJiraWebhook(body);

    // Assess
    expect(trimmed).toEqual({});
  });
});

describe('Function: parseJiraDateTime', () => {
  it.each([
    ["Jira's own form with +0000", '2016-12-08T15:55:13.000+0000', Date.UTC(2016, 11, 8, 15, 55, 13)],
    ['a positive offset', '2024-12-10T10:41:52.047+0530', Date.UTC(2024, 11, 10, 5, 11, 52, 47)],
    ['a negative offset', '2009-12-16T23:46:10.612-0600', Date.UTC(2009, 11, 17, 5, 46, 10, 612)],
    ['an offset with a colon', '2016-12-08T15:55:13.000+01:00', Date.UTC(2016, 11, 8, 14, 55, 13)],
    ['Z', '2016-12-08T15:55:13Z', Date.UTC(2016, 11, 8, 15, 55, 13)],
    ['no zone, read as UTC', '2016-12-08T15:55', Date.UTC(2016, 11, 8, 15, 55)],
    ['microseconds, cut to ms', '2016-12-08T15:55:13.123999+0000', Date.UTC(2016, 11, 8, 15, 55, 13, 123)],
    ['one fraction digit', '2016-12-08T15:55:13.5Z', Date.UTC(2016, 11, 8, 15, 55, 13, 500)],
    ['an hours-only offset', '2016-12-08T15:55:13.000+02', Date.UTC(2016, 11, 8, 13, 55, 13)],
    ['epoch ms as a number', 1481183713755, 1481183713755],
    ['a date without time', '2016-12-08', undefined],
    ['words', 'yesterday', undefined],
    ['null', null, undefined],
    ['not a number', Number.NaN, undefined],
  ])('reads %s', (_case, value, expected) => {
    // Act
    const ms = parseJiraDateTime(value);

    // Assess
    expect(ms).toBe(expected);
  });
});

describe('Fix Version changelog items', () => {
  // Reference section 6: one `Fix Version` item per version added or removed, `to`/`toString` set when added.
  const body = {
    webhookEvent: 'jira:issue_updated',
    timestamp: 1_764_590_400_000,
    issue: { id: '10010', key: 'CRASH-7', fields: { status: { id: '10001', name: 'Done', statusCategory: { key: 'done' } } } },
    changelog: {
      id: '555',
      items: [
        { field: 'Fix Version', fieldtype: 'jira', fieldId: 'fixVersions', from: null, fromString: null, to: '15469', toString: '2.4.0' },
        { field: 'Fix Version', fieldtype: 'jira', from: '15400', fromString: '2.3.0', to: null, toString: null },
        { field: 'Fixed in build', fieldtype: 'custom', fieldId: 'customfield_10400', from: null, fromString: null, to: '15470', toString: 'app-2.4.1' },
        { field: 'description', fieldtype: 'jira', fromString: 'old text', toString: 'x'.repeat(10_000) },
      ],
    },
  };

  it('reads one entry per version added or removed, system and custom fields alike', () => {
    const parsed = parseJiraWebhook(body);
    expect(parsed).toMatchObject({
      kind: 'issue',
      versions: [
        { field: 'Fix Version', added: '2.4.0' },
        { field: 'Fix Version', removed: '2.3.0' },
        { field: 'Fixed in build', added: 'app-2.4.1' },
      ],
    });
  });

  it('keeps the version items through the queue trim (it dropped them before) and still drops the description', () => {
    const trimmed = trimJiraWebhook(body);
    expect(trimmed.changelog?.items).toHaveLength(3);
    expect(parseJiraWebhook(trimmed)).toEqual(parseJiraWebhook(body));
    expect(JSON.stringify(trimmed)).not.toContain('old text');
  });
});
