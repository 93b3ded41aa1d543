/**
 * The Jira fake's workflow: issue state in GET issue, transitions per dialect (Cloud simplified, Data Center
 * classic), resolutions, and the UI helpers that change issues as a person would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startJiraFake, type JiraFake, type JiraFakeOptions } from '../../../infra/local/sandboxes/jira/jira-fake.ts';
import { call } from './support/http.ts';

const JIRA_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;
const NOT_FOUND = { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} };

const fakes: JiraFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function jiraWithIssue(options: JiraFakeOptions = {}): Promise<{ jira: JiraFake; key: string }> {
  const jira = await startJiraFake(options);
  fakes.push(jira);
  const created = await call(`${jira.apiUrl}issue`, { body: { fields: { project: { key: 'CRASH' }, issuetype: { name: 'Bug' }, summary: 'Crash' } } });
  expect(created.status).toBe(201);
  return { jira, key: created.json.key as string };
}

const transitionsOf = async (jira: JiraFake, key: string) => (await call(`${jira.apiUrl}issue/${key}/transitions?expand=transitions.fields`)).json.transitions;
const stateOf = async (jira: JiraFake, key: string) => (await call(`${jira.apiUrl}issue/${key}?fields=status,assignee,resolution,updated,created,project`)).json;
const postTransition = (jira: JiraFake, key: string, body: unknown) => call(`${jira.apiUrl}issue/${key}/transitions`, { body });

describe('Jira fake: issue state and workflow', () => {
  describe('GET issue', () => {
    it('shows a new issue in To Do, unassigned, unresolved, with Jira-formatted times', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();

      // Act
      const issue = await stateOf(jira, key);

      // Assess
      expect(issue).toMatchObject({ id: expect.any(String), key, self: `${jira.apiUrl}issue/${issue.id}` });
      expect(Object.keys(issue.fields).sort()).toEqual(['assignee', 'created', 'project', 'resolution', 'status', 'updated']);
      expect(issue.fields.status).toMatchObject({ id: '10000', name: 'To Do', statusCategory: { id: 2, key: 'new', name: 'To Do' } });
      expect(issue.fields).toMatchObject({ assignee: null, resolution: null, project: { key: 'CRASH' } });
      expect(issue.fields.updated).toMatch(JIRA_TIME);
      expect(issue.fields.created).toMatch(JIRA_TIME);
    });

    it('answers 404 with Jira\'s ErrorCollection for an unknown issue', async () => {
      // Prepare
      const { jira } = await jiraWithIssue();

      // Act
      const answer = await call(`${jira.apiUrl}issue/CRASH-99?fields=status`);

      // Assess
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual(NOT_FOUND);
    });
  });

  describe('Cloud: the simplified workflow', () => {
    it('offers a global transition to every other status, without screens', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();

      // Act
      const transitions = await transitionsOf(jira, key);

      // Assess
      expect(transitions.map((t: { id: string; name: string; to: { id: string; statusCategory: { key: string } } }) => [t.id, t.name, t.to.id, t.to.statusCategory.key])).toEqual([
        ['21', 'In Progress', '3', 'indeterminate'],
        ['31', 'Done', '10001', 'done'],
      ]);
      expect(transitions[1]).toMatchObject({ hasScreen: false, isGlobal: true, isAvailable: true, fields: {} });
    });

    it('moves to Done with a 204, sets the resolution Done itself, and moves updated forward', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();
      const before = await stateOf(jira, key);

      // Act
      const answer = await postTransition(jira, key, { transition: { id: '31' } });

      // Assess
      expect(answer.status).toBe(204);
      const after = await stateOf(jira, key);
      expect(after.fields.status).toMatchObject({ id: '10001', statusCategory: { key: 'done' } });
      expect(after.fields.resolution).toMatchObject({ id: '10000', name: 'Done' });
      expect(Date.parse(after.fields.updated.replace('+0000', 'Z'))).toBeGreaterThan(Date.parse(before.fields.updated.replace('+0000', 'Z')));
    });

    it('clears the resolution when the issue leaves Done', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();
      await postTransition(jira, key, { transition: { id: '31' } });

      // Act
      const answer = await postTransition(jira, key, { transition: { id: '11' } });

      // Assess
      expect(answer.status).toBe(204);
      const issue = await stateOf(jira, key);
      expect(issue.fields).toMatchObject({ status: { name: 'To Do' }, resolution: null });
      expect(jira.findIssue(key)).toMatchObject({ status: { name: 'To Do' }, resolution: null, resolutionDate: null });
    });

    it('refuses the same transition again once the issue is there: the transition is no longer offered', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();
      await postTransition(jira, key, { transition: { id: '31' } });

      // Act
      const again = await postTransition(jira, key, { transition: { id: '31' } });

      // Assess
      expect(again.status).toBe(400);
      expect(again.json).toEqual({ errorMessages: ["Transition id '31' is not valid for this issue."], errors: {} });
      expect((await transitionsOf(jira, key)).map((t: { id: string }) => t.id)).toEqual(['11', '21']);
    });

    it('refuses a resolution the transition screen does not have', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();

      // Act
      const answer = await postTransition(jira, key, { transition: { id: '31' }, fields: { resolution: { name: "Won't Do" } } });

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ errorMessages: [], errors: { resolution: "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown." } });
      expect(jira.findIssue(key)?.status.name).toBe('To Do');
    });

    it('adds extra statuses with global transitions, e.g. a done status "Won\'t Fix"', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ workflow: { extraStatuses: [{ id: '10005', name: "Won't Fix", category: 'done' }] } });
      const offered = await transitionsOf(jira, key);
      const wontFix = offered.find((t: { to: { name: string } }) => t.to.name === "Won't Fix");

      // Act
      const answer = await postTransition(jira, key, { transition: { id: wontFix.id } });

      // Assess
      expect(answer.status).toBe(204);
      expect(jira.findIssue(key)).toMatchObject({ status: { id: '10005', category: 'done' }, resolution: { name: 'Done' } });
    });

    it('answers 404 for transitions of an unknown issue', async () => {
      // Prepare
      const { jira } = await jiraWithIssue();

      // Act
      const list = await call(`${jira.apiUrl}issue/CRASH-99/transitions`);
      const post = await postTransition(jira, 'CRASH-99', { transition: { id: '31' } });

      // Assess
      expect([list.status, post.status]).toEqual([404, 404]);
      expect(post.json).toEqual(NOT_FOUND);
    });
  });

  describe('Data Center: the classic workflow', () => {
    it('offers Start Progress and Resolve Issue from To Do; Resolve Issue has a required resolution on its screen', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

      // Act
      const transitions = await transitionsOf(jira, key);

      // Assess
      expect(transitions.map((t: { id: string; name: string }) => [t.id, t.name])).toEqual([
        ['4', 'Start Progress'],
        ['5', 'Resolve Issue'],
      ]);
      expect(transitions[1]).toMatchObject({ hasScreen: true, isGlobal: false, to: { id: '10001', statusCategory: { key: 'done' } } });
      expect(transitions[1].fields.resolution).toMatchObject({ required: true, operations: ['set'] });
      expect(transitions[1].fields.resolution.allowedValues.map((v: { id: string; name: string }) => [v.id, v.name])).toEqual([
        ['1', 'Fixed'],
        ['2', "Won't Fix"],
        ['3', 'Duplicate'],
      ]);
      expect(transitions[1].isLooped).toBeUndefined();
    });

    it('leaves the screen fields out without expand=transitions.fields', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

      // Act
      const answer = await call(`${jira.apiUrl}issue/${key}/transitions`);

      // Assess
      expect(answer.json.transitions[1].fields).toBeUndefined();
      expect(answer.json.transitions[1].hasScreen).toBe(true);
    });

    it('refuses Resolve Issue without a resolution, with Jira\'s field error', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

      // Act
      const answer = await postTransition(jira, key, { transition: { id: '5' } });

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ errorMessages: [], errors: { resolution: 'Resolution is required.' } });
      expect(jira.findIssue(key)?.status.name).toBe('To Do');
    });

    it('resolves with the resolution given by name or id, and Reopen Issue clears it', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

      // Act
      const resolved = await postTransition(jira, key, { transition: { id: '5' }, fields: { resolution: { name: "Won't Fix" } } });
      const whileDone = await stateOf(jira, key);
      const reopened = await postTransition(jira, key, { transition: { id: '3' } });
      const started = await postTransition(jira, key, { transition: { id: '4' } });
      const resolvedById = await postTransition(jira, key, { transition: { id: '5' }, fields: { resolution: { id: '1' } } });

      // Assess
      expect([resolved.status, reopened.status, started.status, resolvedById.status]).toEqual([204, 204, 204, 204]);
      expect(whileDone.fields.resolution).toMatchObject({ id: '2', name: "Won't Fix" });
      expect(jira.findIssue(key)).toMatchObject({ status: { name: 'Done' }, resolution: { id: '1', name: 'Fixed' } });
    });

    it('offers only Reopen Issue from Done and only Stop Progress / Resolve Issue from In Progress', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

      // Act
      await postTransition(jira, key, { transition: { id: '4' } });
      const fromInProgress = await transitionsOf(jira, key);
      await postTransition(jira, key, { transition: { id: '5' }, fields: { resolution: { name: 'Fixed' } } });
      const fromDone = await transitionsOf(jira, key);

      // Assess
      expect(fromInProgress.map((t: { name: string }) => t.name)).toEqual(['Stop Progress', 'Resolve Issue']);
      expect(fromDone.map((t: { name: string }) => t.name)).toEqual(['Reopen Issue']);
    });

    it('can be given a workflow of its own', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({
        deployment: 'Server',
        workflow: {
          statuses: [{ id: '1', name: 'Open', category: 'new' }, { id: '6', name: 'Closed', category: 'done' }],
          transitions: [{ id: '2', name: 'Close Issue', from: ['1'], to: '6', screen: { resolution: 'optional' } }],
        },
      });

      // Act
      const transitions = await transitionsOf(jira, key);
      const closed = await postTransition(jira, key, { transition: { id: '2' } });

      // Assess
      expect(transitions[0].fields.resolution.required).toBe(false);
      expect(closed.status).toBe(204);
      expect(jira.findIssue(key)).toMatchObject({ status: { name: 'Closed' }, resolution: null });
    });
  });

  describe('UI helpers (a person in Jira)', () => {
    it('transitions by status name through an available transition, picking the first resolution when one is required', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({ deployment: 'Server' });

      // Act
      jira.actAs('ana').transition(key, 'Done');

      // Assess
      expect(jira.findIssue(key)).toMatchObject({ status: { name: 'Done' }, resolution: { name: 'Fixed' } });
      expect(() => jira.actAs('ana').transition(key, 'In Progress')).toThrow(/no transition leads from there to 'In Progress'/);
    });

    it('assigns and unassigns, and refuses users the site does not have', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();

      // Act
      jira.actAs('Ana Lima').assign(key, 'harper@example.com');
      const assigned = await stateOf(jira, key);
      jira.actAs('Ana Lima').assign(key, null);

      // Assess
      expect(assigned.fields.assignee).toMatchObject({ displayName: 'Harper Quinn', accountId: expect.any(String) });
      expect(assigned.fields.assignee.emailAddress).toBeUndefined();
      expect(jira.findIssue(key)?.assignee).toBeNull();
      expect(() => jira.actAs('nobody@example.com')).toThrow(/no user 'nobody@example.com'/);
    });

    it('moves an issue to another project: a new key, the same id, the old key still resolving', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue({
        projects: [
          { id: '10000', key: 'CRASH', issueTypes: [{ id: '10004', name: 'Bug' }] },
          { id: '10001', key: 'OPS', name: 'Operations', issueTypes: [{ id: '10004', name: 'Bug' }] },
        ],
      });
      const id = jira.findIssue(key)!.id;

      // Act
      jira.actAs('Ana Lima').moveIssue(key, 'OPS');
      const byOldKey = await stateOf(jira, key);

      // Assess
      expect(byOldKey).toMatchObject({ id, key: 'OPS-1', fields: { project: { key: 'OPS' } } });
    });

    it('deletes an issue: GET answers 404 afterwards', async () => {
      // Prepare
      const { jira, key } = await jiraWithIssue();

      // Act
      jira.actAs('Ana Lima').deleteIssue(key);
      const answer = await call(`${jira.apiUrl}issue/${key}`);

      // Assess
      expect(answer.status).toBe(404);
      expect(jira.issues).toEqual([]);
    });
  });
});
