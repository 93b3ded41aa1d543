/**
 * The Jira adapter's state/assignee sync calls against the Jira fake, on Cloud and on Data Center, with every request
 * validated against the Cloud OpenAPI document: the bridge's own account, issue state, transitions (resolution
 * only where the screen asks), assigning, finding users by e-mail, and what the admin reads when Jira refuses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createJiraClient } from '../../../shared/adapters/jira/jira-client.ts';
import { PermanentError, RetryableError } from '../../../shared/ports/errors.ts';
import type { IssueTracker } from '../../../shared/ports/issue-tracker.ts';
import { startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { rejection } from './support/assertions.ts';

const ANA_CLOUD = '5b10ac8d82e05b22cc7d4ef5';

const fakes: JiraFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** A validating fake, a client on it, and one issue CRASH-1 the bridge created. */
async function world(options: JiraFakeOptions = {}): Promise<{ fake: JiraFake; jira: IssueTracker; key: string }> {
  const fake = await startJiraFake({ openApiValidation: true, ...options });
  fakes.push(fake);
  const jira = createJiraClient({
    apiUrl: fake.apiUrl,
    siteUrl: fake.url,
    auth: { type: 'api-token', email: 'bot@example.com', tokenSecret: 'jira-token' },
    secrets: { 'jira-token': 'sandbox-token' },
    // No real waiting between in-process retries.
    runner: { sleep: async () => undefined },
  });
  const { key } = await jira.createIssue({ project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash in checkout' });
  return { fake, jira, key };
}

const requestsTo = (fake: JiraFake, method: string, suffix: string) => fake.requests.filter((r) => r.method === method && r.path.endsWith(suffix));

describe('Function: createJiraClient (state and assignee sync)', () => {
  describe('Method: myself', () => {
    it('returns the Cloud account (accountId) and asks Jira once', async () => {
      // Prepare
      const { fake, jira } = await world();

      // Act
      const [first, second] = await Promise.all([jira.myself(), jira.myself()]);
      const third = await jira.myself();

      // Assess
      expect(first).toEqual({ accountId: expect.stringMatching(/^[0-9a-f]{24}$/), displayName: 'Sandbox Bot', emailAddress: 'bot@example.com', active: true });
      expect(second).toBe(first);
      expect(third).toBe(first);
      expect(requestsTo(fake, 'GET', '/myself')).toHaveLength(1);
      expect(fake.validationErrors).toEqual([]);
    });

    it('returns the Data Center account (name and key)', async () => {
      // Prepare
      const { fake, jira } = await world({ deployment: 'Server' });

      // Act
      const me = await jira.myself();

      // Assess
      expect(me).toMatchObject({ name: 'bot@example.com', key: 'JIRAUSER10000' });
      expect(me.accountId).toBeUndefined();
      expect(fake.validationErrors).toEqual([]);
    });

    it('asks again after a failure instead of caching it', async () => {
      // Prepare
      const { fake, jira } = await world();
      fake.failNext({ status: 403, path: /\/myself$/ });

      // Act
      const failed = await rejection(jira.myself());
      const me = await jira.myself();

      // Assess
      expect(failed).toBeInstanceOf(PermanentError);
      expect(me.displayName).toBe('Sandbox Bot');
    });
  });

  describe('Method: getIssueState', () => {
    it.each(['Cloud', 'Server'] as const)('reads status (by id and category), assignee, resolution and updated on %s', async (deployment) => {
      // Prepare
      const { fake, jira, key } = await world({ deployment });
      fake.actAs(deployment === 'Cloud' ? 'Ana Lima' : 'ana').transition(key, 'Done', deployment === 'Server' ? { resolution: "Won't Fix" } : {});
      fake.actAs(deployment === 'Cloud' ? 'Ana Lima' : 'ana').assign(key, deployment === 'Cloud' ? 'Ana Lima' : 'ana');
      const issue = fake.findIssue(key)!;

      // Act
      const state = await jira.getIssueState(key);

      // Assess
      expect(state).toEqual({
        id: issue.id,
        key,
        projectKey: 'CRASH',
        status: { id: '10001', name: 'Done', categoryKey: 'done' },
        assignee: deployment === 'Cloud'
          ? { accountId: ANA_CLOUD, displayName: 'Ana Lima', emailAddress: 'ana@example.com', active: true }
          : { name: 'ana', key: 'JIRAUSER10100', displayName: 'Ana Lima', emailAddress: 'ana@example.com', active: true },
        resolution: deployment === 'Cloud' ? { id: '10000', name: 'Done' } : { id: '2', name: "Won't Fix" },
        updatedAt: issue.updated,
        createdAt: issue.created,
      });
      expect(state).not.toHaveProperty('history');
      const [request] = requestsTo(fake, 'GET', `/issue/${key}`);
      expect(request?.query).toEqual({ fields: 'status,assignee,resolution,updated,created,project' });
      expect(fake.validationErrors).toEqual([]);
    });

    it('reads an unassigned, unresolved issue with nulls, by id as well as by key', async () => {
      // Prepare
      const { fake, jira, key } = await world();

      // Act
      const state = await jira.getIssueState(fake.findIssue(key)!.id);

      // Assess
      expect(state).toMatchObject({ key, status: { name: 'To Do', categoryKey: 'new' }, assignee: null, resolution: null });
    });

    it('follows a moved issue: the old key answers with the new key and the same id', async () => {
      // Prepare
      const projects = [
        { id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug' }] },
        { id: '10001', key: 'OPS', issueTypes: [{ id: '10004', name: 'Bug' }] },
      ];
      const { fake, jira, key } = await world({ projects });
      fake.actAs('Ana Lima').moveIssue(key, 'OPS');

      // Act
      const state = await jira.getIssueState(key);

      // Assess
      expect(state).toMatchObject({ id: fake.findIssue('OPS-1')!.id, key: 'OPS-1', projectKey: 'OPS' });
    });

    it('turns a deleted issue into PermanentError 404 naming the issue', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      fake.actAs('Ana Lima').deleteIssue(key);

      // Act
      const error = await rejection(jira.getIssueState(key));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(404);
      expect(error.message).toContain(`Jira issue ${key} does not exist or the Jira user (api-token for bot@example.com) cannot see it (HTTP 404)`);
    });
  });

  describe('Method: getIssueState (with the changelog)', () => {
    it.each([
      ['Cloud', '21', { person: 'Ana Lima', assignee: 'Harper Quinn', closer: 'Harper Quinn', resolution: {} }],
      ['Server', '4', { person: 'ana', assignee: 'harper', closer: 'harper', resolution: { resolution: 'Fixed' } }],
    ] as const)('asks for expand=changelog on %s and returns when the issue was created and who changed status or assignee when, newest first', async (deployment, startProgress, people) => {
      // Prepare
      const { fake, jira, key } = await world({ deployment });
      await jira.transition(key, startProgress);
      fake.actAs(people.person).assign(key, people.assignee);
      fake.actAs(people.person).comment(key, 'Looking into it');
      fake.actAs(people.closer).transition(key, 'Done', people.resolution);
      const issue = fake.findIssue(key)!;
      const [botStarted, assigned, closed] = issue.history;

      // Act
      const state = await jira.getIssueState(key, { changelog: true });

      // Assess
      expect(issue.history).toHaveLength(3);
      expect(state).toMatchObject({ id: issue.id, key, status: { id: '10001', categoryKey: 'done' }, updatedAt: issue.updated, createdAt: issue.created });
      const author = (name: string) => (deployment === 'Cloud' ? fake.users.find((u) => u.displayName === name)!.accountId : name);
      expect(state.history?.map((entry) => [entry.at, deployment === 'Cloud' ? entry.author?.accountId : entry.author?.name, entry.fields])).toEqual([
        [closed!.created, author(people.closer), ['status']],
        [assigned!.created, author(people.person), ['assignee']],
        [botStarted!.created, deployment === 'Cloud' ? fake.users.find((u) => u.displayName === 'Sandbox Bot')!.accountId : 'bot@example.com', ['status']],
      ]);
      expect(state.createdAt).toBeLessThan(botStarted!.created);
      const [request] = requestsTo(fake, 'GET', `/issue/${key}`);
      expect(request?.query).toEqual({ fields: 'status,assignee,resolution,updated,created,project', expand: 'changelog' });
      expect(fake.validationErrors).toEqual([]);
    });

    it.each(['Cloud', 'Server'] as const)('reads the history entries\' authors as other answers do on %s', async (deployment) => {
      // Prepare
      const { fake, jira, key } = await world({ deployment });
      fake.actAs(deployment === 'Cloud' ? 'Ana Lima' : 'ana').assign(key, deployment === 'Cloud' ? 'Ana Lima' : 'ana');

      // Act
      const state = await jira.getIssueState(key, { changelog: true });

      // Assess
      expect(state.history).toEqual([
        {
          at: fake.findIssue(key)!.history[0]!.created,
          author: state.assignee,
          fields: ['assignee'],
        },
      ]);
      expect(state.assignee).toMatchObject({ displayName: 'Ana Lima', active: true });
      expect(fake.validationErrors).toEqual([]);
    });

    it('returns an empty history for an issue nobody changed since it was created', async () => {
      // Prepare
      const { fake, jira, key } = await world();

      // Act
      const state = await jira.getIssueState(key, { changelog: true });

      // Assess
      expect(state.history).toEqual([]);
      expect(state.createdAt).toBe(fake.findIssue(key)!.created);
      expect(fake.validationErrors).toEqual([]);
    });

    it('leaves out changes to other fields: a move is no entry, and a transition that also sets the resolution counts once', async () => {
      // Prepare
      const projects = [
        { id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug' }] },
        { id: '10001', key: 'OPS', issueTypes: [{ id: '10004', name: 'Bug' }] },
      ];
      const { fake, jira, key } = await world({ projects });
      await jira.transition(key, '31');
      fake.actAs('Ana Lima').moveIssue(key, 'OPS');

      // Act
      const state = await jira.getIssueState(key, { changelog: true });

      // Assess
      const issue = fake.findIssue('OPS-1')!;
      expect(issue.history).toHaveLength(2);
      expect(state).toMatchObject({ key: 'OPS-1', projectKey: 'OPS' });
      expect(state.history).toEqual([{ at: issue.history[0]!.created, author: expect.objectContaining({ displayName: 'Sandbox Bot' }), fields: ['status'] }]);
      expect(fake.validationErrors).toEqual([]);
    });

    it('orders entries newest first whatever order Jira sends, and skips entries without a readable time or a synced field', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      const issue = fake.findIssue(key)!;
      const status = { field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: 'To Do', to: '3', toString: 'In Progress' };
      const assignee = { field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: ANA_CLOUD, toString: 'Ana Lima' };
      const labels = { field: 'labels', fieldtype: 'jira', fieldId: 'labels', from: null, fromString: '', to: null, toString: 'hot' };
      const ana = { accountId: ANA_CLOUD, displayName: 'Ana Lima', active: true };
      fake.failNext({
        status: 200,
        method: 'GET',
        path: new RegExp(`/issue/${key}$`),
        body: {
          id: issue.id,
          key,
          fields: {
            status: { id: '3', name: 'In Progress', statusCategory: { id: 4, key: 'indeterminate', name: 'In Progress' } },
            assignee: null,
            resolution: null,
            project: { id: '10000', key: 'CRASH' },
            created: '2026-01-01T10:00:00.000+0000',
            updated: '2026-01-01T13:00:00.000+0000',
          },
          changelog: {
            startAt: 0,
            maxResults: 5,
            total: 5,
            histories: [
              { id: '1', author: ana, created: '2026-01-01T11:00:00.000+0000', items: [status] },
              { id: '2', created: '2026-01-01T13:00:00.000+0000', items: [{ ...assignee, field: 'Assignee', fieldId: undefined }, status] },
              { id: '3', author: ana, created: '2026-01-01T12:00:00.000+0000', items: [labels] },
              { id: '4', author: ana, created: 'yesterday', items: [assignee] },
              { id: '5', author: ana, created: '2026-01-01T12:30:00.000+0000', items: [assignee] },
            ],
          },
        },
      });

      // Act
      const state = await jira.getIssueState(key, { changelog: true });

      // Assess
      expect(state.createdAt).toBe(Date.UTC(2026, 0, 1, 10));
      expect(state.history).toEqual([
        { at: Date.UTC(2026, 0, 1, 13), fields: ['assignee', 'status'] },
        { at: Date.UTC(2026, 0, 1, 12, 30), author: ana, fields: ['assignee'] },
        { at: Date.UTC(2026, 0, 1, 11), author: ana, fields: ['status'] },
      ]);
    });
  });

  describe('Method: listTransitions', () => {
    it('lists Cloud\'s simplified transitions, none with a resolution field', async () => {
      // Prepare
      const { fake, jira, key } = await world();

      // Act
      const transitions = await jira.listTransitions(key);

      // Assess
      expect(transitions).toEqual([
        { id: '21', name: 'In Progress', to: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' } },
        { id: '31', name: 'Done', to: { id: '10001', name: 'Done', categoryKey: 'done' } },
      ]);
      expect(requestsTo(fake, 'GET', `/issue/${key}/transitions`)[0]?.query).toEqual({ expand: 'transitions.fields' });
      expect(fake.validationErrors).toEqual([]);
    });

    it('lists Data Center\'s classic transitions with the resolution the Resolve screen requires', async () => {
      // Prepare
      const { fake, jira, key } = await world({ deployment: 'Server' });

      // Act
      const transitions = await jira.listTransitions(key);

      // Assess
      expect(transitions).toEqual([
        { id: '4', name: 'Start Progress', to: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' } },
        {
          id: '5',
          name: 'Resolve Issue',
          to: { id: '10001', name: 'Done', categoryKey: 'done' },
          resolution: { required: true, allowedValues: [{ id: '1', name: 'Fixed' }, { id: '2', name: "Won't Fix" }, { id: '3', name: 'Duplicate' }] },
        },
      ]);
      expect(fake.validationErrors).toEqual([]);
    });

    it('marks an optional resolution as not required', async () => {
      // Prepare
      const { jira, key } = await world({
        deployment: 'Server',
        workflow: { statuses: [{ id: '1', name: 'Open', category: 'new' }, { id: '6', name: 'Closed', category: 'done' }], transitions: [{ id: '2', name: 'Close', from: ['1'], to: '6', screen: { resolution: 'optional' } }] },
      });

      // Act
      const [close] = await jira.listTransitions(key);

      // Assess
      expect(close?.resolution?.required).toBe(false);
    });
  });

  describe('Method: transition', () => {
    it('moves a Cloud issue with the transition id alone (204); the workflow sets the resolution', async () => {
      // Prepare
      const { fake, jira, key } = await world();

      // Act
      await jira.transition(key, '31');

      // Assess
      expect(fake.findIssue(key)).toMatchObject({ status: { name: 'Done' }, resolution: { name: 'Done' } });
      expect(requestsTo(fake, 'POST', `/issue/${key}/transitions`)[0]?.body).toEqual({ transition: { id: '31' } });
      expect(fake.validationErrors).toEqual([]);
    });

    it('resolves a Data Center issue with the resolution on the transition screen, by name or by id', async () => {
      // Prepare
      const { fake, jira, key } = await world({ deployment: 'Server' });

      // Act
      await jira.transition(key, '5', { resolution: { name: 'Fixed' } });
      await jira.transition(key, '3');
      await jira.transition(key, '5', { resolution: { id: '3' } });

      // Assess
      expect(fake.findIssue(key)).toMatchObject({ status: { name: 'Done' }, resolution: { name: 'Duplicate' } });
      expect(requestsTo(fake, 'POST', `/issue/${key}/transitions`)[0]?.body).toEqual({ transition: { id: '5' }, fields: { resolution: { name: 'Fixed' } } });
      expect(fake.validationErrors).toEqual([]);
    });

    it('explains a missing required resolution: the transition, Jira\'s words, sync.stateMap.resolution and the choices', async () => {
      // Prepare
      const { jira, key } = await world({ deployment: 'Server' });
      await jira.listTransitions(key);

      // Act
      const error = await rejection(jira.transition(key, '5'));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(400);
      expect(error.message).toContain(`Jira refused transition 5 ("Resolve Issue" -> Done, category done) of ${key} (HTTP 400)`);
      expect(error.message).toContain("set sync.stateMap.resolution to one of: Fixed, Won't Fix, Duplicate");
      expect(error.message).toContain('Jira said: resolution: Resolution is required.');
    });

    it('explains a resolution Jira refuses because the screen has none', async () => {
      // Prepare
      const { jira, key } = await world();

      // Act
      const error = await rejection(jira.transition(key, '31', { resolution: { name: 'Done' } }));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('the transition screen has no resolution field');
      expect(error.message).toContain("Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown.");
    });

    it('makes a transition Jira no longer offers (the issue moved meanwhile) retryable, and changes nothing', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      await jira.listTransitions(key);
      fake.actAs('Ana Lima').transition(key, 'Done');

      // Act
      const error = await rejection(jira.transition(key, '31'));

      // Assess
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as RetryableError).notApplied).toBe(true);
      expect((error as RetryableError).retryAfterMs).toBeGreaterThan(0);
      expect(error.message).toContain(`Jira refused transition 31 ("Done" -> Done, category done) of ${key} (HTTP 400): the issue is no longer in a status this transition starts from`);
      expect(error.message).toContain("Transition id '31' is not valid for this issue.");
    });

    it('does not repeat a transition in-process after a 500: the caller re-reads the issue first', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      fake.failNext({ status: 500, path: /\/transitions$/, method: 'POST' });

      // Act
      const error = await rejection(jira.transition(key, '31'));

      // Assess
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as RetryableError).notApplied).toBe(false);
      expect(requestsTo(fake, 'POST', `/issue/${key}/transitions`)).toHaveLength(1);
    });

    it('repeats a transition refused with 429 (Jira did nothing), then succeeds', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      fake.failNext({ status: 429, retryAfter: '0', path: /\/transitions$/, method: 'POST' });

      // Act
      await jira.transition(key, '31');

      // Assess
      expect(requestsTo(fake, 'POST', `/issue/${key}/transitions`)).toHaveLength(2);
      expect(fake.findIssue(key)?.status.name).toBe('Done');
    });

    it('explains a missing Transition Issues permission', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      fake.failNext({ status: 403, path: /\/transitions$/, method: 'POST' });

      // Act
      const error = await rejection(jira.transition(key, '31'));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('needs the Transition Issues permission');
    });
  });

  describe('Method: assign', () => {
    it('assigns on Cloud with {"accountId"} and unassigns with {"accountId": null}', async () => {
      // Prepare
      const { fake, jira, key } = await world();

      // Act
      await jira.assign(key, { accountId: ANA_CLOUD });
      const assigned = fake.findIssue(key)?.assignee?.accountId;
      await jira.assign(key, null);

      // Assess
      expect(assigned).toBe(ANA_CLOUD);
      expect(fake.findIssue(key)?.assignee).toBeNull();
      expect(requestsTo(fake, 'PUT', `/issue/${key}/assignee`).map((r) => r.body)).toEqual([{ accountId: ANA_CLOUD }, { accountId: null }]);
      expect(fake.validationErrors).toEqual([]);
    });

    it('assigns on Data Center with {"name"} and unassigns with {"name": null}', async () => {
      // Prepare
      const { fake, jira, key } = await world({ deployment: 'Server' });

      // Act
      await jira.assign(key, { name: 'ana' });
      const assigned = fake.findIssue(key)?.assignee?.key;
      await jira.assign(key, null);

      // Assess
      expect(assigned).toBe('JIRAUSER10100');
      expect(fake.findIssue(key)?.assignee).toBeNull();
      expect(requestsTo(fake, 'PUT', `/issue/${key}/assignee`).map((r) => r.body)).toEqual([{ name: 'ana' }, { name: null }]);
      expect(fake.validationErrors).toEqual([]);
    });

    it('repeats an assignment in-process after a 500 (assigning twice is harmless)', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      fake.failNext({ status: 500, path: /\/assignee$/ });

      // Act
      await jira.assign(key, { accountId: ANA_CLOUD });

      // Assess
      expect(requestsTo(fake, 'PUT', `/issue/${key}/assignee`)).toHaveLength(2);
      expect(fake.findIssue(key)?.assignee?.displayName).toBe('Ana Lima');
    });

    it.each([
      ['Cloud', { accountId: 'gone-account' }, 'accountId gone-account', "User 'gone-account' does not exist."],
      ['Server', { name: 'jdoe' }, 'username jdoe', "User 'jdoe' does not exist."],
    ] as const)('explains an unknown user on %s: the user, Jira\'s words and sync.users', async (deployment, user, described, words) => {
      // Prepare
      const { jira, key } = await world({ deployment });

      // Act
      const error = await rejection(jira.assign(key, user));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).status).toBe(400);
      expect(error.message).toContain(`Jira refused to assign ${key} to ${described} (HTTP 400)`);
      expect(error.message).toContain('check sync.users');
      expect(error.message).toContain(words);
    });

    it('refuses a username on Cloud before asking Jira', async () => {
      // Prepare
      const { fake, jira, key } = await world();

      // Act
      const error = await rejection(jira.assign(key, { name: 'ana' }));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('Cloud identifies users by accountId');
      expect(error.message).toContain('sync.users');
      expect(requestsTo(fake, 'PUT', '/assignee')).toHaveLength(0);
    });

    it('explains a missing Assign Issues permission', async () => {
      // Prepare
      const { fake, jira, key } = await world();
      fake.failNext({ status: 403, path: /\/assignee$/ });

      // Act
      const error = await rejection(jira.assign(key, { accountId: ANA_CLOUD }));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('needs the Assign Issues permission');
    });
  });

  describe('Method: findUsersByEmail', () => {
    it('finds a Cloud user by visible e-mail with query=, case-insensitively', async () => {
      // Prepare
      const { fake, jira } = await world();

      // Act
      const users = await jira.findUsersByEmail('Ana@Example.com');

      // Assess
      expect(users).toEqual([{ accountId: ANA_CLOUD, displayName: 'Ana Lima', emailAddress: 'ana@example.com', active: true }]);
      expect(requestsTo(fake, 'GET', '/user/search')[0]?.query).toEqual({ query: 'Ana@Example.com', maxResults: '50' });
      expect(fake.validationErrors).toEqual([]);
    });

    it('never guesses a Cloud user whose e-mail is hidden, although Jira matched it', async () => {
      // Prepare
      const { fake, jira } = await world();

      // Act
      const users = await jira.findUsersByEmail('harper@example.com');

      // Assess
      expect(users).toEqual([]);
      const answered = fake.users.find((u) => u.displayName === 'Harper Quinn');
      expect(answered?.hideEmail).toBe(true);
    });

    it('keeps only exact e-mails, not prefix matches', async () => {
      // Prepare
      const { jira } = await world({ users: [{ displayName: 'Sandbox Bot', emailAddress: 'bot@example.com' }, { accountId: 'a-1', displayName: 'Ana Lima', emailAddress: 'ana@example.com.au' }] });

      // Act
      const users = await jira.findUsersByEmail('ana@example.com');

      // Assess
      expect(users).toEqual([]);
    });

    it('finds a Data Center user with username=, name and key included', async () => {
      // Prepare
      const { fake, jira } = await world({ deployment: 'Server' });

      // Act
      const users = await jira.findUsersByEmail('harper@example.com');

      // Assess
      expect(users).toEqual([{ name: 'harper', key: 'JIRAUSER10101', displayName: 'Harper Quinn', emailAddress: 'harper@example.com', active: true }]);
      expect(requestsTo(fake, 'GET', '/user/search')[0]?.query).toEqual({ username: 'harper@example.com', maxResults: '50' });
      expect(fake.validationErrors).toEqual([]);
    });

    it('turns a rate-limited user search into RetryableError after its short retries', async () => {
      // Prepare
      const { fake, jira } = await world();
      fake.failNext({ status: 429, retryAfter: '30', path: /\/user\/search$/ });

      // Act
      const error = await rejection(jira.findUsersByEmail('ana@example.com'));

      // Assess
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as RetryableError).retryAfterMs).toBeGreaterThanOrEqual(30_000);
    });

    it('explains a refused search with the permission and sync.userLookup', async () => {
      // Prepare
      const { fake, jira } = await world();
      fake.failNext({ status: 403, path: /\/user\/search$/ });

      // Act
      const error = await rejection(jira.findUsersByEmail('ana@example.com'));

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('Browse users and groups');
      expect(error.message).toContain('sync.userLookup');
    });
  });
});
