import { describe, expect, it } from 'vitest';
import {
  readListedWebhook,
  redactWebhookUrl,
  sameWebhookUrl,
  webhookDialect,
  webhookDifferences,
  webhookRequestBody,
  type DesiredWebhook,
  type ListedWebhook,
} from '../../../infra/cli/webhook/webhook-spec.ts';

const desired: DesiredWebhook = { name: 'bridge', url: 'https://bridge.example.com/jira/webhook', jql: 'project = CRASH', secret: 's3cret' };
const listed: ListedWebhook = { id: '7', name: 'bridge', url: desired.url, events: ['jira:issue_updated', 'jira:issue_deleted'], jql: 'project = CRASH', enabled: true, signed: true };

describe('Function: webhookDialect', () => {
  it.each([
    [{ deploymentType: 'Cloud', versionNumbers: [1001, 0, 0] }, 'webhooks-1.0', true],
    [{ deploymentType: 'Server', versionNumbers: [9, 12, 15], version: '9.12.15' }, 'webhooks-1.0', false],
    [{ deploymentType: 'Server', versionNumbers: [8, 20, 0] }, 'webhooks-1.0', false],
    [{ deploymentType: 'Server', versionNumbers: [10, 0, 0] }, 'jira-webhook-1.0', true],
    [{ deploymentType: 'Server', version: '11.1.0' }, 'jira-webhook-1.0', true],
  ])('%j -> %s (can sign: %s)', (info, dialect, canSign) => {
    expect(webhookDialect(info)).toMatchObject({ dialect, canSign });
  });
});

describe('Function: webhookRequestBody', () => {
  it.each([
    ['webhooks-1.0', desired, { name: 'bridge', url: desired.url, events: ['jira:issue_updated', 'jira:issue_deleted'], filters: { 'issue-related-events-section': 'project = CRASH' }, excludeBody: false, secret: 's3cret' }],
    ['webhooks-1.0', { ...desired, secret: undefined }, { filters: { 'issue-related-events-section': 'project = CRASH' } }],
    ['jira-webhook-1.0', desired, { name: 'bridge', url: desired.url, active: 'true', configuration: { FILTERS: 'project = CRASH', EXCLUDE_BODY: 'false', SECRET: 's3cret' } }],
  ] as const)('%s: %j', (dialect, input, expected) => {
    const body = webhookRequestBody(dialect, input);
    expect(body).toMatchObject(expected);
    if (input.secret === undefined) expect(body).not.toHaveProperty('secret');
    // DC 10 ignores the old fields silently: sending them would only hide a mistake.
    if (dialect === 'jira-webhook-1.0') expect(body).not.toHaveProperty('filters');
  });
});

describe('Function: readListedWebhook', () => {
  it.each([
    ['webhooks-1.0', { name: 'b', url: 'u', events: ['jira:issue_created'], filters: { 'issue-related-events-section': 'project = A' }, enabled: true, self: 'https://x/rest/webhooks/1.0/webhook/42', isSigned: false }, { id: '42', jql: 'project = A', enabled: true, signed: false }],
    ['webhooks-1.0', { name: 'b', url: 'u', events: [], filters: {}, enabled: false, self: 'https://x/rest/webhooks/1.0/webhook/43/' }, { id: '43', jql: '', enabled: false }],
    ['jira-webhook-1.0', { id: 5, name: 'b', url: 'u', active: 'false', events: ['jira:issue_updated'], configuration: { FILTERS: 'project = B' } }, { id: '5', jql: 'project = B', enabled: false }],
  ] as const)('%s: %j', (dialect, item, expected) => {
    expect(readListedWebhook(dialect, item)).toMatchObject(expected);
  });
});

describe('Function: webhookDifferences', () => {
  it.each([
    ['identical', listed, desired, []],
    ['registered by an older bridge, with jira:issue_created too', { ...listed, events: ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'] }, desired, []],
    ['JQL spacing and case differ only', { ...listed, jql: 'PROJECT  =  crash' }, desired, []],
    ['unknown signed state (Data Center)', { ...listed, signed: undefined }, desired, []],
    ['a missing event', { ...listed, events: ['jira:issue_created'] }, desired, ['events lack jira:issue_updated, jira:issue_deleted']],
    ['another project', { ...listed, jql: 'project = OTHER' }, desired, ['JQL is "project = OTHER", not "project = CRASH"']],
    ['disabled', { ...listed, enabled: false }, desired, ['it is disabled']],
    ['unsigned while a secret is wanted', { ...listed, signed: false }, desired, ['it has no secret, so its deliveries are not signed']],
  ] as [string, ListedWebhook, DesiredWebhook, string[]][])('%s', (_name, existing, wanted, expected) => {
    expect(webhookDifferences(wanted, existing)).toEqual(expected);
  });
});

describe('Function: sameWebhookUrl / redactWebhookUrl', () => {
  it.each([
    ['https://a.example/jira/webhook', 'https://a.example/jira/webhook/', true],
    ['https://a.example/jira/webhook?b=2&token=x', 'https://a.example/jira/webhook?token=x&b=2', true],
    ['https://a.example/jira/webhook?token=x', 'https://a.example/jira/webhook?token=y', false],
    ['https://a.example/jira/webhook', 'https://b.example/jira/webhook', false],
  ])('%s vs %s -> %s', (a, b, same) => {
    expect(sameWebhookUrl(a, b)).toBe(same);
  });

  it.each([
    ['https://a.example/jira/webhook?token=s3cret', 'https://a.example/jira/webhook?token=***'],
    ['https://a.example/jira/webhook?x=1&token=s3cret&y=2', 'https://a.example/jira/webhook?x=1&token=***&y=2'],
    ['https://a.example/jira/webhook', 'https://a.example/jira/webhook'],
  ])('%s is shown as %s', (url, shown) => {
    expect(redactWebhookUrl(url)).toBe(shown);
  });
});
