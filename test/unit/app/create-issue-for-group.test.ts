import { describe, expect, it } from 'vitest';
import {
  createIssueForGroup,
  ATTACH_GRACE_MS,
  MIN_BUSY_RETRY_MS,
  type BuildFields,
  type CreateIssueDeps,
  type CreateIssueInput,
} from '../../../shared/app/create-issue-for-group.ts';
import { SYNC_LEASE_MS } from '../../../shared/app/steps/with-sync-lease.ts';
import { buildIssueFields } from '../../../shared/domain/build-issue-fields.ts';
import { dedupeLabel } from '../../../shared/domain/dedupe-label.ts';
import type { FingerprintRef } from '../../../shared/domain/model/backtrace.ts';
import { ClaimBusyError, PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import type { ClaimResult } from '../../../shared/ports/link-store.ts';
import { customField, sampleGroup } from '../domain-factories.ts';
import { appWorld, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, type AppWorld } from './app-world.ts';

/** The worker's world: the app world, the sample group from the configured project, and the worker's deps. */
function worker(w: AppWorld = appWorld()) {
  const group = sampleGroup({ universe: UNIVERSE, project: PROJECT });
  const ref: FingerprintRef = { universe: UNIVERSE, project: PROJECT, fingerprint: group.fingerprint };
  const leaseMs = w.config.settings.claimLeaseSeconds * 1000;
  let tokens = 0;
  const deps: CreateIssueDeps = { tracker: w.jira, links: w.links, backtrace: w.backtrace, clock: w.clock, log: w.log, leaseMs, newToken: () => `ours-${++tokens}` };
  // As the worker builds them (shared/app/sync-error-group.ts), with the integration's config path.
  const buildFields: BuildFields = (fields, deployment) => buildIssueFields({ group, integration: w.integration, fields, deployment, configPath: 'integrations[0]' });
  const input: CreateIssueInput = { integration: w.integration, group, buildFields };
  return {
    w,
    group,
    ref,
    leaseMs,
    deps,
    input,
    /** The label every issue the bridge creates for this group carries. */
    label: dedupeLabel(w.integration.jira.dedupeLabel, ref),
    run: () => createIssueForGroup(deps, input),
    /** Another worker's claim on the fingerprint, taken at `now`. */
    rivalClaims: (now: number, token = 'rival'): Promise<ClaimResult> =>
      w.links.claim({ integration: INTEGRATION, ...ref, token, now, leaseMs }),
    stored: () => w.links.get(INTEGRATION, group.fingerprint),
  };
}

const browse = (w: AppWorld, key: string) => `${w.jira.site}/browse/${key}`;

describe('Use-case: createIssueForGroup', () => {
  it('creates the issue, links it, and attaches the ticket next to the other watchers\' entries', async () => {
    // Prepare
    const { w, ref, label, run, stored } = worker();
    const others = [
      { watcher: '_backtrace', assignees: [{ id: 12, username: 'ana' }] },
      { watcher: 'jira-other', short: 'OTHER-4', url: 'https://other.atlassian.net/browse/OTHER-4', state: 'open' as const },
    ];
    w.backtrace.seed(ref, { state: 'open', tickets: others });
    // What Backtrace had been asked when the issue was created.
    let readBeforeCreate: string[] | undefined;
    const create = w.jira.createIssue.bind(w.jira);
    w.jira.createIssue = async (fields) => {
      readBeforeCreate = [...w.backtrace.calls];
      return create(fields);
    };

    // Act
    const result = await run();

    // Assess
    const issue = w.jira.issue(result.issueKey);
    const attached = [...others, { watcher: INTEGRATION, short: issue.key, url: browse(w, issue.key), state: 'open' as const }];
    expect(result).toEqual({
      outcome: 'created',
      issueKey: issue.key,
      issueId: issue.id,
      link: expect.objectContaining({ status: 'linked', issueId: issue.id, issueKey: issue.key, issueUrl: browse(w, issue.key), ticketAttached: true }),
      token: 'ours-1',
      // The row as Backtrace holds it after the attach: a linked ticket moves an open fingerprint to in-progress.
      row: { state: 'in-progress', tickets: attached },
    });
    // The row is read once, before the create, and the attach writes the ticket list computed from it.
    expect(readBeforeCreate).toEqual([`getIssue ${ref.fingerprint}`]);
    expect(w.backtrace.calls).toEqual([`getIssue ${ref.fingerprint}`, `setTickets ${ref.fingerprint}`]);
    expect(w.jira.writes()).toEqual(['createIssue']);
    expect(w.jira.callsTo('findIssuesByLabel')).toEqual([]);
    expect(issue).toMatchObject({ projectKey: 'CRASH', labels: ['Backtrace', label] });
    expect(issue.fields).toMatchObject({ project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'exception in my_app.exe' });
    const link = await stored();
    expect(link).toMatchObject({ status: 'linked', issueId: issue.id, issueKey: issue.key, ticketAttached: true });
    expect(link).not.toHaveProperty('claimToken');
    expect(w.backtrace.row(ref).tickets).toEqual(attached);
    expect(w.backtrace.writes()).toEqual([`setTickets ${ref.fingerprint}`]);
    expect(w.log.lines).toContainEqual({ level: 'info', message: 'Created Jira issue', extra: { integration: INTEGRATION, fingerprint: ref.fingerprint, issueKey: issue.key } });
  });

  it.each([
    ['with its ticket attached', true, [], []],
    ['whose ticket an earlier attempt failed to attach', false, ['setTickets'], ['Linked Jira issue has no Backtrace ticket yet; attaching it']],
  ])('makes no Jira call for a fingerprint already linked %s', async (_case, ticketAttached, backtraceWrites, info) => {
    // Prepare
    const { w, ref, run, stored } = worker();
    const issue = w.jira.addIssue();
    w.links.seedLinked({ integration: INTEGRATION, ...ref, issueId: issue.id, issueKey: issue.key, issueUrl: browse(w, issue.key), ticketAttached });
    if (ticketAttached) w.backtrace.seed(ref, { tickets: [{ watcher: INTEGRATION, short: issue.key, url: browse(w, issue.key), state: 'in-progress' }] });

    // Act
    const result = await run();

    // Assess
    expect(result).toEqual({ outcome: 'already-linked', issueKey: issue.key, issueId: issue.id, link: expect.objectContaining({ status: 'linked', issueId: issue.id }) });
    expect(w.jira.calls).toEqual([]);
    expect(w.links.calls).not.toContain('claim');
    expect(w.backtrace.writes()).toEqual(backtraceWrites.map((write) => `${write} ${ref.fingerprint}`));
    expect(w.backtrace.row(ref).tickets).toEqual([{ watcher: INTEGRATION, short: issue.key, url: browse(w, issue.key), state: ticketAttached ? 'in-progress' : 'open' }]);
    expect((await stored())?.ticketAttached).toBe(true);
    expect(w.log.messages('info')).toEqual(info);
  });

  describe('the row read before creating (the fingerprint\'s own ticket entry)', () => {
    it('adopts the issue our ticket entry names when Jira still has it: no create, the link made, one Backtrace read', async () => {
      // Prepare: the link table was lost (or another stack made the issue); the fingerprint still names it.
      const { w, ref, run, stored } = worker();
      const existing = w.jira.addIssue();
      const tickets = [
        { watcher: '_backtrace', assignees: [{ id: 12, username: 'ana' }] },
        { watcher: INTEGRATION, short: existing.key, url: browse(w, existing.key), state: 'resolved' as const },
      ];
      w.backtrace.seed(ref, { state: 'resolved', tickets });

      // Act
      const result = await run();

      // Assess
      expect(result).toEqual({
        outcome: 'adopted',
        issueKey: existing.key,
        issueId: existing.id,
        link: expect.objectContaining({ status: 'linked', issueId: existing.id, issueKey: existing.key, issueUrl: browse(w, existing.key), ticketAttached: true }),
        token: 'ours-1',
        row: { state: 'resolved', tickets },
      });
      expect(w.jira.writes()).toEqual([]);
      expect(w.jira.callsTo('getIssueState')).toEqual([`getIssueState ${existing.key}`]);
      expect(w.jira.callsTo('findIssuesByLabel')).toEqual([]);
      expect(w.jira.issues.size).toBe(1);
      expect(w.backtrace.calls).toEqual([`getIssue ${ref.fingerprint}`]);
      expect(w.backtrace.row(ref).tickets).toEqual(tickets);
      expect(await stored()).toMatchObject({ status: 'linked', issueId: existing.id, issueKey: existing.key, ticketAttached: true });
      expect(w.log.lines).toContainEqual(
        expect.objectContaining({ level: 'info', message: "Adopted the Jira issue the fingerprint's ticket names (no link was recorded for it)", extra: expect.objectContaining({ issueKey: existing.key }) }),
      );
    });

    it('adopts it after taking over an expired claim too, without searching the dedupe label', async () => {
      // Prepare
      const { w, ref, leaseMs, run, rivalClaims } = worker();
      await rivalClaims(w.clock.now(), 'crashed');
      const existing = w.jira.addIssue();
      w.backtrace.seed(ref, { state: 'open', tickets: [{ watcher: INTEGRATION, short: existing.key, url: browse(w, existing.key), state: 'open' }] });
      w.clock.advance(leaseMs + 1);

      // Act
      const result = await run();

      // Assess
      expect(result).toMatchObject({ outcome: 'adopted', issueKey: existing.key });
      expect(w.jira.callsTo('findIssuesByLabel')).toEqual([]);
      expect(w.jira.writes()).toEqual([]);
    });

    it.each([
      ['names an issue Jira no longer has (404)', (w: AppWorld) => {
        const gone = w.jira.addIssue();
        w.jira.issues.delete(gone.id);
        return { watcher: INTEGRATION, short: gone.key, url: browse(w, gone.key), state: 'open' as const };
      }, true],
      ['is another integration\'s entry', (w: AppWorld) => {
        const theirs = w.jira.addIssue({ projectKey: 'OPS' });
        return { watcher: 'jira-ops', short: theirs.key, url: browse(w, theirs.key), state: 'open' as const };
      }, false],
    ])('creates a new issue when the ticket entry %s', async (_case, entry, replaced) => {
      // Prepare
      const { w, ref, run } = worker();
      const ticket = entry(w);
      w.backtrace.seed(ref, { state: 'open', tickets: [ticket] });

      // Act
      const result = await run();

      // Assess
      expect(result).toMatchObject({ outcome: 'created' });
      expect(w.jira.callsTo('createIssue')).toHaveLength(1);
      // Only our own entry is looked up in Jira.
      expect(w.jira.callsTo('getIssueState')).toEqual(replaced ? [`getIssueState ${ticket.short}`] : []);
      const created = { watcher: INTEGRATION, short: result.issueKey, url: browse(w, result.issueKey), state: 'open' };
      expect(w.backtrace.row(ref).tickets).toEqual(replaced ? [created] : [ticket, created]);
      if (replaced) expect(w.log.messages('info')).toContain(`The fingerprint's ticket names ${ticket.short}, which Jira no longer has; creating a new issue`);
    });
  });

  it.each([
    ['given: the link is made holding the sync lease, with the result\'s token', SYNC_LEASE_MS],
    ['not given: no lease is held', undefined],
  ])('syncLeaseMs %s', async (_case, syncLeaseMs) => {
    // Prepare
    const { w, ref, deps, input } = worker();
    const createdAt = w.clock.now();

    // Act
    const result = await createIssueForGroup(deps, { ...input, ...(syncLeaseMs === undefined ? {} : { syncLeaseMs }) });

    // Assess
    expect(result).toMatchObject({ outcome: 'created', token: 'ours-1' });
    const lease = w.links.leases.get(`${INTEGRATION}/${ref.fingerprint}`);
    expect(lease).toEqual(syncLeaseMs === undefined ? undefined : { token: 'ours-1', until: createdAt + syncLeaseMs });
    // Another worker (a webhook about the new issue) waits for the link-time sync.
    const other = await w.links.acquireSync({ integration: INTEGRATION, fingerprint: ref.fingerprint, token: 'webhook-worker', now: w.clock.now(), leaseMs: SYNC_LEASE_MS });
    expect(other.outcome).toBe(syncLeaseMs === undefined ? 'acquired' : 'busy');
  });

  it.each([
    ['open: a linked ticket moves it to in-progress', 'open', 'in-progress'],
    ['resolved: it stays resolved', 'resolved', 'resolved'],
    ['muted: it stays muted', 'muted', 'muted'],
    ['in-progress: it stays in-progress', 'in-progress', 'in-progress'],
  ] as const)('answers the row as the attach left it, for a fingerprint %s', async (_case, before, after) => {
    // Prepare
    const { w, ref, run } = worker();
    w.backtrace.seed(ref, { state: before, tickets: [], reopenCount: 2 });

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'created' });
    expect('row' in result ? result.row : undefined).toEqual({ state: after, reopenCount: 2, tickets: [{ watcher: INTEGRATION, short: result.issueKey, url: browse(w, result.issueKey), state: 'open' }] });
    expect(w.backtrace.calls).toEqual([`getIssue ${ref.fingerprint}`, `setTickets ${ref.fingerprint}`]);
  });

  it('makes no Jira call when another worker linked the fingerprint between our read and our claim', async () => {
    // Prepare
    const { w, ref, run } = worker();
    const issue = w.jira.addIssue();
    const claim = w.links.claim.bind(w.links);
    w.links.claim = async (input) => {
      w.links.seedLinked({ integration: INTEGRATION, ...ref, issueId: issue.id, issueKey: issue.key, issueUrl: browse(w, issue.key) });
      return claim(input);
    };

    // Act
    const result = await run();

    // Assess
    expect(result).toMatchObject({ outcome: 'already-linked', issueKey: issue.key });
    expect(w.jira.calls).toEqual([]);
  });

  it('leaves the link without its ticket when Backtrace fails, and the next delivery after the grace attaches it without calling Jira', async () => {
    // Prepare
    const { w, ref, run, stored } = worker();
    const outage = new RetryableError('Backtrace answered 503', { notApplied: true });
    w.backtrace.failNext.set('setTickets', outage);
    await expect(run()).rejects.toBe(outage);
    const afterFailure = await stored();
    const callsBefore = w.jira.calls.length;
    w.clock.advance(ATTACH_GRACE_MS);

    // Act
    const result = await run();

    // Assess
    expect(afterFailure).toMatchObject({ status: 'linked' });
    expect(afterFailure?.ticketAttached).toBeFalsy();
    expect(result).toMatchObject({ outcome: 'already-linked', issueKey: afterFailure?.issueKey });
    expect(w.jira.calls.slice(callsBefore)).toEqual([]);
    expect(w.jira.issues.size).toBe(1);
    expect(w.backtrace.row(ref).tickets).toEqual([{ watcher: INTEGRATION, short: afterFailure?.issueKey, url: afterFailure?.issueUrl, state: 'open' }]);
    expect((await stored())?.ticketAttached).toBe(true);
  });

  it.each([
    ['linked just now (the attach is one round trip)', 0, MIN_BUSY_RETRY_MS],
    ['linked 3 s ago (come back after as long as it has existed)', 3_000, 3_000],
    ['linked 9.5 s ago (never later than the grace\'s end, never sooner than 1 s)', ATTACH_GRACE_MS - 500, MIN_BUSY_RETRY_MS],
  ])('answers ClaimBusyError, with no Jira or Backtrace call, for a repeat of a group %s whose ticket its creator is attaching', async (_case, ageMs, retryAfterMs) => {
    // Prepare: the creator linked the issue and is between that write and the attach.
    const { w, ref, run, stored } = worker();
    const issue = w.jira.addIssue();
    w.links.seedLinked({ integration: INTEGRATION, ...ref, issueId: issue.id, issueKey: issue.key, issueUrl: browse(w, issue.key), ticketAttached: false, updatedAt: w.clock.now() });
    w.clock.advance(ageMs);

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ClaimBusyError);
    await expect(attempt).rejects.toMatchObject({ retryAfterMs });
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect((await stored())?.ticketAttached).toBe(false);
  });

  it.each([
    ['just taken (a live worker is usually done within a second)', 0, MIN_BUSY_RETRY_MS],
    ['4 s old (come back after as long as it has existed)', 4_000, 4_000],
    ['10 s from its lease\'s end (never later than that)', -10_000, 10_000],
    ['half a second from its lease\'s end (never sooner than 1 s)', -500, MIN_BUSY_RETRY_MS],
  ])('answers ClaimBusyError for a claim another worker holds, %s', async (_case, ageMs, retryAfterMs) => {
    // Prepare
    const { w, leaseMs, run, rivalClaims, stored } = worker();
    await rivalClaims(w.clock.now());
    w.clock.advance(ageMs >= 0 ? ageMs : leaseMs + ageMs);

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toThrow(ClaimBusyError);
    await expect(attempt).rejects.toMatchObject({ retryAfterMs });
    expect(w.jira.calls).toEqual([]);
    expect(await stored()).toMatchObject({ status: 'claimed', claimToken: 'rival' });
    expect(w.links.calls).not.toContain('releaseClaim');
  });

  describe('taking over an expired claim (a worker crashed after claiming)', () => {
    it.each([
      ['one issue', 1],
      ['three issues (a lease shorter than the search lag let duplicates happen)', 3],
    ])('adopts the oldest issue carrying the dedupe label when the search finds %s, and creates none', async (_case, count) => {
      // Prepare
      const { w, ref, label, leaseMs, run, rivalClaims, stored } = worker();
      await rivalClaims(w.clock.now(), 'crashed');
      const found = Array.from({ length: count }, () => w.jira.addIssue({ labels: ['Backtrace', label] }));
      w.jira.addIssue({ labels: ['Backtrace', 'bt-000000000000'] });
      w.clock.advance(leaseMs + 1);
      const [oldest, ...duplicates] = found;

      // Act
      const result = await run();

      // Assess
      expect(result).toEqual({
        outcome: 'recovered',
        issueKey: oldest!.key,
        issueId: oldest!.id,
        duplicates: duplicates.map((issue) => issue.key),
        link: expect.objectContaining({ status: 'linked', issueId: oldest!.id, ticketAttached: true }),
        token: 'ours-1',
        row: { state: 'in-progress', tickets: [{ watcher: INTEGRATION, short: oldest!.key, url: browse(w, oldest!.key), state: 'open' }] },
      });
      expect(w.backtrace.calls).toEqual([`getIssue ${ref.fingerprint}`, `setTickets ${ref.fingerprint}`]);
      expect(w.jira.writes()).toEqual([]);
      expect(w.jira.callsTo('findIssuesByLabel')).toEqual([`findIssuesByLabel ${label}`]);
      expect(await stored()).toMatchObject({ status: 'linked', issueKey: oldest!.key, ticketAttached: true });
      expect(w.backtrace.row(ref).tickets).toEqual([{ watcher: INTEGRATION, short: oldest!.key, url: browse(w, oldest!.key), state: 'open' }]);
      expect(w.log.messages('warn')).toEqual(['Took over an expired claim; searching Jira for an issue a crashed attempt may have created']);
      expect(w.log.messages('info')).toContain('Recovered the Jira issue of a crashed attempt');
      const duplicateLines = w.log.lines.filter((line) => line.message === 'Duplicate Jira issues carry the same dedupe label; keeping the oldest');
      expect(duplicateLines.map((line) => line.extra)).toEqual(
        count > 1 ? [{ integration: INTEGRATION, fingerprint: ref.fingerprint, dedupeLabel: label, kept: oldest!.key, duplicates: duplicates.map((issue) => issue.key) }] : [],
      );
    });

    it('creates the issue when the dedupe label finds none, searching before it creates', async () => {
      // Prepare
      const { w, label, leaseMs, run, rivalClaims } = worker();
      await rivalClaims(w.clock.now(), 'crashed');
      w.clock.advance(leaseMs + 1);

      // Act
      const result = await run();

      // Assess
      expect(result).toMatchObject({ outcome: 'created' });
      expect(w.jira.calls.filter((call) => /^(findIssuesByLabel|createIssue)/.test(call))).toEqual([`findIssuesByLabel ${label}`, 'createIssue']);
      expect(w.jira.issues.size).toBe(1);
    });

    it('searches the custom labels field that fieldMapping.labels names', async () => {
      // Prepare
      const base = integrationDocument();
      const w = appWorld({ integrations: [{ ...base, jira: { ...(base.jira as Record<string, unknown>), fieldMapping: { labels: 'Crash tags' } } }] });
      w.jira.fields = [...w.jira.fields, customField('customfield_10054', 'Crash tags', 'array', 'string', 'labels')];
      const { label, leaseMs, run, rivalClaims } = worker(w);
      await rivalClaims(w.clock.now(), 'crashed');
      const crashed = w.jira.addIssue({ fields: { customfield_10054: ['Backtrace', label] } });
      w.clock.advance(leaseMs + 1);

      // Act
      const result = await run();

      // Assess
      expect(result).toMatchObject({ outcome: 'recovered', issueKey: crashed.key });
      expect(w.jira.writes()).toEqual([]);
    });
  });

  it.each([
    ['Jira refuses the fields (a 400)', () => new PermanentError('Jira answered 400: Field \'priority\' cannot be set', { status: 400 })],
    ['Jira rate-limits the create (a 429 does no work)', () => new RetryableError('Jira answered 429', { notApplied: true, retryAfterMs: 60_000 })],
  ])('releases the claim when %s, so the next delivery takes it over at once', async (_case, refusal) => {
    // Prepare
    const { w, label, run, stored } = worker();
    const error = refusal();
    w.jira.failNext.set('createIssue', error);

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toBe(error);
    expect(w.jira.issues.size).toBe(0);
    expect(await stored()).toMatchObject({ status: 'claimed', claimToken: 'ours-1', leaseUntil: 0 });
    // The redelivery, at the same instant, neither waits out the lease nor skips the search.
    const redelivered = await run();
    expect(redelivered).toMatchObject({ outcome: 'created' });
    expect(w.log.messages('warn')).toEqual(['Took over an expired claim; searching Jira for an issue a crashed attempt may have created']);
    expect(w.jira.callsTo('findIssuesByLabel')).toEqual([`findIssuesByLabel ${label}`]);
    expect(w.jira.issues.size).toBe(1);
  });

  it.each([
    ['listing the Jira fields', 'listFields', false],
    ['reading the deployment type', 'deploymentType', false],
    ['searching the dedupe label after a take-over', 'findIssuesByLabel', true],
  ] as const)('releases the claim when Jira fails before anything is created (%s)', async (_case, method, takeOver) => {
    // Prepare
    const { w, leaseMs, run, rivalClaims, stored } = worker();
    if (takeOver) {
      await rivalClaims(w.clock.now(), 'crashed');
      w.clock.advance(leaseMs + 1);
    }
    const outage = new RetryableError(`Jira answered 503 to ${method}`);
    w.jira.failNext.set(method, outage);

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toBe(outage);
    expect(w.jira.writes()).toEqual([]);
    expect(await stored()).toMatchObject({ status: 'claimed', claimToken: 'ours-1', leaseUntil: 0 });
  });

  it.each([
    ['a timeout after 20 s', () => new RetryableError('timeout of 20000ms exceeded'), 20_000, (leaseMs: number) => leaseMs - 20_000],
    ['a 502 asking to wait longer than the lease', () => new RetryableError('Jira answered 502', { retryAfterMs: 900_000 }), 0, () => 900_000],
    ['a dropped connection (an error the adapter did not classify)', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 0, (leaseMs: number) => leaseMs],
  ])('keeps the claim after an ambiguous create failure (%s) and asks to retry after the lease left', async (_case, failure, elapsedMs, expectedRetryAfter) => {
    // Prepare
    const { w, ref, leaseMs, run, stored } = worker();
    const claimedAt = w.clock.now();
    const error = failure();
    const create = w.jira.createIssue.bind(w.jira);
    w.jira.createIssue = async (fields) => {
      w.clock.advance(elapsedMs);
      w.jira.failNext.set('createIssue', error);
      return create(fields);
    };

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toThrow(RetryableError);
    await expect(attempt).rejects.toMatchObject({
      retryAfterMs: expectedRetryAfter(leaseMs),
      cause: error,
      message: `Creating the Jira issue for fingerprint ${ref.fingerprint} (integration ${INTEGRATION}) failed: ${error.message}`,
    });
    expect(await stored()).toMatchObject({ status: 'claimed', claimToken: 'ours-1', leaseUntil: claimedAt + leaseMs });
    expect(w.links.calls).not.toContain('releaseClaim');
    expect(w.log.messages('warn')).toEqual(['Jira issue creation failed in a way that may have created it; keeping the claim until its lease ends']);
  });

  it('adopts, after the lease, the issue a timed-out create did make: one issue in Jira, never two', async () => {
    // Prepare
    const { w, leaseMs, run } = worker();
    const create = w.jira.createIssue.bind(w.jira);
    w.jira.createIssue = async (fields) => {
      await create(fields);
      throw new RetryableError('timeout of 20000ms exceeded');
    };
    await expect(run()).rejects.toThrow(RetryableError);
    w.jira.createIssue = create;
    const tooEarly = run();
    await expect(tooEarly).rejects.toThrow(ClaimBusyError);
    w.clock.advance(leaseMs);

    // Act
    const result = await run();

    // Assess
    const [issue] = [...w.jira.issues.values()];
    expect(w.jira.issues.size).toBe(1);
    expect(result).toMatchObject({ outcome: 'recovered', issueKey: issue!.key, duplicates: [] });
    expect(w.jira.callsTo('createIssue')).toHaveLength(1);
  });

  it('asks to retry after the lease when the link cannot be recorded, and that retry adopts the issue', async () => {
    // Prepare
    const { w, ref, leaseMs, run, stored } = worker();
    const completeClaim = w.links.completeClaim.bind(w.links);
    w.links.completeClaim = async () => {
      throw new RetryableError('DynamoDB answered 500');
    };

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'RetryableError', retryAfterMs: leaseMs });
    const [issue] = [...w.jira.issues.values()];
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'Created a Jira issue but could not record the link; a retry after the lease will adopt it by its label', extra: expect.objectContaining({ issueKey: issue!.key, fingerprint: ref.fingerprint }) }),
    );
    expect(await stored()).toMatchObject({ status: 'claimed' });
    w.links.completeClaim = completeClaim;
    w.clock.advance(leaseMs);
    expect(await run()).toMatchObject({ outcome: 'recovered', issueKey: issue!.key });
    expect(w.jira.issues.size).toBe(1);
  });

  describe('outrunning its lease: the claim is taken over before completeClaim', () => {
    it.each([
      [
        'the new holder has not linked anything yet',
        () => ({ linksOther: false, linksOurs: false }),
        'error',
        (ours: string) => `Our claim expired before ${ours} was linked; the new holder will find it by its dedupe label or create a duplicate`,
      ],
      [
        'the new holder created and linked another issue (its search missed ours)',
        () => ({ linksOther: true, linksOurs: false }),
        'error',
        (ours: string, other: string) =>
          `Duplicate Jira issue: ${ours} carries this group's dedupe label, and ${other} is linked instead; delete ${ours} (it was created after our claim expired: raise settings.claimLeaseSeconds above the worker timeout plus Jira search lag)`,
      ],
      [
        'the new holder found our issue by its label and linked it',
        () => ({ linksOther: false, linksOurs: true }),
        'warn',
        () => 'Our claim was taken over, and the new holder linked the same issue',
      ],
    ] as const)('answers superseded and attaches nothing when %s', async (_case, rival, level, expectedLine) => {
      // Prepare
      const { w, ref, label, leaseMs, run, rivalClaims, stored } = worker();
      const { linksOther, linksOurs } = rival();
      const pending: Promise<unknown>[] = [];
      let other: { id: string; key: string } | undefined;
      w.links.beforeComplete = () => {
        w.links.beforeComplete = undefined;
        // Our worker stalled past its lease; a redelivery took the claim over (and maybe linked an issue).
        w.clock.advance(leaseMs + 1);
        pending.push(rivalClaims(w.clock.now()));
        const ours = [...w.jira.issues.values()][0]!;
        if (linksOther) other = w.jira.addIssue({ labels: ['Backtrace', label] });
        const linked = linksOther ? other! : linksOurs ? ours : undefined;
        if (linked) pending.push(w.links.completeClaim({ integration: INTEGRATION, fingerprint: ref.fingerprint, token: 'rival', issue: { id: linked.id, key: linked.key, url: browse(w, linked.key) }, now: w.clock.now() }));
      };

      // Act
      const result = await run();

      // Assess
      const [rivalClaim, rivalLink] = await Promise.all(pending);
      expect(rivalClaim).toMatchObject({ outcome: 'took-over' });
      const ours = [...w.jira.issues.values()][0]!;
      expect(result).toEqual({ outcome: 'superseded', issueKey: ours.key, issueId: ours.id });
      expect(w.backtrace.writes()).toEqual([]);
      expect(await stored()).toMatchObject(rivalLink ? { status: 'linked', issueKey: linksOther ? other!.key : ours.key } : { status: 'claimed', claimToken: 'rival' });
      expect(w.log.lines).toContainEqual(expect.objectContaining({ level, message: expectedLine(ours.key, other?.key ?? '') }));
      if (level === 'warn') expect(w.log.messages('error')).toEqual([]);
    });

    it('names an adopted issue as the duplicate without blaming the lease, when it was not created by us', async () => {
      // Prepare
      const { w, ref, label, leaseMs, run, rivalClaims } = worker();
      await rivalClaims(w.clock.now(), 'crashed');
      const crashed = w.jira.addIssue({ labels: ['Backtrace', label] });
      w.clock.advance(leaseMs + 1);
      const pending: Promise<unknown>[] = [];
      w.links.beforeComplete = () => {
        w.links.beforeComplete = undefined;
        w.clock.advance(leaseMs + 1);
        pending.push(rivalClaims(w.clock.now()));
        const other = w.jira.addIssue({ labels: ['Backtrace', label] });
        pending.push(w.links.completeClaim({ integration: INTEGRATION, fingerprint: ref.fingerprint, token: 'rival', issue: { id: other.id, key: other.key, url: browse(w, other.key) }, now: w.clock.now() }));
      };

      // Act
      const result = await run();

      // Assess
      await Promise.all(pending);
      expect(result).toEqual({ outcome: 'superseded', issueKey: crashed.key, issueId: crashed.id });
      const line = w.log.lines.find((entry) => entry.level === 'error' && entry.message.startsWith('Duplicate Jira issue:'));
      expect(line?.message).toMatch(new RegExp(`^Duplicate Jira issue: ${crashed.key} carries this group's dedupe label, and CRASH-\\d+ is linked instead; delete ${crashed.key}$`));
      expect(w.jira.writes()).toEqual([]);
    });
  });

  it('throws a PermanentError naming the config path when the fields cannot be built, creates nothing, and releases the claim', async () => {
    // Prepare
    const base = integrationDocument();
    const w = appWorld({ integrations: [{ ...base, jira: { ...(base.jira as Record<string, unknown>), customFields: { Hostname: 'Version: $version' } } }] });
    const { ref, run, stored } = worker(w);

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toThrow(PermanentError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`^Cannot build the Jira issue for fingerprint ${ref.fingerprint} \\(integration ${INTEGRATION}\\): integrations\\[0\\]\\.jira\\.customFields\\["Hostname"\\]: no Jira field has the id or name "Hostname"`),
    );
    expect(w.jira.writes()).toEqual([]);
    expect(await stored()).toMatchObject({ status: 'claimed', leaseUntil: 0 });
    // The admin adds the field in Jira and redrives the message: it is created at once.
    w.jira.fields = [...w.jira.fields, customField('customfield_10050', 'Hostname', 'string')];
    const redriven = await run();
    expect(redriven).toMatchObject({ outcome: 'created' });
    expect(w.jira.issue(redriven.issueKey).fields.customfield_10050).toBe('Version: 1.1.0');
  });

  it('lists every problem buildFields reports, text or with its config path', async () => {
    // Prepare
    const { w, ref, deps, input, stored } = worker();
    const buildFields: BuildFields = () => ({
      ok: false,
      problems: ['integrations[0].jira.dedupeLabel: must contain {hash}', { message: 'no Jira field "Team"', path: 'integrations[0].jira.customFields["Team"]' }, { message: 'no issue type "Bug"' }],
    });

    // Act
    const attempt = createIssueForGroup(deps, { ...input, buildFields });

    // Assess
    await expect(attempt).rejects.toThrow(
      `Cannot build the Jira issue for fingerprint ${ref.fingerprint} (integration ${INTEGRATION}): integrations[0].jira.dedupeLabel: must contain {hash}; integrations[0].jira.customFields["Team"]: no Jira field "Team"; no issue type "Bug"`,
    );
    expect(w.jira.writes()).toEqual([]);
    expect(await stored()).toMatchObject({ status: 'claimed', leaseUntil: 0 });
  });

  it('still throws the refusal when the claim cannot be released, and says it will expire with its lease', async () => {
    // Prepare
    const { w, run } = worker();
    const refusal = new PermanentError('Jira answered 400: Field \'priority\' cannot be set', { status: 400 });
    w.jira.failNext.set('createIssue', refusal);
    w.links.releaseClaim = async () => {
      throw new RetryableError('DynamoDB answered 500');
    };

    // Act
    const attempt = run();

    // Assess
    await expect(attempt).rejects.toBe(refusal);
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'Could not release the claim; it will expire with its lease', extra: expect.objectContaining({ error: 'DynamoDB answered 500' }) }));
  });
});
