/**
 * `POST /rest/api/2/issue` validation, in the order and with the messages Jira uses (reference sections 1.1-1.4):
 * project, then issue type and summary, then every given field against the create screen and its schema, then the
 * issue type's required fields. Every problem is reported at once, keyed by field id. Version fields must name
 * versions of the project (`version-fields.ts`); the issue keeps the versions themselves.
 */
import { checkFieldValue, isEmptyValue } from './field-values.ts';
import { isVersionField, type FieldCatalogue } from './fields.ts';
import type { ProjectDirectory } from './projects.ts';
import { resolveVersionValue, storedVersions } from './version-fields.ts';
import type { VersionCatalogue } from './versions.ts';
import type { FakeIssueType, FakeProject, JiraDeploymentType } from './types.ts';

export const SUMMARY_MAX = 254;

export type CreateOutcome =
  | { ok: true; project: FakeProject; issueType: FakeIssueType; fields: Record<string, unknown> }
  | { ok: false; errorMessages: string[]; errors: Record<string, string> };

interface Context {
  catalogue: FieldCatalogue;
  projects: ProjectDirectory;
  versions: VersionCatalogue;
  deployment: JiraDeploymentType;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function validateCreate(body: unknown, ctx: Context): CreateOutcome {
  if (!isObject(body)) return { ok: false, errorMessages: ['Can not deserialize the request body: a JSON object is expected.'], errors: {} };
  const merged = mergeUpdate(body);
  if (!merged.ok) return merged;
  const fields = merged.fields;
  const errors: Record<string, string> = {};

  const project = findProject(fields.project, ctx.projects);
  if (!project) {
    errors.project = 'Specify a valid project ID or key';
    return { ok: false, errorMessages: [], errors };
  }

  const issueType = findIssueType(fields.issuetype, project);
  if (issueType === 'missing') errors.issuetype = 'Specify an issue type';
  else if (issueType === undefined) errors.issuetype = 'Specify a valid issue type';

  const summaryProblem = checkSummary(fields.summary);
  if (summaryProblem) errors.summary = summaryProblem;

  if (typeof issueType === 'object') {
    const screen = ctx.projects.screen(project, issueType.id)!;
    for (const [id, value] of Object.entries(fields)) {
      if (id === 'project' || id === 'issuetype' || id === 'summary') continue;
      const field = screen.fields.find((f) => f.id === id);
      if (!field) {
        errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
        continue;
      }
      const problem = checkFieldValue(field, value, ctx.deployment);
      if (problem) errors[id] = problem;
      else if (isVersionField(field)) {
        const resolved = resolveVersionValue(field, value, project, ctx.versions);
        if (resolved.ok) fields[id] = storedVersions(field, resolved.versions);
        else errors[id] = resolved.error;
      }
    }
    for (const id of screen.required) {
      if (id === 'project' || id === 'issuetype' || id === 'summary' || errors[id]) continue;
      if (isEmptyValue(fields[id])) errors[id] = `${ctx.catalogue.byId(id)?.name ?? id} is required.`;
    }
  }

  if (Object.keys(errors).length > 0 || typeof issueType !== 'object') return { ok: false, errorMessages: [], errors };
  return { ok: true, project, issueType, fields };
}

function findProject(value: unknown, projects: ProjectDirectory): FakeProject | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.id === 'string' || typeof value.id === 'number') return projects.projects.find((p) => p.id === String(value.id));
  if (typeof value.key === 'string') return projects.find(value.key);
  return undefined;
}

function findIssueType(value: unknown, project: FakeProject): FakeIssueType | 'missing' | undefined {
  if (value === undefined || value === null) return 'missing';
  if (!isObject(value)) return undefined;
  if (typeof value.id === 'string' || typeof value.id === 'number') return project.issueTypes.find((t) => t.id === String(value.id));
  if (typeof value.name === 'string') return project.issueTypes.find((t) => t.name.toLowerCase() === (value.name as string).toLowerCase());
  return 'missing';
}

/** The summary rules, shared by create and edit. */
export function checkSummary(value: unknown): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return 'You must specify a summary of the issue.';
  if (typeof value !== 'string') return 'Operation value must be a string';
  if (/[\r\n]/.test(value)) return 'The summary is invalid because it contains newline characters.';
  if (value.length > SUMMARY_MAX) return 'Summary must be less than 255 characters.';
  return undefined;
}

/**
 * Folds `update: {field: [{set|add: v}]}` into `fields`, as Jira applies both on create. A field may not be in both.
 */
function mergeUpdate(body: Record<string, unknown>): { ok: true; fields: Record<string, unknown> } | Extract<CreateOutcome, { ok: false }> {
  const fields: Record<string, unknown> = isObject(body.fields) ? { ...body.fields } : {};
  if (body.update === undefined) return { ok: true, fields };
  if (!isObject(body.update)) return { ok: false, errorMessages: ["Can not deserialize 'update': an object is expected."], errors: {} };
  const errors: Record<string, string> = {};
  for (const [id, operations] of Object.entries(body.update)) {
    if (id in fields) {
      errors[id] = `Field '${id}' cannot be set in both 'fields' and 'update'.`; // message chosen by the fake
      continue;
    }
    if (!Array.isArray(operations)) {
      errors[id] = 'data was not an array';
      continue;
    }
    for (const operation of operations) {
      if (!isObject(operation)) continue;
      if ('set' in operation) fields[id] = operation.set;
      else if ('add' in operation) fields[id] = [...(Array.isArray(fields[id]) ? (fields[id] as unknown[]) : []), operation.add];
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errorMessages: [], errors } : { ok: true, fields };
}
