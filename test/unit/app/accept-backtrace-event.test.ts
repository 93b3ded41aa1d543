import { describe, expect, it } from 'vitest';
import { acceptBacktraceEvent, MAX_EVENT_BYTES, type AcceptEventDeps } from '../../../shared/app/accept-backtrace-event.ts';
import type { IncomingRequest } from '../../../shared/app/http.ts';
import { QueuedGroups, REPEAT_WINDOW_MS } from '../../../shared/app/queued-groups.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import { sampleBody } from '../domain-factories.ts';
import { appWorld, BASIC, basicAuthorization, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, type AppWorld } from './app-world.ts';

const DAY_MS = 24 * 3600 * 1000;
const OPS = 'jira-ops';
const OTHER = 'jira-other';

/** What Backtrace's webhook integration sends for the configured integration. */
const OUR_CREDENTIALS = basicAuthorization(BASIC.username, BASIC.password);
/** The credentials app-world stores for an integration other than INTEGRATION (`ingest/<name>`). */
const credentialsOf = (name: string) => basicAuthorization(BASIC.username, `${BASIC.password}-${name}`);

const deps = (w: AppWorld): AcceptEventDeps => ({ config: w.config, secrets: w.secrets, queue: w.queue, log: w.log, clock: w.clock });

/** The documented sample group, posted from the configured universe and project. */
function groupBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...sampleBody(), universe: UNIVERSE, project: PROJECT, ...overrides };
}
const FINGERPRINT = String(sampleBody().fingerprint);

/** A `fingerprint.updated` event as README "State and assignee sync" documents it. */
function changeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'fingerprint.updated',
    universe: UNIVERSE,
    project: PROJECT,
    fingerprint: FINGERPRINT,
    state: 'resolved',
    assignees: [{ id: 12, username: 'ana', email: 'ana@acme.com' }],
    at: '2026-12-01T11:50:00Z',
    ...overrides,
  };
}

function post(body: unknown, authorization: string | null = OUR_CREDENTIALS): IncomingRequest {
  return { headers: authorization === null ? {} : { authorization }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** A second integration document on its own Backtrace project (or the same one), with its own Jira project. */
function otherIntegration(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = integrationDocument({ name });
  return { ...base, jira: { ...(base.jira as Record<string, unknown>), projectKey: name === OPS ? 'OPS' : 'OTHER' }, ...overrides };
}

const onProject = (project: string) => ({ backtrace: { ...(integrationDocument().backtrace as Record<string, unknown>), project } });

describe('Use-case: acceptBacktraceEvent', () => {
  it.each([
    ['no Authorization header', null],
    ['a Bearer token', 'Bearer hook-secret'],
    ['Basic with no user:password inside', `Basic ${Buffer.from('backtrace').toString('base64')}`],
  ])('answers 401 with the Basic challenge to %s, before reading the body', async (_case, authorization) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), post('not even JSON', authorization));

    // Assess
    expect(result.statusCode).toBe(401);
    expect(result.headers).toEqual({ 'www-authenticate': 'Basic realm="backtrace-jira-bridge", charset="UTF-8"' });
    expect(result.body.message).toContain('HTTP Basic credentials are required');
    expect(w.queue.sent).toEqual([]);
  });

  it.each([
    ['a wrong password', BASIC.username, 'guessed-password'],
    ['a wrong username', 'admin', BASIC.password],
  ])('answers 401 to %s, and logs neither the username nor the password', async (_case, username, password) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody(), basicAuthorization(username, password)));

    // Assess
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toMatch(/^Basic realm=/);
    expect(result.body.message).toBe("the HTTP Basic credentials match no integration's ingest.basicAuthSecret");
    expect(w.queue.sent).toEqual([]);
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'Refused a Backtrace event: credentials match no integration' }));
    const logged = JSON.stringify(w.log.lines);
    // A caller who typed a password into the username field must not find it in the log.
    expect(logged).not.toContain(username);
    expect(logged).not.toContain(password);
    expect(logged).not.toContain(BASIC.password);
  });

  it('reads every integration\'s credentials, not only until one matches (the time taken tells nothing)', async () => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument(), otherIntegration(OPS, onProject('ops')), otherIntegration(OTHER, onProject('other'))] });
    const read: string[] = [];
    const get = w.secrets.get.bind(w.secrets);
    w.secrets.get = async (name) => {
      read.push(name);
      return get(name);
    };

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    expect(result.statusCode).toBe(202);
    expect(read).toEqual([`ingest/${INTEGRATION}`, `ingest/${OPS}`, `ingest/${OTHER}`]);
  });

  it.each([
    ['one byte over the limit', 'x'.repeat(MAX_EVENT_BYTES + 1), MAX_EVENT_BYTES + 1],
    ['fewer characters than the limit, but more bytes (UTF-8)', 'é'.repeat(MAX_EVENT_BYTES / 2 + 1), MAX_EVENT_BYTES + 2],
  ])('answers 413 to a body %s, naming its size and the limit', async (_case, body, bytes) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(body));

    // Assess
    expect(result.statusCode).toBe(413);
    expect(result.body.message).toContain(`the body is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} bytes`);
    expect(w.queue.sent).toEqual([]);
  });

  it('accepts a group of exactly MAX_EVENT_BYTES bytes', async () => {
    // Prepare
    const w = appWorld();
    const unpadded = JSON.stringify(groupBody({ padding: '' }));
    const body = JSON.stringify(groupBody({ padding: 'x'.repeat(MAX_EVENT_BYTES - unpadded.length) }));

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(body));

    // Assess
    expect(Buffer.byteLength(body)).toBe(MAX_EVENT_BYTES);
    expect(result.statusCode).toBe(202);
    expect(w.queue.sent).toHaveLength(1);
  });

  it('answers 413 to a group under MAX_EVENT_BYTES that outgrows SQS once queued (non-ASCII is queued escaped), queuing nothing', async () => {
    // Prepare: 45,000 CJK characters are 135,000 bytes of UTF-8, and 270,000 once each is a 6-byte \uXXXX escape.
    const w = appWorld();
    const body = JSON.stringify(groupBody({ application: '\u4e2d'.repeat(45_000) }));

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(body));

    // Assess
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_EVENT_BYTES);
    expect(result.statusCode).toBe(413);
    expect(result.body.message).toMatch(/^the body is \d+ bytes once queued \(characters past ASCII take 6 bytes each\); the queue takes 262144: send a smaller body$/);
    expect(w.queue.sent).toEqual([]);
  });

  it.each([
    ['an empty body', '', 'the body is empty'],
    ['a body of blanks', ' \n\t ', 'the body is empty'],
    ['invalid JSON', '{"universe": "acme",', 'the body is not valid JSON ('],
    ['a JSON array of groups', JSON.stringify([groupBody()]), 'the body is a JSON array: send one error group object per POST'],
  ])('answers 400 to %s', async (_case, body, message) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(body));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body.message).toContain(message);
    expect(w.queue.sent).toEqual([]);
  });

  it('answers 400 to a request without a body at all', async () => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), { headers: { authorization: OUR_CREDENTIALS } });

    // Assess
    expect(result).toMatchObject({ statusCode: 400, body: { message: expect.stringContaining('the body is empty') } });
  });

  it.each([
    [
      'misses its fingerprint and counts occurrences in words',
      groupBody({ fingerprint: undefined, occurrences: 'many' }),
      [
        "fingerprint: required string is missing (Backtrace's webhook body carries the error group's fingerprint)",
        'occurrences: expected a number, got the string "many" (the number of errors in the group)',
      ],
    ],
    ['has an empty project', groupBody({ project: '' }), ["project: must not be empty (Backtrace's webhook body names the project the error group belongs to)"]],
    ['is JSON null', null, ['(body): expected a JSON object, got null']],
  ])('answers 400 listing the problems of a body that %s', async (_case, body, problems) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(JSON.stringify(body)));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body.problems).toEqual(problems);
    expect(result.body.message).toBe(`the body is not a Backtrace error group: ${problems.join('; ')}`);
    expect(w.queue.sent).toEqual([]);
  });

  it.each([
    ['an error group', groupBody({ project: 'mobile' })],
    ['a fingerprint.updated event', changeBody({ project: 'mobile' })],
  ])('answers 422 to %s from a project no integration is configured for', async (_case, body) => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(body));

    // Assess
    expect(result.statusCode).toBe(422);
    expect(result.body.message).toContain(`no integration is configured for Backtrace universe "${UNIVERSE}", project "mobile"`);
    expect(w.queue.sent).toEqual([]);
  });

  it.each([
    ['an error group', groupBody()],
    ['a fingerprint.updated event', changeBody()],
  ])('answers 403 to %s sent with the credentials of another project\'s integration', async (_case, body) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument(), otherIntegration(OPS, onProject('ops'))] });

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(body, credentialsOf(OPS)));

    // Assess
    expect(result.statusCode).toBe(403);
    expect(result.body.message).toBe(`these credentials are not those of the integration(s) for universe "${UNIVERSE}", project "${PROJECT}"`);
    expect(w.queue.sent).toEqual([]);
  });

  it('answers 202 and queues the group once, for the integration whose credentials were sent', async () => {
    // Prepare
    const w = appWorld();

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    expect(result).toEqual({ statusCode: 202, body: { accepted: [{ integration: INTEGRATION, fingerprint: FINGERPRINT }], filtered: [] } });
    expect(w.queue.sent).toEqual([
      { message: { kind: 'backtrace.group', integrations: [INTEGRATION], group: groupBody(), receivedAt: new Date(w.clock.now()).toISOString() } },
    ]);
    expect(w.log.lines).toContainEqual({ level: 'info', message: 'Backtrace event accepted', extra: { fingerprint: FINGERPRINT, accepted: 1, filtered: 0 } });
  });

  describe('repeats of a group this container queued', () => {
    const coalescing = (w: AppWorld, queuedGroups = new QueuedGroups()): AcceptEventDeps => ({ ...deps(w), queuedGroups });

    it.each([
      { case: 'a moment later', afterMs: 1_000, queued: 1 },
      { case: 'just inside the window', afterMs: REPEAT_WINDOW_MS - 1, queued: 1 },
      { case: 'once the window has passed', afterMs: REPEAT_WINDOW_MS, queued: 2 },
    ])('queues a repeat posted $case $queued time(s) in all, answering 202 either way', async ({ afterMs, queued }) => {
      // Prepare
      const w = appWorld();
      const accept = coalescing(w);
      await acceptBacktraceEvent(accept, post(groupBody()));
      w.clock.advance(afterMs);

      // Act
      const repeat = await acceptBacktraceEvent(accept, post(groupBody()));

      // Assess
      expect(repeat.statusCode).toBe(202);
      expect(w.queue.sent).toHaveLength(queued);
      const ours = [{ integration: INTEGRATION, fingerprint: FINGERPRINT }];
      expect(repeat.body).toEqual(queued === 1 ? { accepted: [], filtered: [], coalesced: ours } : { accepted: ours, filtered: [] });
    });

    it('counts from the message queued: repeats inside the window do not stretch it', async () => {
      // Prepare: a repeat every 20 s
      const w = appWorld();
      const accept = coalescing(w);

      // Act
      for (let post_ = 0; post_ < 7; post_ += 1) {
        await acceptBacktraceEvent(accept, post(groupBody()));
        w.clock.advance(20_000);
      }

      // Assess: 0 s, 60 s and 120 s were queued
      expect(w.queue.sent.map(({ message }) => (message as { receivedAt: string }).receivedAt)).toEqual(
        [0, 60_000, 120_000].map((offset) => new Date(Date.parse((w.queue.sent[0]!.message as { receivedAt: string }).receivedAt) + offset).toISOString()),
      );
    });

    it.each([
      ['another fingerprint', groupBody({ fingerprint: 'b'.repeat(64) })],
      ['the same fingerprint from another container', undefined],
    ])('queues %s as usual', async (_case, body) => {
      // Prepare
      const w = appWorld();
      await acceptBacktraceEvent(coalescing(w), post(groupBody()));

      // Act: a new container (a fresh memory) for the second case
      const second = body ? await acceptBacktraceEvent(coalescing(w), post(body)) : await acceptBacktraceEvent(coalescing(w), post(groupBody()));

      // Assess
      expect(second.body).toMatchObject({ accepted: [expect.objectContaining({ integration: INTEGRATION })] });
      expect(w.queue.sent).toHaveLength(2);
    });

    it('queues every repeat for an integration with Fix Versions on: a repeat may carry a regressed version', async () => {
      // Prepare
      const w = appWorld({ integrations: [integrationDocument({ fixVersions: { enabled: true } })] });
      const accept = coalescing(w);

      // Act
      for (let post_ = 0; post_ < 3; post_ += 1) await acceptBacktraceEvent(accept, post(groupBody({ attributes: { version: [[`1.2.${post_}`, 1]] } })));

      // Assess
      expect(w.queue.sent).toHaveLength(3);
    });

    it('queues a repeat that an integration now takes too (another set of integrations)', async () => {
      // Prepare: ops shares the credentials; its rule filters the first post, not the second
      const w = appWorld({
        integrations: [integrationDocument(), otherIntegration(OPS, { ingest: { basicAuthSecret: `ingest/${INTEGRATION}` }, rules: [{ action: 'filter', attribute: 'environment', regex: '^production$' }] })],
      });
      const accept = coalescing(w);
      await acceptBacktraceEvent(accept, post(groupBody({ attributes: { environment: [['production', 1]] } })));

      // Act
      const repeat = await acceptBacktraceEvent(accept, post(groupBody({ attributes: { environment: [['staging', 1]] } })));

      // Assess
      expect(repeat.body.accepted).toEqual([
        { integration: INTEGRATION, fingerprint: FINGERPRINT },
        { integration: OPS, fingerprint: FINGERPRINT },
      ]);
      expect(w.queue.sent.map(({ message }) => (message as { integrations: string[] }).integrations)).toEqual([[INTEGRATION], [INTEGRATION, OPS]]);
    });

    it('remembers nothing when the queue refuses the message: the retry Backtrace makes is queued', async () => {
      // Prepare
      const w = appWorld();
      const accept = coalescing(w);
      w.queue.failWith = new RetryableError('SQS is unavailable');
      await expect(acceptBacktraceEvent(accept, post(groupBody()))).rejects.toThrow('SQS is unavailable');
      w.queue.failWith = undefined;

      // Act
      const retry = await acceptBacktraceEvent(accept, post(groupBody()));

      // Assess
      expect(retry.body.accepted).toEqual([{ integration: INTEGRATION, fingerprint: FINGERPRINT }]);
      expect(w.queue.sent).toHaveLength(1);
    });
  });

  it('queues one message naming every integration of the project that the credentials open, and no other', async () => {
    // Prepare: ops shares jira-prod's credentials; other is on the same project with credentials of its own.
    const w = appWorld({
      integrations: [integrationDocument(), otherIntegration(OPS, { ingest: { basicAuthSecret: `ingest/${INTEGRATION}` } }), otherIntegration(OTHER)],
    });

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    expect(result.statusCode).toBe(202);
    expect(result.body.accepted).toEqual([
      { integration: INTEGRATION, fingerprint: FINGERPRINT },
      { integration: OPS, fingerprint: FINGERPRINT },
    ]);
    expect(w.queue.sent).toHaveLength(1);
    expect(w.queue.sent[0]?.message).toMatchObject({ kind: 'backtrace.group', integrations: [INTEGRATION, OPS], group: { fingerprint: FINGERPRINT } });
  });

  it.each([
    ['filters the group (last matching rule wins)', [{ action: 'submit', attribute: '.*', regex: '.*' }, { action: 'filter', attribute: 'environment', regex: '^production$' }], 1],
    ['filters every group', [{ action: 'filter', attribute: '.*', regex: '.*' }], 0],
  ])('answers 202 and queues nothing when a rule %s', async (_case, rules, rule) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ rules })] });

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    expect(result).toEqual({ statusCode: 202, body: { accepted: [], filtered: [{ integration: INTEGRATION, fingerprint: FINGERPRINT, rule }] } });
    expect(w.queue.sent).toEqual([]);
    expect(w.log.lines).toContainEqual({ level: 'info', message: 'Backtrace event filtered by a rule', extra: { integration: INTEGRATION, fingerprint: FINGERPRINT, rule } });
  });

  it('queues the group for the integration whose rules pass, and names the one whose rule filtered it', async () => {
    // Prepare
    const w = appWorld({
      integrations: [
        integrationDocument({ rules: [{ action: 'filter', attribute: 'environment', regex: '^qa$' }] }),
        otherIntegration(OPS, { ingest: { basicAuthSecret: `ingest/${INTEGRATION}` }, rules: [{ action: 'filter', attribute: 'version', regex: '^1\\.1' }] }),
      ],
    });

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    expect(result.body).toEqual({ accepted: [{ integration: INTEGRATION, fingerprint: FINGERPRINT }], filtered: [{ integration: OPS, fingerprint: FINGERPRINT, rule: 0 }] });
    expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.objectContaining({ kind: 'backtrace.group', integrations: [INTEGRATION] })]);
  });

  it('reads a base64 body (API Gateway isBase64Encoded) as the group it encodes', async () => {
    // Prepare
    const w = appWorld();
    const body = Buffer.from(JSON.stringify(groupBody())).toString('base64');

    // Act
    const result = await acceptBacktraceEvent(deps(w), { headers: { authorization: OUR_CREDENTIALS }, body, isBase64Encoded: true });

    // Assess
    expect(result.statusCode).toBe(202);
    expect(w.queue.sent[0]?.message).toMatchObject({ kind: 'backtrace.group', group: groupBody() });
  });

  it('measures a base64 body by what it decodes to, against the same limit', async () => {
    // Prepare: a multiple of 3 bytes, so the base64 text has no padding.
    const w = appWorld();
    const body = Buffer.from('x'.repeat(MAX_EVENT_BYTES + 4)).toString('base64');

    // Act
    const result = await acceptBacktraceEvent(deps(w), { headers: { authorization: OUR_CREDENTIALS }, body, isBase64Encoded: true });

    // Assess
    expect(result.statusCode).toBe(413);
    expect(result.body.message).toContain(`the body is ${MAX_EVENT_BYTES + 4} bytes`);
    expect(w.queue.sent).toEqual([]);
  });

  it.each([
    ['exactly at the limit, with base64 padding', MAX_EVENT_BYTES, 400],
    ['two bytes over the limit, with base64 padding', MAX_EVENT_BYTES + 2, 413],
  ])('measures a padded base64 body %s by its decoded bytes, as it would a plain one', async (_case, size, statusCode) => {
    // Prepare: not a multiple of 3, so the base64 text ends in "="; the body is no group, so a body under the limit is refused as such (400).
    const w = appWorld();
    const text = 'x'.repeat(size);
    const body = Buffer.from(text).toString('base64');

    // Act
    const encoded = await acceptBacktraceEvent(deps(w), { headers: { authorization: OUR_CREDENTIALS }, body, isBase64Encoded: true });
    const plain = await acceptBacktraceEvent(deps(w), { headers: { authorization: OUR_CREDENTIALS }, body: text });

    // Assess
    expect(body.endsWith('=')).toBe(true);
    expect([encoded.statusCode, plain.statusCode]).toEqual([statusCode, statusCode]);
  });

  describe('fingerprint.updated events', () => {
    it('queues the change for the integration that syncs to Jira, with `at` in epoch ms, and answers 202', async () => {
      // Prepare
      const w = appWorld();

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody()));

      // Assess
      expect(result).toEqual({ statusCode: 202, body: { accepted: [{ integration: INTEGRATION, fingerprint: FINGERPRINT }], skipped: [] } });
      expect(w.queue.sent).toEqual([
        {
          message: {
            kind: 'backtrace.fingerprint-updated',
            integration: INTEGRATION,
            event: { ...changeBody(), at: Date.UTC(2026, 11, 1, 11, 50) },
            receivedAt: new Date(w.clock.now()).toISOString(),
          },
        },
      ]);
      expect(w.log.messages('info')).toContain('Fingerprint change accepted');
    });

    it('queues one message per integration that syncs to Jira, and skips the one with sync.mode "none"', async () => {
      // Prepare: the three share the credentials; ops syncs one-way, other not at all.
      const shared = { ingest: { basicAuthSecret: `ingest/${INTEGRATION}` } };
      const w = appWorld({
        integrations: [
          integrationDocument(),
          otherIntegration(OPS, { ...shared, sync: { mode: 'one-way' }, jiraWebhook: undefined }),
          otherIntegration(OTHER, { ...shared, sync: { mode: 'none' }, jiraWebhook: undefined }),
        ],
      });

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody()));

      // Assess
      expect(result).toEqual({
        statusCode: 202,
        body: {
          accepted: [
            { integration: INTEGRATION, fingerprint: FINGERPRINT },
            { integration: OPS, fingerprint: FINGERPRINT },
          ],
          skipped: [{ integration: OTHER, reason: 'sync to Jira is off (sync.mode "none")' }],
        },
      });
      expect(w.queue.sent.map(({ message }) => message)).toEqual([
        expect.objectContaining({ kind: 'backtrace.fingerprint-updated', integration: INTEGRATION }),
        expect.objectContaining({ kind: 'backtrace.fingerprint-updated', integration: OPS }),
      ]);
    });

    it.each([
      ['sync.mode is "none"', { mode: 'none' }, 'sync to Jira is off (sync.mode "none")'],
      ['neither state nor assignee follows', { mode: 'one-way', state: false, assignee: false }, 'sync to Jira is off (sync.state and sync.assignee are both false)'],
    ])('answers 202 and queues nothing when %s, naming the setting', async (_case, sync, reason) => {
      // Prepare
      const w = appWorld({ integrations: [integrationDocument({ sync, jiraWebhook: undefined })] });

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody()));

      // Assess
      expect(result).toMatchObject({ statusCode: 202, body: { accepted: [], skipped: [{ integration: INTEGRATION, reason }] } });
      expect(w.queue.sent).toEqual([]);
    });

    it.each([
      ['only the state follows', { mode: 'one-way', assignee: false }],
      ['only the assignee follows', { mode: 'one-way', state: false }],
    ])('queues the change when %s', async (_case, sync) => {
      // Prepare
      const w = appWorld({ integrations: [integrationDocument({ sync, jiraWebhook: undefined })] });

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody()));

      // Assess
      expect(result.statusCode).toBe(202);
      expect(w.queue.sent).toHaveLength(1);
    });

    it('queues the change even when the integration\'s rules would filter the group (rules pick new groups, not changes)', async () => {
      // Prepare
      const w = appWorld({ integrations: [integrationDocument({ rules: [{ action: 'filter', attribute: '.*', regex: '.*' }] })] });

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody()));

      // Assess
      expect(result.body.accepted).toEqual([{ integration: INTEGRATION, fingerprint: FINGERPRINT }]);
      expect(w.queue.sent).toHaveLength(1);
    });

    it.each([
      ['ISO-8601', (now: number) => new Date(now - 30_000).toISOString()],
      ['unix seconds', (now: number) => (now - 30_000) / 1000],
      ['unix seconds as a string', (now: number) => String((now - 30_000) / 1000)],
      ['epoch milliseconds', (now: number) => now - 30_000],
    ])('queues `at` given as %s in epoch ms', async (_case, at) => {
      // Prepare
      const w = appWorld();

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody({ at: at(w.clock.now()) })));

      // Assess
      expect(result.statusCode).toBe(202);
      expect(w.queue.sent[0]?.message).toMatchObject({ event: { at: w.clock.now() - 30_000 } });
    });

    it('queues a change up to exactly a day ahead of the clock (skew is not a unit mistake)', async () => {
      // Prepare
      const w = appWorld();
      const at = w.clock.now() + DAY_MS;

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody({ at })));

      // Assess
      expect(result.statusCode).toBe(202);
      expect(w.queue.sent[0]?.message).toMatchObject({ event: { at } });
    });

    it.each([
      ['a day and a second ahead', (now: number) => now + DAY_MS + 1000],
      ['in microseconds (a unit mistake)', (now: number) => now * 1000],
    ])('answers 400 to `at` %s, which would become a watermark that drops every real change', async (_case, at) => {
      // Prepare
      const w = appWorld();
      const given = at(w.clock.now());

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody({ at: given })));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(result.body.message).toBe(
        `the fingerprint.updated event is outside the bridge's limits: at: ${new Date(given).toISOString()} is more than a day ahead of now; send ISO-8601, unix seconds or unix milliseconds`,
      );
      expect(w.queue.sent).toEqual([]);
    });

    it('answers 400 listing what is wrong with a malformed event', async () => {
      // Prepare
      const w = appWorld();

      // Act
      const result = await acceptBacktraceEvent(deps(w), post(changeBody({ state: 'closed', at: 'yesterday', fingerprint: undefined })));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(result.body.problems).toEqual([
        'fingerprint: required, missing (the fingerprint\'s hash)',
        'state: got the string "closed" (expected one of "open", "in-progress", "resolved", "muted")',
        'at: got the string "yesterday" (expected when it changed: ISO-8601 with a zone, unix seconds or epoch milliseconds)',
      ]);
      expect(result.body.message).toMatch(/^the body is not a fingerprint\.updated event: fingerprint: required, missing/);
      expect(w.queue.sent).toEqual([]);
    });
  });

  it.each([
    ['holds no user:password', (w: AppWorld) => (w.secrets.values[`ingest/${OPS}`] = 'no-colon-in-this-value')],
    ['does not exist', (w: AppWorld) => delete w.secrets.values[`ingest/${OPS}`]],
  ])('lets the other integrations in when one integration\'s secret %s, and logs which one is broken', async (_case, breakSecret) => {
    // Prepare: the broken integration comes first, so a lock-out would stop before jira-prod.
    const w = appWorld({ integrations: [otherIntegration(OPS, onProject('ops')), integrationDocument()] });
    breakSecret(w);

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    expect(result.statusCode).toBe(202);
    expect(w.queue.sent.map(({ message }) => message)).toEqual([expect.objectContaining({ integrations: [INTEGRATION] })]);
    const broken = w.log.lines.find((line) => line.level === 'error');
    expect(broken).toMatchObject({ message: "An integration's webhook credentials cannot be read; it accepts no event until fixed", extra: { integration: OPS } });
    expect(JSON.stringify(w.log.lines)).not.toContain('no-colon-in-this-value');
  });

  it('throws a Secrets Manager outage (the handler answers 503, Backtrace retries), queuing nothing', async () => {
    // Prepare
    const w = appWorld();
    const outage = new RetryableError('Secrets Manager answered 503', { notApplied: true });
    w.secrets.failWith = outage;

    // Act
    const attempt = acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    await expect(attempt).rejects.toBe(outage);
    expect(w.queue.sent).toEqual([]);
    expect(w.log.messages('error')).toEqual([]);
  });

  it('does not mistake a missing secret for an outage: it answers 401 instead of throwing', async () => {
    // Prepare
    const w = appWorld();
    w.secrets.failWith = new PermanentError('secret "ingest/jira-prod" does not exist');

    // Act
    const result = await acceptBacktraceEvent(deps(w), post(groupBody()));

    // Assess
    expect(result.statusCode).toBe(401);
    expect(w.log.messages('error')).toEqual(["An integration's webhook credentials cannot be read; it accepts no event until fixed"]);
  });

  it.each([
    ['an error group', groupBody()],
    ['a fingerprint.updated event', changeBody()],
  ])('throws a queue outage for %s (the handler answers 503), with nothing queued', async (_case, body) => {
    // Prepare
    const w = appWorld();
    const outage = new RetryableError('SQS answered 503');
    w.queue.failWith = outage;

    // Act
    const attempt = acceptBacktraceEvent(deps(w), post(body));

    // Assess
    await expect(attempt).rejects.toBe(outage);
    expect(w.queue.sent).toEqual([]);
  });
});
