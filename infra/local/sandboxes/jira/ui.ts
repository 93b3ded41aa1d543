/**
 * A person using Jira's UI, for the sandbox's users (the local stack and the tests): each action goes through the same workflow rules and
 * change log as the REST API, so it bumps `updated` and fires the same webhooks. Mistakes a UI would not let a
 * person make (a status with no transition from here, an unknown user) throw.
 */
import { isVersionField, type FieldCatalogue, type FieldDef } from './fields.ts';
import type { IssueChanges } from './issue-changes.ts';
import type { IssueStore } from './issue-store.ts';
import type { ProjectDirectory } from './projects.ts';
import type { UserDirectory } from './users.ts';
import { resolveVersionValue, storedVersions } from './version-fields.ts';
import type { VersionCatalogue } from './versions.ts';
import type { Workflow } from './workflow.ts';
import type { FakeIssue, FakeProject, FakeUser, FakeUserRef, JiraUiSession } from './types.ts';

export interface UiContext {
  store: IssueStore;
  projects: ProjectDirectory;
  versions: VersionCatalogue;
  catalogue: FieldCatalogue;
  users: UserDirectory;
  workflow: Workflow;
  changes: IssueChanges;
}

export function uiSession(context: UiContext, actorRef: FakeUserRef): JiraUiSession {
  const { store, projects, versions, catalogue, users, workflow, changes } = context;
  const actor = user(users, actorRef);
  const issue = (key: string): FakeIssue => {
    const found = store.find(key);
    if (!found) throw new Error(`Jira fake: no issue ${key}`);
    return found;
  };

  // A person picks versions from the project's list: a name that is not on it is a mistake in the test.
  const versionsOf = (project: FakeProject, field: FieldDef, value: unknown): unknown => {
    const resolved = resolveVersionValue(field, value, project, versions);
    if (!resolved.ok) throw new Error(`Jira fake: ${project.key}: ${resolved.error} (it has ${versions.of(project).map((v) => v.name).join(', ') || 'no versions'})`);
    return storedVersions(field, resolved.versions);
  };
  const projectVersions = (target: FakeIssue, field: FieldDef, value: unknown): unknown => versionsOf(store.projectOf(target), field, field.schema.type === 'array' ? value : ((value as unknown[])[0] ?? null));

  return {
    transition(key, statusName, options = {}) {
      const target = issue(key);
      const status = workflow.statusByName(statusName);
      if (!status) throw new Error(`Jira fake: the workflow has no status '${statusName}' (it has ${workflow.statuses.map((s) => s.name).join(', ')})`);
      const transition = workflow.available(target.status).find((t) => t.to === status.id);
      if (!transition) throw new Error(`Jira fake: ${target.key} is in '${target.status.name}'; no transition leads from there to '${status.name}'`);
      let resolution;
      if (transition.screen?.resolution) {
        const name = options.resolution ?? (transition.screen.resolution === 'required' ? workflow.resolutions[0]?.name : undefined);
        resolution = name === undefined ? undefined : workflow.resolution({ name });
        if (name !== undefined && !resolution) throw new Error(`Jira fake: no resolution '${name}'`);
      } else if (options.resolution !== undefined) {
        throw new Error(`Jira fake: transition '${transition.name}' has no resolution on its screen`);
      }
      changes.transition(target, transition, resolution, actor, Date.now());
      return target;
    },

    assign(key, assigneeRef) {
      const target = issue(key);
      const assignee = assigneeRef === null ? null : user(users, assigneeRef);
      if (assignee?.active === false) throw new Error(`Jira fake: ${assignee.displayName} is inactive and cannot be assigned issues`);
      changes.assign(target, assignee, actor, Date.now());
      return target;
    },

    comment(key, text) {
      const target = issue(key);
      changes.comment(target, text, actor, Date.now());
      return target;
    },

    setFixVersions(key, versionNames, options = {}) {
      const target = issue(key);
      const field = catalogue.byIdOrName(options.field ?? 'fixVersions');
      if (!field || !isVersionField(field)) throw new Error(`Jira fake: '${options.field}' is not a version field`);
      if (field.schema.type !== 'array' && versionNames.length > 1) throw new Error(`Jira fake: ${field.name} holds one version, not ${versionNames.length}`);
      const value = projectVersions(target, field, versionNames.map((name) => ({ name })));
      changes.edit(target, [{ field, value }], actor, Date.now());
      return target;
    },

    addVersion(projectKey, spec) {
      const project = projects.find(projectKey);
      if (!project) throw new Error(`Jira fake: no project ${projectKey}`);
      const outcome = versions.create(project, spec);
      if (!outcome.ok) throw new Error(`Jira fake: ${project.key} cannot have version '${spec.name}': ${Object.values(outcome.errors)[0]}`);
      return outcome.version;
    },

    createIssue(fields = {}) {
      const { projectKey, ...rest } = fields;
      const project = projectKey === undefined ? projects.projects[0] : projects.find(projectKey);
      if (!project) throw new Error(`Jira fake: no project ${String(projectKey)}`);
      for (const field of catalogue.all) {
        if (isVersionField(field) && rest[field.id] !== undefined) rest[field.id] = versionsOf(project, field, rest[field.id]);
      }
      const created = store.create(project, project.issueTypes[0]!, { summary: 'Created in Jira', ...rest }, Date.now());
      changes.created(created, actor);
      return created;
    },

    deleteIssue(key) {
      changes.delete(issue(key), actor, Date.now());
    },

    moveIssue(key, newProjectKey) {
      const target = issue(key);
      const project = projects.find(newProjectKey);
      if (!project) throw new Error(`Jira fake: no project ${newProjectKey}`);
      if (project.key === target.projectKey) throw new Error(`Jira fake: ${target.key} is already in ${project.key}`);
      changes.move(target, project, actor, Date.now());
      return target;
    },
  };
}

function user(users: UserDirectory, ref: FakeUserRef): FakeUser {
  const found = users.resolve(ref);
  if (!found) throw new Error(`Jira fake: no user ${typeof ref === 'string' ? `'${ref}'` : JSON.stringify(ref)} on this site`);
  return found;
}
