/**
 * Named regressions of the inputs that once answered 5xx or were accepted and then lost (issue 10), POSTed to both
 * routes as deployed (the handler modules behind the local HTTP API, SQS on fauxqs, the delivery log on dynalite).
 * Each is answered 2xx or 4xx, a 4xx names what is wrong, and the queue holds exactly what the answer says.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENTS_QUEUE, GOOD_BASIC, jiraHeaders, jiraIssueUpdated, JIRA_QUEUE, sample, startRouteHarness, type RouteHarness } from '../fuzz/route-harness.ts';

let harness: RouteHarness;
beforeAll(async () => {
  harness = await startRouteHarness();
});
afterAll(async () => {
  await harness?.stop();
});
beforeEach(async () => {
  await harness.drain(EVENTS_QUEUE);
  await harness.drain(JIRA_QUEUE);
});

const HEX = String(sample.fingerprint);
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const postGroup = (body: Uint8Array | string) => harness.post('/backtrace/events', body, { 'content-type': 'application/json', authorization: GOOD_BASIC });
const postJira = (body: Uint8Array, options: Parameters<typeof jiraHeaders>[1] = {}) => harness.post('/jira/webhook', body, jiraHeaders(body, options));

describe('Backtrace route: characters SQS refuses cross the queue intact', () => {
  it.each([
    ['U+FFFF', '\uffff'],
    ['U+FFFE', '\ufffe'],
    ['an emoji (fauxqs refuses astral characters)', '\u{1F600}'],
  ])('accepts a group with %s in its classifiers and queues it with the character intact', async (label, char) => {
    // Prepare: a fingerprint of its own, as a repeat of one the route queued moments ago is not queued again
    const fingerprint = createHash('sha256').update(label).digest('hex');

    // Act
    const answer = await postGroup(JSON.stringify({ ...sample, fingerprint, classifiers: [`exception${char}`], callstack: [`main${char}`] }));

    // Assess
    expect(answer.status).toBe(202);
    const { parsed, unreadable } = await harness.drain(EVENTS_QUEUE);
    expect(unreadable).toEqual([]);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ kind: 'backtrace.group', group: { fingerprint, classifiers: [`exception${char}`], callstack: [`main${char}`] } });
  });
});

describe('Backtrace route: refusals that used to be 5xx or a later loss', () => {
  it.each([
    [
      'JSON nested 5,000 deep in an unknown field',
      () => utf8(JSON.stringify({ ...sample, x: 0 }).replace('"x":0', `"x":${'['.repeat(5000)}${']'.repeat(5000)}`)),
      /^the body nests JSON more than 64 levels deep \(at character \d+\): the limit is 64/,
    ],
    [
      'a fingerprint.updated event with `at: 1e308`',
      () => utf8('{"type":"fingerprint.updated","universe":"my_universe","project":"my_project","fingerprint":"' + HEX + '","state":"resolved","at":1e308}'),
      /at: 1e\+308 is more than a day ahead of now; send ISO-8601, unix seconds or unix milliseconds/,
    ],
    ['a 2,000-byte fingerprint', () => utf8(JSON.stringify({ ...sample, fingerprint: 'a'.repeat(2000) })), /fingerprint: got "a{20}…" \(2000 characters\); a Backtrace fingerprint is 64 lower-case hex characters/],
    ['a group whose timestamp is 1e308', () => utf8(JSON.stringify({ ...sample, timestamp: [1502953926, 1e308] })), /timestamp\[1\]: Infinity is more than a day ahead of now/],
    ['invalid UTF-8 in a string', () => Buffer.concat([utf8(`{"universe":"my_universe","project":"my_project","fingerprint":"${HEX}","application":"ap`), Buffer.from([0xff]), utf8('"}')]), /^the body is not valid UTF-8 \(at byte \d+\): send the JSON encoded as UTF-8$/],
  ])('answers 400 to %s, naming the limit, and queues nothing', async (_case, body, message) => {
    // Act
    const answer = await postGroup(body());

    // Assess
    expect(answer.status).toBe(400);
    expect(String(answer.body.message)).toMatch(message);
    expect((await harness.drain(EVENTS_QUEUE)).parsed).toEqual([]);
  });
});

describe('Jira route', () => {
  it('answers 400 to a 3,000-character X-Atlassian-Webhook-Identifier, naming the header and its limit, and queues nothing', async () => {
    // Act
    const answer = await postJira(utf8(JSON.stringify(jiraIssueUpdated())), { deliveryId: 'x'.repeat(3000) });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe('X-Atlassian-Webhook-Identifier: is 3000 characters; it must be 1 to 128 (Jira sends a short id; leave the header as Jira sets it)');
    expect((await harness.drain(JIRA_QUEUE)).parsed).toEqual([]);
  });

  it.each([
    ['U+FFFF', '\uffff'],
    ['U+FFFE', '\ufffe'],
    ['an emoji', '\u{1F600}'],
  ])("queues a signed delivery whose author's name holds %s, the character intact", async (_case, char) => {
    // Prepare
    const user = { accountId: '5b10a2844c20165700ede21g', displayName: `Ana${char}`, active: true, accountType: 'atlassian' };

    // Act
    const answer = await postJira(utf8(JSON.stringify(jiraIssueUpdated({ extra: { user } }))));

    // Assess
    expect(answer).toMatchObject({ status: 200, body: { queued: 'CRASH-7' } });
    const { parsed } = await harness.drain(JIRA_QUEUE);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ kind: 'jira.webhook', event: { issueKey: 'CRASH-7', author: { displayName: `Ana${char}` } } });
  });

  it.each([
    ['JSON nested 5,000 deep', utf8(JSON.stringify(jiraIssueUpdated()).replace(/}$/, `,"x":${'['.repeat(5000)}${']'.repeat(5000)}}`)), /^the body nests JSON more than 64 levels deep/],
    ['invalid UTF-8 (signed as sent)', Buffer.concat([utf8(JSON.stringify(jiraIssueUpdated({ summary: 'a' })).replace('"summary":"a"', '"summary":"a')), Buffer.from([0xc3, 0x28]), utf8('"')]), /^the body is not valid UTF-8 \(at byte \d+\)/],
    ['a webhook timestamp of 1e308', utf8(JSON.stringify(jiraIssueUpdated()).replace(/"timestamp":\d+/, '"timestamp":1e308')), /^timestamp: 1e\+308 is more than a day ahead of now; send the time Jira set/],
  ])('answers 400 to %s, naming what is wrong, and queues nothing', async (_case, body, message) => {
    // Act
    const answer = await postJira(body);

    // Assess
    expect(answer.status).toBe(400);
    expect(String(answer.body.message)).toMatch(message);
    expect((await harness.drain(JIRA_QUEUE)).parsed).toEqual([]);
  });

  it('drops a signed delivery fired 3 hours ago (older than the 2-hour replay window) with a 200, and queues nothing', async () => {
    // Act
    const answer = await postJira(utf8(JSON.stringify(jiraIssueUpdated({ timestamp: Date.now() - 3 * 3600_000 }))));

    // Assess: a 2xx, so Jira does not retry what can never become fresh; nothing reaches the worker.
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ dropped: 'stale' });
    expect(answer.body.ageSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect((await harness.drain(JIRA_QUEUE)).parsed).toEqual([]);
  });
});
