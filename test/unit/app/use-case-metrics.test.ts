/**
 * What the dashboard counts, counted where it happens: each use-case run over the in-memory ports with an
 * {@link InMemoryMetrics}, asserting the counts an operator would see for that run.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acceptBacktraceEvent } from '../../../shared/app/accept-backtrace-event.ts';
import { acceptJiraWebhook } from '../../../shared/app/accept-jira-webhook.ts';
import { applyJiraChange } from '../../../shared/app/apply-jira-change.ts';
import { pushFingerprintChange } from '../../../shared/app/push-fingerprint-change.ts';
import { syncErrorGroup } from '../../../shared/app/sync-error-group.ts';
import type { JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import { ANA, BOT, DONE, type MemoryIssue } from '../../support/in-memory/jira.ts';
import { InMemoryMetrics } from '../../support/in-memory/metrics.ts';
import { QueuedGroups } from '../../../shared/app/queued-groups.ts';
import { webhookFixture } from '../sync/sync-factories.ts';
import { sampleBody, sampleGroup } from '../domain-factories.ts';
import { appWorld, personDelivery, BASIC, basicAuthorization, INTEGRATION, integrationDocument, PROJECT, UNIVERSE, WEBHOOK_SECRET, type AppWorld } from './app-world.ts';

const GROUP = sampleGroup();
const REF = { universe: GROUP.universe, project: GROUP.project, fingerprint: GROUP.fingerprint };

/** A world whose use-cases count into `metrics`. */
function countingWorld(options: Parameters<typeof appWorld>[0] = {}): { w: AppWorld; metrics: InMemoryMetrics } {
  const w = appWorld(options);
  const metrics = new InMemoryMetrics();
  w.deps.metrics = metrics;
  return { w, metrics };
}

/** An integration for the sample group's universe and project. */
function forTheSample(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = integrationDocument();
  return integrationDocument({ backtrace: { ...(base.backtrace as object), universe: GROUP.universe, project: GROUP.project }, ...overrides });
}

describe('Metrics counted by the use-cases', () => {
  describe('acceptBacktraceEvent', () => {
    it.each<[string, Record<string, unknown>[] | undefined, string | undefined, string[]]>([
      ['an error group queued', undefined, basicAuthorization(BASIC.username, BASIC.password), ['EventsIn{route=BacktraceEvents}']],
      ['an error group every rule filters', [integrationDocument({ rules: [{ action: 'filter', attribute: '.*', regex: '.*' }] })], basicAuthorization(BASIC.username, BASIC.password), ['EventsFiltered']],
      ['a call with wrong credentials', undefined, basicAuthorization(BASIC.username, 'wrong'), []],
    ])('counts %s', async (_case, integrations, authorization, expected) => {
      // Prepare
      const { w, metrics } = countingWorld(integrations ? { integrations } : {});
      const body = JSON.stringify({ ...sampleBody(), universe: UNIVERSE, project: PROJECT });

      // Act
      await acceptBacktraceEvent({ ...w, metrics }, { headers: { authorization }, body });

      // Assess
      expect(metrics.names()).toEqual(expected);
    });

    it('counts a repeat this container queued moments ago as coalesced, not as an event in', async () => {
      // Prepare
      const { w, metrics } = countingWorld();
      const request = { headers: { authorization: basicAuthorization(BASIC.username, BASIC.password) }, body: JSON.stringify({ ...sampleBody(), universe: UNIVERSE, project: PROJECT }) };
      const accept = { ...w, metrics, queuedGroups: new QueuedGroups() };

      // Act
      await acceptBacktraceEvent(accept, request);
      await acceptBacktraceEvent(accept, request);

      // Assess
      expect(metrics.names()).toEqual(['EventsIn{route=BacktraceEvents}', 'RepeatsCoalesced']);
    });
  });

  describe('acceptJiraWebhook', () => {
    it.each([
      ['a signed delivery queued', WEBHOOK_SECRET, ['EventsIn{route=JiraWebhook}']],
      ['a delivery signed with another secret', 'not-the-secret', []],
    ])('counts %s', async (_case, secret, expected) => {
      // Prepare
      const { w, metrics } = countingWorld();
      // Dated now: a delivery older than the replay window is dropped before it is counted.
      const body = JSON.stringify({ ...webhookFixture('cloud_issue_updated_status_to_done.json'), timestamp: w.clock.now() });
      const headers = { 'content-type': 'application/json', 'x-hub-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };

      // Act
      await acceptJiraWebhook({ ...w, metrics }, { headers, body });

      // Assess
      expect(metrics.names()).toEqual(expected);
    });
  });

  describe('syncErrorGroup', () => {
    it('counts a created issue, and the first sync\'s writes to Jira (transition, assignee)', async () => {
      // Prepare
      const { w, metrics } = countingWorld({ integrations: [forTheSample()] });
      w.backtrace.seed(REF, { state: 'resolved', tickets: [{ watcher: '_backtrace', assignees: [{ id: 12, username: 'ana', email: 'ana@acme.com' }] }] });

      // Act
      await syncErrorGroup(w.deps, { kind: 'backtrace.group', integrations: [INTEGRATION], group: GROUP });

      // Assess
      expect(w.jira.issue('CRASH-1')).toMatchObject({ status: DONE, assignee: ANA });
      expect(metrics.total('IssuesCreated')).toBe(1);
      expect(metrics.total('IssuesAdopted')).toBe(0);
      expect(metrics.total('SyncWrites', { direction: 'ToJira' })).toBe(2);
    });

    it('counts an adopted issue (the fingerprint\'s ticket names one Jira still has), and no created one', async () => {
      // Prepare
      const { w, metrics } = countingWorld({ integrations: [forTheSample({ sync: { mode: 'none' } })] });
      const existing = w.jira.addIssue();
      w.backtrace.seed(REF, { state: 'open', tickets: [{ watcher: INTEGRATION, short: existing.key, url: `${w.jira.site}/browse/${existing.key}`, state: 'open' }] });

      // Act
      const [synced] = await syncErrorGroup(w.deps, { kind: 'backtrace.group', integrations: [INTEGRATION], group: GROUP });

      // Assess
      expect(synced?.result.outcome).toBe('adopted');
      expect(metrics.names()).toEqual(['IssuesAdopted']);
    });

    it('counts a group from EventBridge that an integration\'s rules filter', async () => {
      // Prepare
      const { w, metrics } = countingWorld({ integrations: [forTheSample({ rules: [{ action: 'filter', attribute: '.*', regex: '.*' }] })] });

      // Act
      await syncErrorGroup(w.deps, { kind: 'backtrace.group', group: GROUP });

      // Assess
      expect(metrics.names()).toEqual(['EventsFiltered']);
    });
  });

  describe('applyJiraChange and pushFingerprintChange', () => {
    it.each<[string, (w: AppWorld, issue: MemoryIssue) => JiraIssueEvent, string[]]>([
      ['the echo of our own transition', (w, issue) => {
        w.jira.issue(issue.id).status = DONE;
        return personDelivery(issue, { status: true, resolution: true }, BOT);
      }, ['EchoesDropped']],
      ['a person\'s transition, written to the fingerprint', (w, issue) => {
        w.clock.advance(1000);
        w.jira.personMoves(issue.id, DONE);
        return personDelivery(w.jira.issue(issue.id), { status: true, resolution: true });
      }, ['SyncWrites{direction=ToBacktrace}']],
    ])('counts %s', async (_case, prepare, expected) => {
      // Prepare
      const { w, metrics } = countingWorld();
      const { issue } = w.linked();
      const event = prepare(w, issue);

      // Act
      await applyJiraChange(w.deps, { kind: 'jira.webhook', integrations: [INTEGRATION], event });

      // Assess
      expect(metrics.names()).toEqual(expected);
    });

    it('counts a fingerprint resolved in Backtrace as a write to Jira', async () => {
      // Prepare
      const { w, metrics } = countingWorld();
      const { ref, issue } = w.linked();
      w.clock.advance(1000);
      w.backtrace.seed(ref, { ...w.backtrace.row(ref), state: 'resolved' });

      // Act
      await pushFingerprintChange(w.deps, {
        kind: 'backtrace.fingerprint-updated',
        integration: INTEGRATION,
        source: 'poll',
        event: { type: 'fingerprint.updated', universe: UNIVERSE, project: PROJECT, fingerprint: ref.fingerprint, state: 'resolved', assignees: [], at: w.clock.now() },
      });

      // Assess
      expect(w.jira.issue(issue.id).status).toEqual(DONE);
      expect(metrics.total('SyncWrites', { direction: 'ToJira' })).toBe(1);
    });
  });
});
