import { describe, expect, it } from 'vitest';
import { parseJiraWebhook } from '../../shared/domain/jira/jira-webhook.ts';
import { trimJiraWebhook } from '../../shared/domain/jira/trim-jira-webhook.ts';
import { parseQueueMessage } from '../../shared/domain/queue-message.ts';
import { sampleBody } from './domain-factories.ts';
import { webhookFixture } from './sync/sync-factories.ts';

const text = (value: unknown) => JSON.stringify(value);

describe('Function: parseQueueMessage', () => {
  it.each([
    ['a group from the ingest route, for two integrations', { kind: 'backtrace.group', integrations: ['jira-prod', 'jira-ops'], group: sampleBody(), receivedAt: '2026-12-01T00:00:00.000Z' }],
    ['a group from the EventBridge rule (no integrations: not routed yet)', { kind: 'backtrace.group', group: sampleBody(), receivedAt: '2026-12-01T00:00:00Z' }],
  ])('reads %s, the group as the webhook sent it', (_case, message) => {
    // Act
    const result = parseQueueMessage(text(message));

    // Assess
    expect(result).toEqual({ ok: true, message });
  });

  it('reads a group whose optional fields are null as if they were absent', () => {
    // Prepare
    const { classifiers: _dropped, ...rest } = sampleBody();

    // Act
    const result = parseQueueMessage(text({ kind: 'backtrace.group', integrations: ['jira-prod'], group: { ...rest, classifiers: null } }));

    // Assess
    expect(result).toEqual({ ok: true, message: { kind: 'backtrace.group', integrations: ['jira-prod'], group: rest } });
  });

  it('reads a fingerprint change with its time in epoch milliseconds', () => {
    // Prepare
    const event = { type: 'fingerprint.updated', universe: 'acme', project: 'game', fingerprint: 'f1', state: 'resolved', assignees: [{ id: 12, username: 'ana', email: null }], at: '2026-11-27T19:50:00Z' };

    // Act
    const result = parseQueueMessage(text({ kind: 'backtrace.fingerprint-updated', integration: 'jira-prod', event }));

    // Assess
    expect(result).toEqual({
      ok: true,
      message: {
        kind: 'backtrace.fingerprint-updated',
        integration: 'jira-prod',
        event: { type: 'fingerprint.updated', universe: 'acme', project: 'game', fingerprint: 'f1', state: 'resolved', assignees: [{ id: 12, username: 'ana' }], at: Date.UTC(2026, 10, 27, 19, 50) },
      },
    });
  });

  it('reads a trimmed Jira delivery into the issue event the webhook parser reads from the full body', () => {
    // Prepare
    const body = webhookFixture('cloud_issue_updated_status_to_done.json');

    // Act
    const result = parseQueueMessage(text({ kind: 'jira.webhook', integrations: ['jira-prod'], deliveryId: 'd-1', event: trimJiraWebhook(body) }));

    // Assess
    expect(result).toEqual({ ok: true, message: { kind: 'jira.webhook', integrations: ['jira-prod'], deliveryId: 'd-1', event: parseJiraWebhook(body) } });
  });

  it.each([
    ['invalid JSON text', '{"kind":', '(body): is not valid JSON'],
    ['a JSON array', '[]', '(body): expected a queue message object with a "kind", got an array of 0'],
    ['a bare webhook body (no kind)', text(sampleBody()), 'kind: got nothing (expected one of "backtrace.group", "backtrace.fingerprint-updated", "jira.webhook")'],
    ['a raw EventBridge envelope', text({ 'detail-type': 'Backtrace Error Group', detail: sampleBody() }), 'kind: got nothing'],
    ['a message of another kind', text({ kind: 'fingerprint.updated' }), 'kind: got the string "fingerprint.updated" (expected one of'],
    ['a group without a fingerprint', text({ kind: 'backtrace.group', group: { universe: 'u', project: 'p' } }), 'group.fingerprint: required string is missing'],
    ['a group with a bad field', text({ kind: 'backtrace.group', group: { ...sampleBody(), occurrences: 'many' } }), 'group.occurrences: expected a number, got the string "many"'],
    ['an empty integration name', text({ kind: 'backtrace.group', integrations: ['ok', ''], group: sampleBody() }), 'integrations[1]'],
    ['no integrations at all', text({ kind: 'backtrace.group', integrations: [], group: sampleBody() }), 'integrations'],
    ['a fingerprint change with a state Backtrace does not have', text({ kind: 'backtrace.fingerprint-updated', integration: 'jira-prod', event: { type: 'fingerprint.updated', universe: 'u', project: 'p', fingerprint: 'f', state: 'closed', at: 1 } }), 'event.state: got the string "closed" (expected one of "open", "in-progress", "resolved", "muted")'],
    ['a Jira delivery without an issue id', text({ kind: 'jira.webhook', integrations: ['jira-prod'], event: { webhookEvent: 'jira:issue_updated', issue: { key: 'CRASH-1' } } }), 'event.issue.id: required, missing'],
    ['a Jira delivery that is no issue event', text({ kind: 'jira.webhook', integrations: ['jira-prod'], event: { webhookEvent: 'comment_created' } }), 'event: comment_created events are not synced'],
  ])('refuses %s with the path of the problem', (_case, body, expected) => {
    // Act
    const result = parseQueueMessage(body);

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toContain(expected);
  });
});
