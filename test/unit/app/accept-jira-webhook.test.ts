import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acceptJiraWebhook, CREATION_IGNORED, DELIVERY_MEMORY_SECONDS, MAX_WEBHOOK_BYTES, type AcceptJiraWebhookDeps } from '../../../shared/app/accept-jira-webhook.ts';
import type { IncomingRequest } from '../../../shared/app/http.ts';
import { trimJiraWebhook } from '../../../shared/domain/jira/trim-jira-webhook.ts';
import { parseQueueMessage } from '../../../shared/domain/queue-message.ts';
import { RetryableError } from '../../../shared/ports/errors.ts';
import { ManualClock } from '../../support/in-memory/clock.ts';
import { webhookFixture } from '../sync/sync-factories.ts';
import { appWorld, INTEGRATION, integrationDocument, WEBHOOK_SECRET, type AppWorld } from './app-world.ts';

const OPS = 'jira-ops';
const OPS_SECRET = 'ops-hook-secret';
const DELIVERY = 'a1b2c3d4-0000-4000-8000-000000000001';

const deps = (w: AppWorld): AcceptJiraWebhookDeps => ({ config: w.config, secrets: w.secrets, queue: w.queue, deliveries: w.deliveries, log: w.log, clock: w.clock });

const signature = (body: string | Buffer, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A delivery as Jira sends it: the raw body, its X-Hub-Signature and its delivery id (header names lower-cased). */
function delivery(body: string, options: { secret?: string | null; id?: string | null; headers?: Record<string, string> } = {}): IncomingRequest {
  const { secret = WEBHOOK_SECRET, id = DELIVERY } = options;
  return {
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { 'x-hub-signature': signature(body, secret) }),
      ...(id === null ? {} : { 'x-atlassian-webhook-identifier': id }),
      ...options.headers,
    },
    body,
  };
}

/** The world's clock reading: fixtures are re-dated to it, as Jira would send them now (the replay window has its own tests). */
const NOW = new ManualClock().now();
const fixtureText = (name: string) => JSON.stringify({ ...webhookFixture(name), timestamp: NOW });

/** Another integration on its own Backtrace and Jira projects. */
function otherIntegration(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = integrationDocument({ name });
  return {
    ...base,
    backtrace: { ...(base.backtrace as Record<string, unknown>), project: name },
    jira: { ...(base.jira as Record<string, unknown>), projectKey: name.replace(/\W/g, '').toUpperCase().slice(0, 8) },
    ...overrides,
  };
}

describe('Use-case: acceptJiraWebhook', () => {
  it.each([
    ['an unsigned delivery', fixtureText('cloud_issue_updated_status_to_done.json'), null, 'missing X-Hub-Signature header'],
    ['a delivery signed with another secret', fixtureText('cloud_issue_updated_status_to_done.json'), 'not-the-secret', 'X-Hub-Signature does not match the body'],
    ['an unsigned body that is not even JSON (nothing is parsed before the check)', '{"webhookEvent":', null, 'missing X-Hub-Signature header'],
  ])('answers 401 to %s, queues nothing and records nothing', async (_case, body, secret, reason) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(body, { secret }));

    // Assess
    expect(result.statusCode).toBe(401);
    expect(result.body.message).toContain('the delivery is not signed with a configured Jira webhook secret');
    expect(w.queue.sent).toEqual([]);
    expect(w.deliveries.expiries.size).toBe(0);
    const refused = w.log.lines.find((line) => line.message === "Refused a Jira webhook delivery: not signed by any integration's jiraWebhook.secret");
    expect(refused?.extra?.reasons).toEqual([expect.stringContaining(`${INTEGRATION}: ${reason}`)]);
    expect(JSON.stringify(w.log.lines)).not.toContain(WEBHOOK_SECRET);
  });

  it('answers 401 to a body altered after Jira signed it', async () => {
    // Prepare
    const w = appWorld();
    const signed = delivery(fixtureText('cloud_issue_updated_status_to_done.json'));
    const altered = { ...signed, body: signed.body!.replace('"CRASH-7"', '"CRASH-8"') };

    // Act
    const result = await acceptJiraWebhook(deps(w), altered);

    // Assess
    expect(altered.body).not.toBe(signed.body);
    expect(result.statusCode).toBe(401);
    expect(w.queue.sent).toEqual([]);
    expect(w.deliveries.expiries.size).toBe(0);
  });

  it.each([
    ['the right ?token=', { token: WEBHOOK_SECRET }, null, 200],
    ['no token', undefined, null, 401],
    ['a wrong token', { token: 'guess' }, null, 401],
    ['no token, but a valid X-Hub-Signature (not what this integration checks)', undefined, WEBHOOK_SECRET, 401],
  ])('with verification "query-token", answers a delivery with %s with %s', async (_case, query, secret, statusCode) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ jiraWebhook: { secret: 'jira/webhook', verification: 'query-token' } })] });
    const request = { ...delivery(fixtureText('issue_updated_status_to_done.json'), { secret }), ...(query ? { queryStringParameters: query } : {}) };

    // Act
    const result = await acceptJiraWebhook(deps(w), request);

    // Assess
    expect(result.statusCode).toBe(statusCode);
    expect(w.queue.sent).toHaveLength(statusCode === 200 ? 1 : 0);
    expect(w.deliveries.expiries.size).toBe(statusCode === 200 ? 1 : 0);
  });

  it('answers 413 to a signed body over MAX_WEBHOOK_BYTES, without reading a secret', async () => {
    // Prepare
    const w = appWorld();
    const body = JSON.stringify({ ...webhookFixture('cloud_issue_updated_status_to_done.json'), padding: 'x'.repeat(MAX_WEBHOOK_BYTES) });
    w.secrets.failWith = new RetryableError('no secret should be read for an oversized body');

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(body));

    // Assess
    expect(result).toEqual({ statusCode: 413, body: { message: `the body is ${Buffer.byteLength(body)} bytes; the limit is ${MAX_WEBHOOK_BYTES}` } });
    expect(w.queue.sent).toEqual([]);
  });

  it.each([
    ['invalid JSON', '{"webhookEvent": "jira:issue_updated",', 'the body is not valid JSON (', undefined],
    [
      'a body without webhookEvent',
      JSON.stringify({ timestamp: 1733900000123, issue: { id: '10021', key: 'CRASH-7' } }),
      'the body is not a Jira webhook event: webhookEvent: required, missing',
      ['webhookEvent: required, missing (the Jira event name, e.g. "jira:issue_updated")'],
    ],
    [
      'an issue event whose issue has no key',
      JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: '10021' } }),
      'the body is not a Jira webhook event: issue.key: required, missing',
      ['issue.key: required, missing (the Jira issue key, e.g. "CRASH-12")'],
    ],
  ])('answers 400 to a signed delivery of %s, queuing and recording nothing', async (_case, body, message, problems) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(body));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body.message).toContain(message);
    expect(result.body.problems).toEqual(problems);
    expect(w.queue.sent).toEqual([]);
    expect(w.deliveries.expiries.size).toBe(0);
  });

  it('answers 200 `ignored` to a comment event, queuing and recording nothing', async () => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(fixtureText('cloud_comment_added.json')));

    // Assess
    expect(result).toEqual({ statusCode: 200, body: { ignored: 'comment_created events are not synced (only jira:issue_created, jira:issue_updated, jira:issue_deleted)' } });
    expect(w.queue.sent).toEqual([]);
    expect(w.deliveries.expiries.size).toBe(0);
  });

  it.each([['cloud_issue_created.json'], ['issue_created.json']])(
    'answers 200 `ignored` to an issue creation (%s), a webhook registered by hand or by an older bridge: nothing queued or recorded',
    async (fixture) => {
      // Prepare
      const w = appWorld();

      // Act
      const result = await acceptJiraWebhook(deps(w), delivery(fixtureText(fixture)));

      // Assess: the bridge reads each issue it links right after linking it, so a creation carries nothing to sync
      expect(result).toEqual({ statusCode: 200, body: { ignored: CREATION_IGNORED } });
      expect(CREATION_IGNORED).toContain('jira:issue_created');
      expect(w.queue.sent).toEqual([]);
      expect(w.deliveries.expiries.size).toBe(0);
    },
  );

  it.each([
    ['cloud_issue_updated_status_to_done.json', 'CRASH-7', 'updated'],
    ['cloud_issue_deleted.json', 'CRASH-7', 'deleted'],
    ['cloud_issue_moved.json', 'GAME-3', 'updated'],
    ['issue_updated_status_to_done.json', 'TEST-12', 'updated'],
    ['server_issue_updated_assignee_changed.json', 'TEST-12', 'updated'],
  ])('queues %s trimmed, for the integration whose secret signed it, and answers 200 `queued`', async (fixture, issueKey, event) => {
    // Prepare
    const w = appWorld();
    const body = { ...webhookFixture(fixture), timestamp: NOW };

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(JSON.stringify(body)));

    // Assess
    expect(result).toEqual({ statusCode: 200, body: { queued: issueKey } });
    expect(w.queue.sent).toEqual([
      { message: { kind: 'jira.webhook', integrations: [INTEGRATION], deliveryId: DELIVERY, receivedAt: new Date(w.clock.now()).toISOString(), event: trimJiraWebhook(body) } },
    ]);
    // What the worker will read: the issue, and none of the bulk (avatars, descriptions) the body carried.
    const queued = JSON.stringify(w.queue.sent[0]!.message);
    expect(queued).not.toContain('avatarUrls');
    expect(queued.length).toBeLessThan(JSON.stringify(body).length);
    const parsed = parseQueueMessage(queued);
    expect(parsed.ok && parsed.message.kind === 'jira.webhook' ? parsed.message.event : parsed).toMatchObject({ kind: 'issue', event, issueKey });
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Jira webhook queued', extra: expect.objectContaining({ issueKey, deliveryId: DELIVERY }) }));
  });

  it.each([
    [`${INTEGRATION}'s`, WEBHOOK_SECRET, [INTEGRATION]],
    [`${OPS}'s`, OPS_SECRET, [OPS]],
  ])('names only the integration whose secret verified, for a delivery signed with %s secret', async (_case, secret, integrations) => {
    // Prepare: a one-way integration without jiraWebhook is never named.
    const w = appWorld({
      integrations: [
        integrationDocument(),
        otherIntegration(OPS, { jiraWebhook: { secret: 'jira/webhook-ops' } }),
        otherIntegration('jira-oneway', { sync: { mode: 'one-way' }, jiraWebhook: undefined }),
      ],
    });
    w.secrets.values['jira/webhook-ops'] = OPS_SECRET;

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(fixtureText('cloud_issue_updated_status_to_done.json'), { secret }));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.objectContaining({ kind: 'jira.webhook', integrations })]);
  });

  it('names every integration sharing the secret that signed the delivery, in config order', async () => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument(), otherIntegration(OPS, { jiraWebhook: { secret: 'jira/webhook' } })] });

    // Act
    await acceptJiraWebhook(deps(w), delivery(fixtureText('cloud_issue_updated_status_to_done.json')));

    // Assess
    expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.objectContaining({ integrations: [INTEGRATION, OPS] })]);
  });

  it.each([
    ['the same day', 0, 'duplicate'],
    ['just within the delivery memory', DELIVERY_MEMORY_SECONDS * 1000, 'duplicate'],
    // The replay window (at most the delivery memory) has closed by then: the body is dropped as stale, not queued.
    ['after the delivery memory ended', DELIVERY_MEMORY_SECONDS * 1000 + 1, 'stale'],
  ])('answers a delivery id seen %s with %s', async (_case, laterMs, answered) => {
    // Prepare
    const w = appWorld();
    const body = fixtureText('cloud_issue_updated_status_to_done.json');
    await acceptJiraWebhook(deps(w), delivery(body));
    w.clock.advance(laterMs);

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(body, { headers: { 'x-atlassian-webhook-retry': '1' } }));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toMatchObject(answered === 'duplicate' ? { duplicate: DELIVERY } : { dropped: 'stale' });
    expect(w.queue.sent).toHaveLength(1);
    if (answered === 'duplicate') expect(w.log.lines).toContainEqual({ level: 'debug', message: 'Duplicate Jira webhook delivery dropped', extra: { deliveryId: DELIVERY, retry: '1' } });
  });

  it('records the delivery id for a day from its arrival', async () => {
    // Prepare
    const w = appWorld();

    // Act
    await acceptJiraWebhook(deps(w), delivery(fixtureText('cloud_issue_updated_status_to_done.json')));

    // Assess
    expect([...w.deliveries.expiries]).toEqual([[DELIVERY, w.clock.now() + DELIVERY_MEMORY_SECONDS * 1000]]);
  });

  it('queues every delivery that carries no X-Atlassian-Webhook-Identifier (nothing to deduplicate by)', async () => {
    // Prepare
    const w = appWorld();
    const request = delivery(fixtureText('cloud_issue_updated_status_to_done.json'), { id: null });

    // Act
    const first = await acceptJiraWebhook(deps(w), request);
    const second = await acceptJiraWebhook(deps(w), request);

    // Assess
    expect([first, second]).toEqual([
      { statusCode: 200, body: { queued: 'CRASH-7' } },
      { statusCode: 200, body: { queued: 'CRASH-7' } },
    ]);
    expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.not.objectContaining({ deliveryId: expect.anything() }), expect.anything()]);
    expect(w.deliveries.expiries.size).toBe(0);
  });

  it('reads a base64 body (API Gateway isBase64Encoded) and checks the signature of the bytes Jira sent', async () => {
    // Prepare
    const w = appWorld();
    const signed = delivery(fixtureText('issue_updated_status_to_done.json'));

    // Act
    const result = await acceptJiraWebhook(deps(w), { ...signed, body: Buffer.from(signed.body!).toString('base64'), isBase64Encoded: true });

    // Assess
    expect(result).toEqual({ statusCode: 200, body: { queued: 'TEST-12' } });
    expect(w.queue.sent).toHaveLength(1);
  });

  it('records the delivery only after the queue took it: a queue outage throws and Jira\'s retry is queued, not dropped', async () => {
    // Prepare
    const w = appWorld();
    const body = fixtureText('cloud_issue_updated_status_to_done.json');
    const outage = new RetryableError('SQS answered 503');
    w.queue.failWith = outage;

    // Act
    const attempt = acceptJiraWebhook(deps(w), delivery(body));
    await expect(attempt).rejects.toBe(outage);
    w.queue.failWith = undefined;
    const retry = await acceptJiraWebhook(deps(w), delivery(body, { headers: { 'x-atlassian-webhook-retry': '1' } }));

    // Assess
    expect(retry).toEqual({ statusCode: 200, body: { queued: 'CRASH-7' } });
    expect(w.queue.sent).toHaveLength(1);
    expect(w.deliveries.expiries.has(DELIVERY)).toBe(true);
  });

  it('leaves the delivery unrecorded when the queue is down', async () => {
    // Prepare
    const w = appWorld();
    w.queue.failWith = new RetryableError('SQS answered 503');

    // Act
    const attempt = acceptJiraWebhook(deps(w), delivery(fixtureText('cloud_issue_updated_status_to_done.json')));

    // Assess
    await expect(attempt).rejects.toThrow(RetryableError);
    expect(w.deliveries.expiries.size).toBe(0);
    expect(w.log.messages('info')).not.toContain('Jira webhook queued');
  });

  it('throws a Secrets Manager outage (the handler answers 503, Jira retries), queuing and recording nothing', async () => {
    // Prepare
    const w = appWorld();
    const outage = new RetryableError('Secrets Manager answered 503', { notApplied: true });
    w.secrets.failWith = outage;

    // Act
    const attempt = acceptJiraWebhook(deps(w), delivery(fixtureText('cloud_issue_updated_status_to_done.json')));

    // Assess
    await expect(attempt).rejects.toBe(outage);
    expect(w.queue.sent).toEqual([]);
    expect(w.deliveries.expiries.size).toBe(0);
  });

  it('lets the other integrations in when one integration\'s webhook secret is missing, and logs which one', async () => {
    // Prepare: the broken integration comes first.
    const w = appWorld({ integrations: [otherIntegration(OPS, { jiraWebhook: { secret: 'jira/webhook-ops' } }), integrationDocument()] });

    // Act
    const result = await acceptJiraWebhook(deps(w), delivery(fixtureText('cloud_issue_updated_status_to_done.json')));

    // Assess
    expect(result).toEqual({ statusCode: 200, body: { queued: 'CRASH-7' } });
    expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.objectContaining({ integrations: [INTEGRATION] })]);
    expect(w.log.lines).toContainEqual({
      level: 'error',
      message: "An integration's Jira webhook secret cannot be read; it accepts no delivery until fixed",
      extra: { integration: OPS, error: 'secret "jira/webhook-ops" does not exist' },
    });
  });

  describe('the replay window (jiraWebhook.replayWindowSeconds, default 7200)', () => {
    const HOUR = 3600_000;
    const at = (ageMs: number) => JSON.stringify({ ...webhookFixture('cloud_issue_updated_status_to_done.json'), timestamp: NOW - ageMs });

    it.each([
      ['fired now', 0, true],
      ['fired exactly two hours ago', 2 * HOUR, true],
      ['fired two hours and a second ago', 2 * HOUR + 1000, false],
      ['captured in 2024 and replayed under a new id', NOW - 1733900000123, false],
    ])('a signed delivery %s is queued: %s', async (_case, ageMs, queued) => {
      // Prepare
      const w = appWorld();

      // Act
      const result = await acceptJiraWebhook(deps(w), delivery(at(ageMs)));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(w.queue.sent).toHaveLength(queued ? 1 : 0);
      if (queued) return;
      // Dropped with a 200 (Jira does not retry it) and a warning an operator can find; the id is not recorded.
      expect(result.body).toMatchObject({ dropped: 'stale', ageSeconds: Math.floor(ageMs / 1000) });
      expect(String(result.body.message)).toContain('older than jiraWebhook.replayWindowSeconds; nothing was queued');
      expect(w.log.lines).toContainEqual({
        level: 'warn',
        message: 'Stale Jira webhook delivery dropped (older than jiraWebhook.replayWindowSeconds)',
        extra: { issueKey: 'CRASH-7', deliveryId: DELIVERY, eventAt: new Date(NOW - ageMs).toISOString(), ageSeconds: Math.floor(ageMs / 1000), integrations: [INTEGRATION] },
      });
      expect(w.deliveries.expiries.size).toBe(0);
    });

    it('judges the delivery by each integration\'s own window, and names only those it is fresh for', async () => {
      // Prepare: both share the secret; the ops integration keeps a one-hour window.
      const w = appWorld({ integrations: [integrationDocument(), otherIntegration(OPS, { jiraWebhook: { secret: 'jira/webhook', replayWindowSeconds: 3600 } })] });

      // Act
      const result = await acceptJiraWebhook(deps(w), delivery(at(90 * 60_000)));

      // Assess
      expect(result).toEqual({ statusCode: 200, body: { queued: 'CRASH-7' } });
      expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.objectContaining({ integrations: [INTEGRATION] })]);
    });

    it('answers 400 to a signed delivery whose timestamp is far ahead (1e308), naming the field, and queues nothing', async () => {
      // Prepare
      const w = appWorld();
      const body = fixtureText('cloud_issue_updated_status_to_done.json').replace(/"timestamp":\d+/, '"timestamp":1e308');

      // Act
      const result = await acceptJiraWebhook(deps(w), delivery(body));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(result.body.message).toMatch(/^timestamp: 1e\+308 is more than a day ahead of now; send the time Jira set/);
      expect(w.queue.sent).toEqual([]);
    });
  });
});
