import { describe, expect, it } from 'vitest';
import { applyJiraChange } from '../../../shared/app/apply-jira-change.ts';
import { pollBacktrace, type PollDeps } from '../../../shared/app/poll-backtrace.ts';
import { pushFingerprintChange } from '../../../shared/app/push-fingerprint-change.ts';
import { syncErrorGroup } from '../../../shared/app/sync-error-group.ts';
import type { FingerprintRef, FingerprintState } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus } from '../../../shared/domain/model/jira.ts';
import type { LinkSyncState } from '../../../shared/domain/model/link.ts';
import type { FingerprintChangeMessage, JiraChangeMessage } from '../../../shared/domain/queue-message.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';
import { ANA, BOT, DONE, TO_DO, type MemoryIssue } from '../../support/in-memory/jira.ts';
import { sampleGroup } from '../domain-factories.ts';
import { appWorld, personDelivery, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, type AppWorld } from './app-world.ts';

const GROUP = sampleGroup({ universe: UNIVERSE, project: PROJECT });
const REF: FingerprintRef = { universe: UNIVERSE, project: PROJECT, fingerprint: GROUP.fingerprint };
const gt = (version: string, field = 'version') => ({ type: 'version_gt', field, version });
const INTERVAL_MS = 60_000;

/** An integration for the sample group with Fix Versions on (`fixVersions` merged over `{enabled: true}`). */
function world(fixVersions: Record<string, unknown> = {}): AppWorld {
  return appWorld({ integrations: [integrationDocument({ fixVersions: { enabled: true, ...fixVersions } })] });
}

/**
 * The sample fingerprint linked to an issue in `status`, both sides last seen agreeing: the fingerprint `state`,
 * resolved until `resolvedUntil` (on the row and as the bridge wrote it), reopened `reopenCount` times.
 */
function linked(w: AppWorld, options: { state?: FingerprintState; status?: JiraStatus; resolvedUntil?: string; reopenCount?: number; fixVersions?: string[] } = {}) {
  const { state = 'in-progress', status = TO_DO, resolvedUntil, reopenCount = 0, fixVersions = [] } = options;
  const now = w.clock.now();
  const invariant = resolvedUntil === undefined ? undefined : gt(resolvedUntil);
  const sync: LinkSyncState = {
    backtrace: { state, assigneeIds: [], at: now, reopenCount },
    jira: { statusId: status.id, statusName: status.name, categoryKey: status.categoryKey, assignee: null, updatedAt: now, fixVersions },
    ...(invariant ? { resolvedUntil: { ...(invariant as { type: 'version_gt'; field: string; version: string }), at: now } } : {}),
    group: { url: GROUP.group_url!, values: {} },
  };
  const pair = w.linked({ fingerprint: REF.fingerprint, issue: { status, fields: { summary: 'Segfault in render_frame' }, versions: { fixVersions } }, sync });
  w.backtrace.seed(REF, { ...w.backtrace.row(REF), state, reopenCount, ...(invariant ? { invariants: [invariant] } : {}) });
  return pair;
}

/** Ana's webhook delivery about the issue as Jira holds it now. */
function personChange(issue: MemoryIssue, author = ANA): JiraChangeMessage {
  return { kind: 'jira.webhook', integrations: [INTEGRATION], event: personDelivery(issue, { status: true }, author) };
}

/** The poller's message for what it read of the row at `at`. */
function pollChange(w: AppWorld, at: number): FingerprintChangeMessage {
  const row = w.backtrace.row(REF);
  return {
    kind: 'backtrace.fingerprint-updated',
    integration: INTEGRATION,
    source: 'poll',
    event: { type: 'fingerprint.updated', ...REF, state: row.state, assignees: [], invariant_reopen_count: row.reopenCount ?? 0, at },
  };
}

/** Backtrace reopens the fingerprint for a regression, as section 3.2 says: open, reopen count up, invariants kept. */
function backtraceReopens(w: AppWorld): void {
  const row = w.backtrace.row(REF);
  w.backtrace.seed(REF, { ...row, state: 'in-progress', reopenCount: (row.reopenCount ?? 0) + 1 });
}

/** The error group's event, with `versions` as its version histogram. */
function groupEvent(versions: [string, number][]) {
  return { kind: 'backtrace.group' as const, integrations: [INTEGRATION], group: sampleGroup({ universe: UNIVERSE, project: PROJECT, attributes: { ...GROUP.attributes, version: versions } }) };
}

const link = (w: AppWorld) => w.links.get(INTEGRATION, REF.fingerprint);
const pollDeps = (w: AppWorld): PollDeps => ({ backtraceFor: async () => w.backtrace, links: w.links, queue: w.queue, clock: w.clock, log: w.log });

describe('Use-cases: Fix Versions and regressions', () => {
  describe('Jira -> Backtrace: resolved until the highest Fix Version', () => {
    it('resolves the fingerprint until 2.4.0 when the issue is done with Fix Versions 2.3.1 and 2.4.0, in one Backtrace write', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w);
      w.clock.advance(1_000);
      w.jira.personSetsVersions(issue.id, ['2.3.1', '2.4.0']);
      w.jira.personMoves(issue.id, DONE);

      // Act
      const [result] = await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(result).toMatchObject({ outcome: 'synced', detail: 'Backtrace: state resolved, Backtrace: tickets, Backtrace: invariants version_gt 2.4.0' });
      expect(w.backtrace.row(REF)).toMatchObject({ state: 'resolved', invariants: [gt('2.4.0')] });
      expect(w.backtrace.writes()).toEqual([`updateIssue ${REF.fingerprint}`]);
      expect((await link(w))?.sync).toMatchObject({ resolvedUntil: { ...gt('2.4.0'), at: w.clock.now() }, jira: { fixVersions: ['2.3.1', '2.4.0'] } });
    });

    it('moves resolved-until up when a Fix Version is added to the done issue, and leaves it when a comment changes nothing', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      w.clock.advance(1_000);
      w.jira.personSetsVersions(issue.id, ['2.4.0', '2.5.0']);

      // Act
      await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));
      const writes = w.backtrace.writes().length;
      const [again] = await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(w.backtrace.row(REF)).toMatchObject({ state: 'resolved', invariants: [gt('2.5.0')] });
      expect(again).toMatchObject({ outcome: 'unchanged' });
      expect(w.backtrace.writes()).toHaveLength(writes);
    });

    it('resolves again until the new version when a Fix Version is added to a done issue whose fingerprint a comment-only regression left open', async () => {
      // Prepare: regressed past 2.4.0, commented, the issue left done; then a person adds 2.5.0.
      const w = world({ onRegression: { action: 'comment' } });
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));
      w.clock.advance(1_000);
      w.jira.personSetsVersions(issue.id, ['2.4.0', '2.5.0']);

      // Act
      await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(w.backtrace.row(REF)).toMatchObject({ state: 'resolved', invariants: [gt('2.5.0')] });
    });

    it('resolves without an invariant when the done issue has no Fix Versions, and says why', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w);
      w.clock.advance(1_000);
      w.jira.personMoves(issue.id, DONE);

      // Act
      await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(w.backtrace.row(REF).state).toBe('resolved');
      expect(w.backtrace.row(REF).invariants ?? []).toEqual([]);
      expect(w.log.messages('info')).toContain(`${issue.key} resolved without a version invariant: the issue has no Fix Versions`);
    });

    it('skips a Fix Version name the pattern cannot read, with a log line naming it, and never guesses', async () => {
      // Prepare
      const w = world({ versionPattern: 'app-(\\d+\\.\\d+\\.\\d+)' });
      const { issue } = linked(w);
      w.clock.advance(1_000);
      w.jira.personSetsVersions(issue.id, ['app-2.4.0', 'Q3 hotfixes']);
      w.jira.personMoves(issue.id, DONE);

      // Act
      await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(w.backtrace.row(REF).invariants).toEqual([gt('2.4.0')]);
      expect(w.log.messages('warn')).toContain(`Fix Versions of ${issue.key} skipped: "Q3 hotfixes" does not match the versionPattern app-(\\d+\\.\\d+\\.\\d+)`);
    });

    it('reads the version attribute of the rule set the group\'s environment picks', async () => {
      // Prepare
      const w = world({ rules: [{ attribute: 'environment', regex: '^production$', versionAttribute: 'app_version' }] });
      const { issue } = linked(w);
      const stored = (await link(w))!;
      w.links.items.set(`${INTEGRATION}/${REF.fingerprint}`, { ...stored, sync: { ...stored.sync, group: { values: { environment: 'production' } } } });
      w.clock.advance(1_000);
      w.jira.personSetsVersions(issue.id, ['3.1']);
      w.jira.personMoves(issue.id, DONE);

      // Act
      await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(w.backtrace.row(REF).invariants).toEqual([gt('3.1', 'app_version')]);
    });

    it('clears the invariants when a person reopens the issue in Jira', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      w.clock.advance(1_000);
      w.jira.personMoves(issue.id, TO_DO);

      // Act
      const [result] = await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(result?.detail).toContain('Backtrace: invariants cleared');
      expect(w.backtrace.row(REF)).toMatchObject({ state: 'open', invariants: [] });
      expect((await link(w))?.sync?.resolvedUntil).toBeNull();
    });

    it('reads a version-picker custom field named in jiraField instead of Fix Versions', async () => {
      // Prepare
      const w = world({ jiraField: 'Fixed in build' });
      w.jira.fields = [...w.jira.fields, { id: 'customfield_10400', name: 'Fixed in build', custom: true, schema: { type: 'array', items: 'version', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiversion', customId: 10400 } }];
      const { issue } = linked(w);
      w.clock.advance(1_000);
      w.jira.personSetsVersions(issue.id, ['9.9.9']);
      w.jira.personSetsVersions(issue.id, ['1.7.0'], 'customfield_10400');
      w.jira.personMoves(issue.id, DONE);

      // Act
      await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      expect(w.backtrace.row(REF).invariants).toEqual([gt('1.7.0')]);
    });

    it('refuses a jiraField that is not a version field at first use, naming the setting, and writes nothing', async () => {
      // Prepare
      const w = world({ jiraField: 'Build' });
      w.jira.fields = [...w.jira.fields, { id: 'customfield_10401', name: 'Build', custom: true, schema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield', customId: 10401 } }];
      const { issue } = linked(w);
      w.jira.personMoves(issue.id, DONE);

      // Act
      const attempt = applyJiraChange(w.deps, personChange(w.jira.issue(issue.id)));

      // Assess
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow('integrations[0].fixVersions.jiraField: customfield_10401 ("Build") is a string field, not a version field');
      expect(w.backtrace.writes()).toEqual([]);
    });
  });

  describe('a regression (Backtrace reopened the fingerprint past its resolved-until version)', () => {
    it('reopens the Jira issue to the first "new" status and comments naming the version, once, however often it is seen', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);

      // Act: the poller's change, then the same again (a redelivery, the next cycle).
      w.clock.advance(1_000);
      const first = await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));
      w.clock.advance(1_000);
      const second = await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      expect(first).toMatchObject({ outcome: 'synced', toJira: ['transitioned to To Do', `commented on ${issue.key}`] });
      expect(second).toMatchObject({ outcome: 'unchanged' });
      expect(w.jira.issue(issue.id).status).toEqual(TO_DO);
      expect(w.jira.issue(issue.id).comments.map((comment) => comment.body)).toEqual([`Regressed in 2.4.0 (resolved until 2.4.0): ${GROUP.group_url}`]);
      expect((await link(w))?.sync?.regression).toEqual({ count: 1, action: 'reopen', version: '2.4.0', at: w.clock.now() - 1_000 });
    });

    it('names the version of an error-group event above resolved-until, and acts once whether the event or the poller sees it first', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);
      w.clock.advance(1_000);

      // Act: the group's event (a crash in 2.4.1), then the poller's change.
      await syncErrorGroup(w.deps, groupEvent([['2.3.9', 4], ['2.4.1', 1]]));
      w.clock.advance(1_000);
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      expect(w.jira.callsTo('transition')).toHaveLength(1);
      expect(w.jira.issue(issue.id).comments.map((comment) => comment.body)).toEqual([`Regressed in 2.4.1 (resolved until 2.4.0): ${GROUP.group_url}`]);
      expect(w.jira.callsTo('createIssue')).toEqual([]);
    });

    it('notes an event\'s version before Backtrace has reopened, and the poller\'s later sight names it', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      w.clock.advance(1_000);

      // Act: the event arrives first (Backtrace has not reopened yet), then Backtrace reopens and the poller sees it.
      await syncErrorGroup(w.deps, groupEvent([['2.5.0', 1]]));
      const jiraWritesAfterEvent = w.jira.writes();
      backtraceReopens(w);
      w.clock.advance(1_000);
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      expect(jiraWritesAfterEvent).toEqual([]);
      expect(w.jira.issue(issue.id).comments.map((comment) => comment.body)).toEqual([`Regressed in 2.5.0 (resolved until 2.4.0): ${GROUP.group_url}`]);
    });

    it('does nothing for an error-group event at or below the resolved-until version', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      const calls = w.jira.calls.length;

      // Act
      await syncErrorGroup(w.deps, groupEvent([['2.3.9', 7], ['2.4.0', 2]]));

      // Assess
      expect(w.jira.calls.slice(calls).filter((call) => !/^(deploymentType|listFields)/.test(call))).toEqual([]);
      expect(w.jira.issue(issue.id)).toMatchObject({ status: DONE, comments: [] });
      expect(w.backtrace.row(REF).state).toBe('resolved');
    });

    it('with action "comment", only comments; the poller then takes the open fingerprint and the done issue to agree', async () => {
      // Prepare
      const w = world({ onRegression: { action: 'comment', comment: '$fingerprint regressed in $version' } });
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);

      // Act
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));
      const reports = [];
      for (let cycle = 0; cycle < 4; cycle++) {
        w.clock.advance(INTERVAL_MS);
        reports.push(await pollBacktrace(pollDeps(w), w.integration));
      }

      // Assess
      expect(w.jira.issue(issue.id)).toMatchObject({ status: DONE, comments: [expect.objectContaining({ body: `${REF.fingerprint} regressed in 2.4.0` })] });
      expect(w.jira.callsTo('transition')).toEqual([]);
      expect(reports.map((report) => [report.changes, report.repairs])).toEqual([[0, 0], [0, 0], [0, 0], [0, 0]]);
    });

    it('with action "new-issue", files one issue that relates to the old one, comments on it and moves the link to it', async () => {
      // Prepare
      const w = world({ onRegression: { action: 'new-issue' } });
      const { issue: old } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);

      // Act
      const result = await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      const created = w.jira.issue('CRASH-2');
      expect(result).toMatchObject({ outcome: 'synced', issueKey: 'CRASH-2', toJira: [`filed CRASH-2 (relates to ${old.key})`, 'commented on CRASH-2'] });
      expect(created.fields).toMatchObject({ summary: 'Regression in 2.4.0: Segfault in render_frame', issuetype: { name: 'Bug' } });
      expect(created.labels).toEqual(expect.arrayContaining(['Backtrace', expect.stringMatching(/^bt-[0-9a-f]{12}-r1$/)]));
      expect(created.links).toEqual([old.key]);
      expect(w.jira.issue(old.id)).toMatchObject({ status: DONE, comments: [] });
      expect(await link(w)).toMatchObject({ issueId: created.id, issueKey: 'CRASH-2', issueUrl: `${w.jira.site}/browse/CRASH-2`, sync: { regression: { count: 1, action: 'new-issue', issueKey: 'CRASH-2' } } });
      expect(w.backtrace.row(REF).tickets).toContainEqual(expect.objectContaining({ watcher: INTEGRATION, short: 'CRASH-2', url: `${w.jira.site}/browse/CRASH-2` }));
    });

    it('with action "new-issue", finds the issue a crashed attempt filed instead of filing a second, and comments once', async () => {
      // Prepare: the first attempt filed and commented, then its record was lost (a crash before the lease write).
      const w = world({ onRegression: { action: 'new-issue' } });
      linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);
      const before = structuredClone((await link(w))!);
      const ticketsBefore = structuredClone(w.backtrace.row(REF).tickets);
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));
      w.links.items.set(`${INTEGRATION}/${REF.fingerprint}`, before);
      w.backtrace.seed(REF, { ...w.backtrace.row(REF), tickets: ticketsBefore });

      // Act
      const retried = await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      expect(w.jira.callsTo('createIssue')).toHaveLength(1);
      expect(w.jira.issue('CRASH-2').comments).toHaveLength(1);
      expect(retried).toMatchObject({ issueKey: 'CRASH-2', toJira: ['found CRASH-2, filed for this regression before'] });
      expect(await link(w)).toMatchObject({ issueKey: 'CRASH-2' });
    });

    it('does not comment twice when the record of a comment was lost', async () => {
      // Prepare
      const w = world({ onRegression: { action: 'comment' } });
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);
      const before = structuredClone((await link(w))!);
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));
      w.links.items.set(`${INTEGRATION}/${REF.fingerprint}`, before);

      // Act
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      expect(w.jira.issue(issue.id).comments).toHaveLength(1);
      expect(w.jira.callsTo('addComment')).toHaveLength(1);
    });

    it('reopens nothing when a person resolved the fingerprint again before the bridge saw the reopen', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      w.backtrace.seed(REF, { ...w.backtrace.row(REF), state: 'resolved', reopenCount: 1 });

      // Act
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      expect(w.jira.issue(issue.id)).toMatchObject({ status: DONE, comments: [] });
      expect((await link(w))?.sync?.regression).toMatchObject({ count: 1, action: 'none' });
    });

    it('drops the webhook of its own reopen as an echo: nothing goes back to Backtrace', async () => {
      // Prepare
      const w = world();
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));
      const writes = w.backtrace.writes().length;

      // Act
      const [result] = await applyJiraChange(w.deps, personChange(w.jira.issue(issue.id), BOT));

      // Assess
      expect(result).toMatchObject({ outcome: 'echo' });
      expect(w.backtrace.writes()).toHaveLength(writes);
    });

    it('reopens to the configured status, and still comments when no transition reaches it', async () => {
      // Prepare
      const w = world({ onRegression: { status: 'Reopened' } });
      const { issue } = linked(w, { state: 'resolved', status: DONE, resolvedUntil: '2.4.0', fixVersions: ['2.4.0'] });
      backtraceReopens(w);

      // Act
      await pushFingerprintChange(w.deps, pollChange(w, w.clock.now()));

      // Assess
      expect(w.jira.issue(issue.id)).toMatchObject({ status: DONE, comments: [expect.anything()] });
      expect(w.log.messages('warn').some((message) => message.startsWith(`Cannot move ${issue.key} to the status "Reopened"`))).toBe(true);
    });
  });
});
