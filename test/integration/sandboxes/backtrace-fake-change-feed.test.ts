/**
 * The Backtrace fake's change feed: `fingerprint.updated` events for every change of a fingerprint's state or
 * `_backtrace` assignees, whether made through `/api/issue` (the bridge's own writes included) or by a person in
 * the UI, POSTed with Basic credentials and retried on 5xx.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKTRACE_TOKEN, startBacktraceFake, type BacktraceFake, type BacktraceFakeOptions } from '../../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { call } from './support/http.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const FP = '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40';
const ana = { id: 12, username: 'ana', email: 'ana@example.com' };
const ours = { watcher: 'jira-prod', short: 'CRASH-1', url: 'https://acme.atlassian.net/browse/CRASH-1', state: 'open' as const };
const credentials = { username: 'backtrace', password: 'ingest-secret' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function wired(respond?: Receiver['respond'], options: BacktraceFakeOptions = {}): Promise<{ backtrace: BacktraceFake; inbox: Receiver }> {
  const inbox = await startReceiver(respond);
  cleanups.push(() => inbox.close());
  const backtrace = await startBacktraceFake({ changeEvents: { url: `${inbox.url}/backtrace/events`, basicAuth: credentials }, ...options });
  cleanups.push(() => backtrace.close());
  return { backtrace, inbox };
}

const postIssue = (backtrace: BacktraceFake, body: unknown) =>
  call(`${backtrace.url}/api/issue?universe=acme&project=game`, { auth: null, body, headers: { 'X-Coroner-Token': DEFAULT_BACKTRACE_TOKEN } });

describe('Backtrace fake: change feed', () => {
  it('announces a state change written through /api/issue, with Basic credentials and the contract\'s fields', async () => {
    // Prepare
    const { backtrace, inbox } = await wired();

    // Act
    await postIssue(backtrace, { fingerprint: [FP], project: 'game', state: 'resolved' });
    await backtrace.changesIdle();

    // Assess
    expect(inbox.received).toHaveLength(1);
    const [event] = inbox.received;
    expect(event?.url).toBe('/backtrace/events');
    expect(event?.headers.authorization).toBe(`Basic ${Buffer.from('backtrace:ingest-secret').toString('base64')}`);
    expect(event?.headers['content-type']).toBe('application/json');
    expect(event?.json).toEqual({
      type: 'fingerprint.updated',
      universe: 'acme',
      project: 'game',
      fingerprint: FP,
      state: 'resolved',
      assignees: [],
      invariant_reopen_count: 0,
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
  });

  it('announces the _backtrace entry\'s assignees, and the automatic move to in-progress', async () => {
    // Prepare
    const { backtrace, inbox } = await wired();

    // Act
    await postIssue(backtrace, { fingerprint: [FP], project: 'game', ticket: { action: 'set', assignee: 'set', value: [{ watcher: '_backtrace', assignees: [ana] }, ours] } });
    await backtrace.changesIdle();

    // Assess
    expect(inbox.received.map((r) => r.json)).toEqual([expect.objectContaining({ state: 'in-progress', assignees: [ana] })]);
  });

  it('stays silent when neither the state nor the _backtrace assignees change (e.g. only a ticket key)', async () => {
    // Prepare
    const { backtrace, inbox } = await wired();
    backtrace.setIssue('acme', 'game', FP, { state: 'in-progress', tickets: [{ watcher: '_backtrace', assignees: [ana] }, ours] });

    // Act
    await postIssue(backtrace, { fingerprint: [FP], ticket: { action: 'set', assignee: 'set', value: [{ watcher: '_backtrace', assignees: [ana] }, { ...ours, short: 'OPS-1' }] } });
    await postIssue(backtrace, { fingerprint: [FP], state: 'in-progress', tags: { action: 'set', value: 'triaged' } });
    await backtrace.changesIdle();

    // Assess
    expect(inbox.received).toEqual([]);
    expect(backtrace.changeDeliveries).toEqual([]);
  });

  it('announces changes a person makes in the UI, each at a strictly later time', async () => {
    // Prepare
    const { backtrace, inbox } = await wired();

    // Act
    backtrace.actAs(ana).assign('acme', 'game', FP, [ana]);
    backtrace.actAs(ana).setState('acme', 'game', FP, 'resolved');
    backtrace.actAs(ana).assign('acme', 'game', FP, []);
    backtrace.actAs(ana).setState('acme', 'game', FP, 'open');
    await backtrace.changesIdle();

    // Assess
    const events = inbox.received.map((r) => r.json).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    expect(events.map((e) => [e.state, e.assignees.map((a: { id: number }) => a.id)])).toEqual([
      ['in-progress', [12]],
      ['resolved', [12]],
      ['resolved', []],
      ['open', []],
    ]);
    const times = backtrace.changeDeliveries.map((d) => Date.parse((d.body as { at: string }).at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(4);
  });

  it('writes UI assignees on the _backtrace entry (kept first) and on every ticket entry, as Backtrace\'s web app does', async () => {
    // Prepare
    const { backtrace } = await wired();
    backtrace.setIssue('acme', 'game', FP, { tickets: [ours] });

    // Act
    backtrace.actAs(ana).assign('acme', 'game', FP, [ana]);

    // Assess
    expect(backtrace.getIssue('acme', 'game', FP)?.tickets).toEqual([
      { watcher: '_backtrace', assignees: [ana] },
      { ...ours, assignees: [ana] },
    ]);
  });

  it('echoes the bridge\'s own writes too: the feed cannot tell who wrote', async () => {
    // Prepare
    const { backtrace, inbox } = await wired();

    // Act
    await postIssue(backtrace, { fingerprint: [FP], project: 'game', state: 'muted', ticket: { action: 'set', assignee: 'set', value: [{ watcher: '_backtrace', assignees: [ana] }, ours] } });
    await backtrace.changesIdle();

    // Assess
    expect(inbox.received.map((r) => r.json)).toEqual([expect.objectContaining({ state: 'muted', assignees: [ana] })]);
  });

  it('retries a 5xx answer with the same body, and does not retry a 401', async () => {
    // Prepare
    const { backtrace, inbox } = await wired((index) => [500, 502, 202, 401][index] ?? 200);

    // Act
    backtrace.actAs(ana).setState('acme', 'game', FP, 'resolved');
    await backtrace.changesIdle();
    backtrace.actAs(ana).setState('acme', 'game', FP, 'open');
    await backtrace.changesIdle();

    // Assess
    expect(inbox.received).toHaveLength(4);
    expect(inbox.received[0]?.raw.equals(inbox.received[2]!.raw)).toBe(true);
    expect(backtrace.changeDeliveries.map((d) => [d.outcome, d.attempts.map((a) => a.status)])).toEqual([
      ['delivered', [500, 502, 202]],
      ['failed', [401]],
    ]);
  });

  it('can be pointed at the receiver after start, and sends nothing before', async () => {
    // Prepare
    const inbox = await startReceiver();
    cleanups.push(() => inbox.close());
    const backtrace = await startBacktraceFake();
    cleanups.push(() => backtrace.close());
    backtrace.actAs(ana).setState('acme', 'game', FP, 'resolved');

    // Act
    backtrace.setChangeEvents({ url: inbox.url, basicAuth: credentials });
    backtrace.actAs(ana).setState('acme', 'game', FP, 'open');
    await backtrace.changesIdle();

    // Assess
    expect(inbox.received.map((r) => r.json.state)).toEqual(['open']);
  });

  it('includes invariants when the fingerprint has them', async () => {
    // Prepare
    const { backtrace, inbox } = await wired();
    const invariants = [{ type: 'version_gt', field: 'version', version: '1.4.0' }];

    // Act
    await postIssue(backtrace, { fingerprint: [FP], state: 'resolved', invariants: { action: 'set', value: invariants } });
    await backtrace.changesIdle();

    // Assess
    expect(inbox.received[0]?.json).toMatchObject({ state: 'resolved', invariants });
  });
});
