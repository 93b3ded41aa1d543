/**
 * The field catalogue: Jira's system fields plus the configured custom fields, in the shape `GET /field` returns
 * (reference section 2.5). Names differ between Cloud and Server ("Fix versions" vs "Fix Version/s").
 */
import type { FakeField, JiraDeploymentType } from './types.ts';

export interface FieldDef {
  id: string;
  name: string;
  custom: boolean;
  /** Can be set on create (Jira's `orderable`); status, created and updated cannot. */
  orderable: boolean;
  clauseNames: string[];
  schema: { type: string; items?: string; system?: string; custom?: string; customId?: number };
  allowedValues?: string[];
  /** Longest text Jira accepts for this field, when it is text. */
  maxLength?: number;
}

const TEXTAREA_LIMIT = 32_767;
const TEXTFIELD_LIMIT = 255;

function systemFields(deployment: JiraDeploymentType): FieldDef[] {
  const cloud = deployment === 'Cloud';
  const system = (id: string, name: string, schema: FieldDef['schema'], clauseNames: string[] = [id], extra: Partial<FieldDef> = {}): FieldDef => ({
    id,
    name,
    custom: false,
    orderable: true,
    clauseNames,
    schema: { ...schema, system: id },
    ...extra,
  });
  return [
    system('summary', 'Summary', { type: 'string' }),
    system('description', 'Description', { type: 'string' }, ['description'], { maxLength: TEXTAREA_LIMIT }),
    system('environment', 'Environment', { type: 'string' }, ['environment'], { maxLength: TEXTAREA_LIMIT }),
    system('labels', 'Labels', { type: 'array', items: 'string' }, ['labels']),
    system('issuetype', 'Issue Type', { type: 'issuetype' }, ['issuetype', 'type']),
    system('project', 'Project', { type: 'project' }, ['project']),
    system('fixVersions', cloud ? 'Fix versions' : 'Fix Version/s', { type: 'array', items: 'version' }, ['fixVersion']),
    system('versions', cloud ? 'Affects versions' : 'Affects Version/s', { type: 'array', items: 'version' }, ['affectedVersion']),
    system('components', cloud ? 'Components' : 'Component/s', { type: 'array', items: 'component' }, ['component']),
    system('assignee', 'Assignee', { type: 'user' }, ['assignee']),
    system('reporter', 'Reporter', { type: 'user' }, ['reporter']),
    system('priority', 'Priority', { type: 'priority' }, ['priority']),
    system('status', 'Status', { type: 'status' }, ['status'], { orderable: false }),
    system('created', 'Created', { type: 'datetime' }, ['created', 'createdDate'], { orderable: false }),
    system('updated', 'Updated', { type: 'datetime' }, ['updated', 'updatedDate'], { orderable: false }),
  ];
}

const CUSTOM_TYPE_PREFIX = 'com.atlassian.jira.plugin.system.customfieldtypes:';

/** The Jira custom field type a schema most likely comes from, when the test did not name one. */
function defaultCustomType(schema: FakeField['schema']): string {
  if (schema.type === 'array') {
    if (schema.items === 'option') return 'multiselect';
    if (schema.items === 'string') return 'labels';
    if (schema.items === 'version') return 'multiversion';
    if (schema.items === 'user') return 'multiuserpicker';
    return 'multiselect';
  }
  const byType: Record<string, string> = {
    string: 'textfield',
    number: 'float',
    option: 'select',
    date: 'datepicker',
    datetime: 'datetime',
    user: 'userpicker',
    version: 'version',
    project: 'project',
    'option-with-child': 'cascadingselect',
  };
  return byType[schema.type] ?? 'textfield';
}

function customField(field: FakeField): FieldDef {
  const customId = Number(/^customfield_(\d+)$/.exec(field.id)?.[1] ?? NaN);
  const custom = field.schema.custom ?? CUSTOM_TYPE_PREFIX + defaultCustomType(field.schema);
  const textLimit = custom.endsWith(':textarea') ? TEXTAREA_LIMIT : custom.endsWith(':textfield') ? TEXTFIELD_LIMIT : undefined;
  return {
    id: field.id,
    name: field.name,
    custom: true,
    orderable: true,
    clauseNames: Number.isFinite(customId) ? [`cf[${customId}]`, field.name] : [field.name],
    schema: {
      type: field.schema.type,
      ...(field.schema.items ? { items: field.schema.items } : {}),
      custom,
      ...(Number.isFinite(customId) ? { customId } : {}),
    },
    ...(field.allowedValues ? { allowedValues: field.allowedValues } : {}),
    ...(textLimit && field.schema.type === 'string' ? { maxLength: textLimit } : {}),
  };
}

export class FieldCatalogue {
  readonly all: FieldDef[];
  readonly #byId = new Map<string, FieldDef>();

  constructor(deployment: JiraDeploymentType, custom: FakeField[]) {
    const system = systemFields(deployment);
    for (const field of custom) {
      if (system.some((s) => s.id === field.id)) throw new Error(`Jira fake: custom field id '${field.id}' clashes with a system field`);
    }
    this.all = [...system, ...custom.map(customField)];
    for (const field of this.all) this.#byId.set(field.id, field);
  }

  byId(id: string): FieldDef | undefined {
    return this.#byId.get(id);
  }

  /** By id, else by (case-insensitive) name: for test configuration only; Jira's create API takes ids. */
  byIdOrName(ref: string): FieldDef | undefined {
    return this.#byId.get(ref) ?? this.all.find((f) => f.name.toLowerCase() === ref.toLowerCase());
  }

  /** Option id Jira would give the n-th allowed value of a field (stable, so tests can send `{id}`). */
  static optionId(field: FieldDef, value: string): string | undefined {
    const index = field.allowedValues?.indexOf(value) ?? -1;
    if (index < 0) return undefined;
    return String((field.schema.customId ?? 10_000) * 10 + index);
  }
}

/** A field whose values are project versions: fixVersions, versions, and version-picker custom fields. */
export const isVersionField = (field: FieldDef): boolean => field.schema.type === 'version' || (field.schema.type === 'array' && field.schema.items === 'version');

/** `GET /rest/api/2/field` entry. Cloud adds `key` and `untranslatedName`. */
export function renderField(field: FieldDef, deployment: JiraDeploymentType): Record<string, unknown> {
  return {
    id: field.id,
    ...(deployment === 'Cloud' ? { key: field.id } : {}),
    name: field.name,
    ...(deployment === 'Cloud' && field.custom ? { untranslatedName: field.name } : {}),
    custom: field.custom,
    orderable: field.orderable,
    navigable: true,
    searchable: true,
    clauseNames: field.clauseNames,
    schema: field.schema,
  };
}
