/**
 * Projects, issue types and their create screens: which fields an issue type can set and which it requires.
 */
import type { FieldCatalogue, FieldDef } from './fields.ts';
import type { FakeIssueType, FakeProject } from './types.ts';

/** Jira puts these on every create screen and requires them. */
const ALWAYS_REQUIRED = ['project', 'issuetype', 'summary'];

export interface IssueTypeScreen {
  issueType: FakeIssueType;
  /** Settable fields, in display order. */
  fields: FieldDef[];
  required: Set<string>;
}

export class ProjectDirectory {
  readonly projects: FakeProject[];
  readonly #screens = new Map<string, IssueTypeScreen>();

  constructor(projects: FakeProject[], catalogue: FieldCatalogue) {
    this.projects = projects;
    for (const project of projects) {
      for (const issueType of project.issueTypes) {
        this.#screens.set(`${project.id}/${issueType.id}`, buildScreen(project, issueType, catalogue));
      }
    }
  }

  /** By id or key; Jira matches keys case-insensitively. */
  find(idOrKey: string): FakeProject | undefined {
    return this.projects.find((p) => p.id === idOrKey || p.key.toUpperCase() === idOrKey.toUpperCase());
  }

  /** Project by name as well, for JQL (`project = "Crash reports"`). */
  findForJql(value: string): FakeProject | undefined {
    return this.find(value) ?? this.projects.find((p) => (p.name ?? p.key).toLowerCase() === value.toLowerCase());
  }

  screen(project: FakeProject, issueTypeId: string): IssueTypeScreen | undefined {
    return this.#screens.get(`${project.id}/${issueTypeId}`);
  }
}

function buildScreen(project: FakeProject, issueType: FakeIssueType, catalogue: FieldCatalogue): IssueTypeScreen {
  const resolve = (ref: string): FieldDef => {
    const field = catalogue.byIdOrName(ref);
    if (!field) throw new Error(`Jira fake: issue type ${project.key}/${issueType.name} names unknown field '${ref}'`);
    return field;
  };
  const required = new Set([...ALWAYS_REQUIRED, ...(issueType.requiredFields ?? []).map((ref) => resolve(ref).id)]);
  const onScreen = issueType.screenFields
    ? new Set([...ALWAYS_REQUIRED, ...issueType.screenFields.map((ref) => resolve(ref).id), ...required])
    : undefined;
  const fields = catalogue.all.filter((f) => f.orderable && (onScreen === undefined || onScreen.has(f.id)));
  return { issueType, fields, required };
}
