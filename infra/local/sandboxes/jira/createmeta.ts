/**
 * `GET issue/createmeta/{project}/issuetypes[/{id}]` (reference sections 2.2-2.3): Cloud pages carry `issueTypes`
 * or `fields`; Server/DC pages carry `values` and `isLast`. Data Center before 8.4 has only the old bulk form
 * (`issue/createmeta?expand=projects.issuetypes.fields`, section 2.1), which 9.0 removed and Cloud no longer serves.
 */
import { PRIORITIES } from './field-values.ts';
import { FieldCatalogue, isVersionField, type FieldDef } from './fields.ts';
import type { IssueTypeScreen } from './projects.ts';
import { renderIssueVersion } from './versions.ts';
import type { FakeIssueType, FakeProject, FakeVersion, JiraDeploymentType } from './types.ts';

export const CREATEMETA_MAX_RESULTS = 200;

export interface Page {
  startAt: number;
  maxResults: number;
}

/** startAt/maxResults from the query; a string error for Jira's 400 when out of range. */
export function parsePage(query: Record<string, string | string[]>, limit: number): Page | string {
  const startAt = query.startAt === undefined ? 0 : Number(query.startAt);
  const maxResults = query.maxResults === undefined ? 50 : Number(query.maxResults);
  if (!Number.isInteger(startAt) || startAt < 0) return "Parameter 'startAt' must be a non-negative integer.";
  if (!Number.isInteger(maxResults) || maxResults < 0) return "Parameter 'maxResults' must be a non-negative integer.";
  if (maxResults > limit) return `Parameter 'maxResults' must not exceed the limit '${limit}'`;
  return { startAt, maxResults };
}

function page<T>(items: T[], { startAt, maxResults }: Page, key: string, deployment: JiraDeploymentType): Record<string, unknown> {
  const slice = items.slice(startAt, startAt + maxResults);
  if (deployment === 'Server') {
    return { maxResults, startAt, total: items.length, isLast: startAt + slice.length >= items.length, values: slice };
  }
  return { maxResults, startAt, total: items.length, [key]: slice };
}

export function renderIssueType(issueType: FakeIssueType, apiUrl: string, siteUrl: string): Record<string, unknown> {
  return {
    self: `${apiUrl}issuetype/${issueType.id}`,
    id: issueType.id,
    description: `A ${issueType.name.toLowerCase()} issue.`,
    iconUrl: `${siteUrl}/images/icons/issuetypes/${issueType.name.toLowerCase()}.png`,
    name: issueType.name,
    untranslatedName: issueType.name,
    subtask: false,
    hierarchyLevel: 0,
  };
}

export function issueTypesPage(project: FakeProject, pageSpec: Page, deployment: JiraDeploymentType, apiUrl: string, siteUrl: string): Record<string, unknown> {
  return page(project.issueTypes.map((t) => renderIssueType(t, apiUrl, siteUrl)), pageSpec, 'issueTypes', deployment);
}

/**
 * The create screen's fields. Version fields offer the project's versions that are not archived [GUESS: Jira's
 * pickers hide archived versions; the reference only says allowed values are whole version objects].
 */
export function fieldsPage(project: FakeProject, screen: IssueTypeScreen, pageSpec: Page, deployment: JiraDeploymentType, apiUrl: string, siteUrl: string, versions: FakeVersion[]): Record<string, unknown> {
  const selectable = versions.filter((v) => !v.archived).map((v) => renderIssueVersion(v, apiUrl));
  const entries = screen.fields.map((field) => fieldMeta(field, project, screen, apiUrl, siteUrl, selectable));
  return page(entries, pageSpec, 'fields', deployment);
}

/**
 * The old bulk form, `GET issue/createmeta?projectKeys=&issuetypeNames=&expand=projects.issuetypes.fields` (reference
 * section 2.1): every project asked for (all the user may create in when none is named), each issue type with its
 * create screen keyed by field id when `expand` asks for fields.
 */
export function legacyCreateMeta(
  projects: { project: FakeProject; screens: IssueTypeScreen[]; versions: FakeVersion[] }[],
  query: Record<string, string | string[]>,
  apiUrl: string,
  siteUrl: string,
): Record<string, unknown> {
  const list = (name: string) => [query[name] ?? []].flat().flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  const keys = list('projectKeys').map((key) => key.toUpperCase());
  const ids = list('projectIds');
  const typeNames = list('issuetypeNames');
  const typeIds = list('issuetypeIds');
  const withFields = [query.expand ?? []].flat().some((value) => value.split(',').includes('projects.issuetypes.fields'));
  const chosen = projects.filter(({ project }) => (keys.length === 0 && ids.length === 0) || keys.includes(project.key.toUpperCase()) || ids.includes(project.id));
  return {
    expand: 'projects',
    projects: chosen.map(({ project, screens, versions }) => ({
      self: `${apiUrl}project/${project.id}`,
      id: project.id,
      key: project.key,
      name: project.name ?? project.key,
      issuetypes: screens
        .filter((screen) => (typeNames.length === 0 && typeIds.length === 0) || typeNames.includes(screen.issueType.name) || typeIds.includes(screen.issueType.id))
        .map((screen) => {
          const selectable = versions.filter((v) => !v.archived).map((v) => renderIssueVersion(v, apiUrl));
          return {
            ...renderIssueType(screen.issueType, apiUrl, siteUrl),
            ...(withFields ? { expand: 'fields', fields: Object.fromEntries(screen.fields.map((field) => [field.id, fieldMeta(field, project, screen, apiUrl, siteUrl, selectable)])) } : {}),
          };
        }),
    })),
  };
}

function fieldMeta(field: FieldDef, project: FakeProject, screen: IssueTypeScreen, apiUrl: string, siteUrl: string, versions: Record<string, unknown>[]): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    required: screen.required.has(field.id),
    schema: field.schema,
    name: field.name,
    fieldId: field.id,
    key: field.id,
    hasDefaultValue: field.id === 'priority',
    operations: field.schema.type === 'array' ? ['add', 'set', 'remove'] : ['set'],
  };
  if (field.id === 'project') {
    meta.allowedValues = [{ self: `${apiUrl}project/${project.id}`, id: project.id, key: project.key, name: project.name ?? project.key, projectTypeKey: 'software' }];
  } else if (field.id === 'issuetype') {
    meta.allowedValues = [renderIssueType(screen.issueType, apiUrl, siteUrl)];
  } else if (field.id === 'priority') {
    meta.allowedValues = PRIORITIES.map((p) => ({ self: `${apiUrl}priority/${p.id}`, ...p }));
    meta.defaultValue = { self: `${apiUrl}priority/3`, id: '3', name: 'Medium' };
  } else if (isVersionField(field)) {
    meta.allowedValues = versions;
  } else if (field.id === 'components') {
    meta.allowedValues = [];
  } else if (field.allowedValues) {
    meta.allowedValues = field.allowedValues.map((value) => {
      const id = FieldCatalogue.optionId(field, value)!;
      return { self: `${apiUrl}customFieldOption/${id}`, value, id };
    });
  }
  if (field.schema.type === 'user') meta.autoCompleteUrl = `${apiUrl}user/search?query=`;
  return meta;
}
