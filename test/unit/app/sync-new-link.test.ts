import { describe, expect, it } from 'vitest';
import { syncNewLink, syncsAnything } from '../../../shared/app/sync-new-link.ts';
import type { IntegrationConfig } from '../../../shared/domain/config/index.ts';
import type { FingerprintRef, FingerprintState, TicketAssignee } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus } from '../../../shared/domain/model/jira.ts';
import type { LinkedLink } from '../../../shared/domain/model/link.ts';
import { ANA, DONE, IN_PROGRESS, TO_DO } from '../../support/in-memory/jira.ts';
import { appWorld, INTEGRATION, integrationDocument, UNIVERSE, type AppWorld } from './app-world.ts';

const ANA_IN_BACKTRACE: TicketAssignee = { id: 12, username: 'ana', email: 'ana@acme.com' };

/** syncNewLink as the group worker calls it, right after linking. */
function syncTheNewLink(w: AppWorld, link: LinkedLink, integration: IntegrationConfig = w.integration) {
  const { config: _config, clientsFor: _clientsFor, ...deps } = w.deps;
  return syncNewLink(deps, { tracker: w.jira, backtrace: w.backtrace }, integration, link);
}

/** The fingerprint as a person left it in Backtrace before the link was made: state, assignees, our fresh ticket. */
function fingerprintIs(w: AppWorld, ref: FingerprintRef, state: FingerprintState, assignees: TicketAssignee[] | undefined) {
  const tickets = w.backtrace.row(ref).tickets;
  w.backtrace.seed(ref, { state, tickets: assignees === undefined ? tickets : [{ watcher: '_backtrace', assignees }, ...tickets] });
}

const ours = (w: AppWorld, ref: FingerprintRef) => w.backtrace.row(ref).tickets.find((ticket) => ticket.watcher === INTEGRATION);

describe('Use-case: syncNewLink', () => {
  it.each([
    ['resolved and assigned', 'resolved', [ANA_IN_BACKTRACE], DONE, ANA.accountId, 'pushed'],
    ['in progress and assigned', 'in-progress', [ANA_IN_BACKTRACE], IN_PROGRESS, ANA.accountId, 'pushed'],
    ['muted (mapped to "leave")', 'muted', [], TO_DO, undefined, 'unchanged'],
    ['in progress by itself (a ticket, nobody assigned)', 'in-progress', [], TO_DO, undefined, 'unchanged'],
  ] as const)('with onLink "backtrace-wins" (the default) pushes a fingerprint %s to the new issue', async (_case, state, assignees, status: JiraStatus, assignee, outcome) => {
    // Prepare
    const w = appWorld();
    const { ref, link, issue } = w.linked();
    fingerprintIs(w, ref, state, [...assignees]);

    // Act
    const result = await syncTheNewLink(w, link);

    // Assess
    expect(result).toEqual({ direction: 'to-jira', outcome });
    expect(w.jira.issue(issue.id).status).toEqual(status);
    expect(w.jira.issue(issue.id).assignee?.accountId).toBe(assignee);
    // Backtrace keeps its state; our ticket entry shows the issue's.
    expect(w.backtrace.row(ref).state).toBe(state);
    expect(ours(w, ref)?.state).toBe(status.id === TO_DO.id ? 'open' : state);
    // The first sync is recorded (what Jira holds, for its webhook echo): the link is not synced again.
    expect((await w.links.get(INTEGRATION, ref.fingerprint))?.sync?.pushedToJira).toEqual({ statusId: status.id, assignee: assignee ?? null, at: w.clock.now() });
  });

  it('moves a new issue to Done with a resolution and assigns it, for a resolved and assigned fingerprint', async () => {
    // Prepare
    const w = appWorld();
    const { ref, link, issue } = w.linked();
    fingerprintIs(w, ref, 'resolved', [ANA_IN_BACKTRACE]);

    // Act
    await syncTheNewLink(w, link);

    // Assess
    expect(w.jira.writes()).toEqual([`transition ${issue.id} t-${DONE.id}`, `assign ${issue.id} ${ANA.accountId}`]);
    expect(w.jira.issue(issue.id).resolution).toEqual({ id: '1', name: 'Fixed' });
    expect(w.log.messages('info')).toContain(`Synced Backtrace change to ${issue.key}: transitioned to ${DONE.name}, assigned to ${ANA.accountId}`);
  });

  it('with onLink "jira-wins" (two-way) applies the new issue\'s status and assignee to the fingerprint: an automation rule moved it to In Progress', async () => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', onLink: 'jira-wins' } })] });
    const { ref, link, issue } = w.linked({ issue: { status: IN_PROGRESS, assignee: ANA } });
    fingerprintIs(w, ref, 'open', undefined);
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());

    // Act
    const result = await syncTheNewLink(w, link);

    // Assess
    expect(result).toEqual({ direction: 'to-backtrace', outcome: 'applied' });
    expect(w.backtrace.row(ref)).toEqual({
      state: 'in-progress',
      tickets: [
        { watcher: '_backtrace', assignees: [ANA_IN_BACKTRACE] },
        { watcher: INTEGRATION, short: issue.key, url: link.issueUrl, state: 'in-progress' },
      ],
    });
    expect(w.backtrace.writes()).toEqual([`updateIssue ${ref.fingerprint}`]);
    expect(w.jira.writes()).toEqual([]);
    // What Backtrace holds is recorded (its change event is our echo); no Jira watermark at link time.
    const sync = (await w.links.get(INTEGRATION, ref.fingerprint))?.sync;
    expect(sync?.pushedToBacktrace).toEqual({ state: 'in-progress', assigneeIds: [12], at: w.clock.now() });
    expect(sync?.jiraUpdatedAt).toBeUndefined();
  });

  it('with onLink "jira-wins" and sync.assignee off applies the status only, leaving Backtrace\'s assignees alone', async () => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', onLink: 'jira-wins', assignee: false } })] });
    const { ref, link } = w.linked({ issue: { status: DONE, assignee: ANA } });
    const someone: TicketAssignee = { id: 40, username: 'someone' };
    fingerprintIs(w, ref, 'open', [someone]);
    await w.users.remember(UNIVERSE, [ANA_IN_BACKTRACE], w.clock.now());

    // Act
    const result = await syncTheNewLink(w, link);

    // Assess
    expect(result).toEqual({ direction: 'to-backtrace', outcome: 'applied' });
    expect(w.backtrace.row(ref).state).toBe('resolved');
    expect(w.backtrace.row(ref).tickets[0]).toEqual({ watcher: '_backtrace', assignees: [someone] });
  });

  it('with onLink "jira-wins" writes nothing when the fingerprint already agrees with the issue', async () => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync: { mode: 'two-way', onLink: 'jira-wins' } })] });
    const { ref, link } = w.linked({ issue: { status: TO_DO, assignee: null } });
    fingerprintIs(w, ref, 'open', []);

    // Act
    const result = await syncTheNewLink(w, link);

    // Assess
    expect(result).toEqual({ direction: 'to-backtrace', outcome: 'unchanged' });
    expect(w.backtrace.writes()).toEqual([]);
  });

  it('with onLink "jira-wins" and one-way sync (refused by the config schema) still pushes to Jira, never to Backtrace', async () => {
    // Prepare
    expect(() => appWorld({ integrations: [integrationDocument({ sync: { mode: 'one-way', onLink: 'jira-wins' }, jiraWebhook: undefined })] })).toThrow('"jira-wins" writes Jira\'s state to Backtrace');
    const w = appWorld();
    const integration: IntegrationConfig = { ...w.integration, sync: { ...w.integration.sync, mode: 'one-way', onLink: 'jira-wins' } };
    const { ref, link, issue } = w.linked({ issue: { status: IN_PROGRESS } });
    fingerprintIs(w, ref, 'resolved', []);

    // Act
    const result = await syncTheNewLink(w, link, integration);

    // Assess
    expect(result).toEqual({ direction: 'to-jira', outcome: 'pushed' });
    expect(w.jira.issue(issue.id).status).toEqual(DONE);
    expect(w.backtrace.row(ref).state).toBe('resolved');
  });

  it.each([
    ['sync.mode "none"', { mode: 'none' }],
    ['sync.state and sync.assignee both off', { mode: 'two-way', state: false, assignee: false }],
  ])('with %s answers {direction: "none"} and makes no call', async (_case, sync) => {
    // Prepare
    const w = appWorld({ integrations: [integrationDocument({ sync })] });
    const { ref, link } = w.linked();
    fingerprintIs(w, ref, 'resolved', [ANA_IN_BACKTRACE]);
    const linkCalls = w.links.calls.length;

    // Act
    const result = await syncTheNewLink(w, link);

    // Assess
    expect(result).toEqual({ direction: 'none' });
    expect(w.jira.calls).toEqual([]);
    expect(w.backtrace.calls).toEqual([]);
    expect(w.links.calls.slice(linkCalls)).toEqual([]);
  });

  describe('syncsAnything', () => {
    it.each([
      [{ mode: 'none' }, false],
      [{ mode: 'none', state: true, assignee: true }, false],
      [{ mode: 'one-way' }, true],
      [{ mode: 'one-way', state: true, assignee: false }, true],
      [{ mode: 'one-way', state: false, assignee: true }, true],
      [{ mode: 'one-way', state: false, assignee: false }, false],
      [{ mode: 'two-way' }, true],
      [{ mode: 'two-way', state: false, assignee: true }, true],
      [{ mode: 'two-way', state: false, assignee: false }, false],
    ])('for sync %j answers %s', (sync, expected) => {
      // Prepare
      const { integration } = appWorld({ integrations: [integrationDocument({ sync })] });

      // Act
      const answer = syncsAnything(integration);

      // Assess
      expect(answer).toBe(expected);
    });
  });
});
