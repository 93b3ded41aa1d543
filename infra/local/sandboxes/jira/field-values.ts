/**
 * Value shapes by field schema (reference section 1.2), and the messages Jira answers a wrong shape with
 * (section 1.4 and public captures; messages the fake had to choose itself are marked).
 */
import { FieldCatalogue, isVersionField, type FieldDef } from './fields.ts';
import { renderIssueVersion } from './versions.ts';
import type { FakeVersion, JiraDeploymentType } from './types.ts';

export const PRIORITIES = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
];

const MAX_LABEL_LENGTH = 255;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** True when Jira would treat the value as "not given" for a required field. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** The error Jira would key under the field id, or undefined when the value fits the field. */
export function checkFieldValue(field: FieldDef, value: unknown, deployment: JiraDeploymentType): string | undefined {
  if (value === null) return undefined; // clearing a field is always allowed; "required" is checked separately
  const { type, items } = field.schema;
  if (type === 'array') {
    if (!Array.isArray(value)) return 'data was not an array';
    for (const item of value) {
      const problem = checkItem(field, items ?? 'string', item, deployment);
      if (problem) return problem;
    }
    return undefined;
  }
  return checkItem(field, type, value, deployment);
}

function checkItem(field: FieldDef, type: string, value: unknown, deployment: JiraDeploymentType): string | undefined {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return 'Operation value must be a string';
      if (field.id === 'labels' || (field.schema.type === 'array' && field.schema.items === 'string')) return checkLabel(value);
      if (field.maxLength !== undefined && value.length > field.maxLength) {
        return `The entered text is too long. It exceeds the allowed limit of ${field.maxLength.toLocaleString('en-US')} characters.`;
      }
      return undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'Operation value must be a number';
    case 'date':
      if (typeof value !== 'string') return 'Operation value must be a string';
      return /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : `Error parsing date string: ${value}`;
    case 'datetime':
      if (typeof value !== 'string') return 'Operation value must be a string';
      return Number.isNaN(Date.parse(value)) ? `Error parsing time: ${value}` : undefined;
    case 'option':
      return checkOption(field, value);
    case 'option-with-child':
      return isObject(value) && (isNonEmptyString(value.value) || isNonEmptyString(value.id))
        ? undefined
        : "Could not find valid 'id' or 'value' in the Parent Option object.";
    case 'user':
      return checkUser(field, value, deployment);
    case 'priority':
      return checkPriority(value);
    case 'version':
      // Only the shape: whether the project has the version is for `version-fields.ts`.
      return checkVersionRef(value);
    case 'component':
    case 'group':
      // The fake keeps no components or groups: any reference by id or name passes. (Message chosen by the fake.)
      return isObject(value) && (isNonEmptyString(value.id) || isNonEmptyString(value.name))
        ? undefined
        : `Could not find valid 'id' or 'name' in ${type} object.`;
    default:
      return undefined;
  }
}

/**
 * The shape of a version reference, `{id}` or `{name}`. An id that is not a string gets the message a Jira Server
 * answered (jenkinsci/jira-steps-plugin#3: `"fixVersions":"expected 'id' property to be a string"`); an object with
 * neither gets a message chosen by the fake.
 */
export function checkVersionRef(value: unknown): string | undefined {
  if (isObject(value) && value.id !== undefined && typeof value.id !== 'string') return "expected 'id' property to be a string";
  return isObject(value) && (isNonEmptyString(value.id) || isNonEmptyString(value.name)) ? undefined : "Could not find valid 'id' or 'name' in version object.";
}

function checkLabel(label: string): string | undefined {
  if (label === '') return 'The label must not be empty.';
  if (/\s/.test(label)) return `The label '${label}' contains spaces which is invalid.`;
  if (label.length > MAX_LABEL_LENGTH) return `The label '${label}' exceeds the maximum length for a single label of ${MAX_LABEL_LENGTH} characters.`;
  return undefined;
}

function checkOption(field: FieldDef, value: unknown): string | undefined {
  if (!isObject(value) || (!isNonEmptyString(value.value) && !isNonEmptyString(value.id))) {
    return "Could not find valid 'id' or 'value' in the Parent Option object.";
  }
  if (!field.allowedValues) return undefined;
  if (isNonEmptyString(value.id)) {
    const known = field.allowedValues.some((v) => FieldCatalogue.optionId(field, v) === value.id);
    return known ? undefined : `Option id '${value.id}' is not valid`;
  }
  return field.allowedValues.includes(value.value as string) ? undefined : `Option value '${String(value.value)}' is not valid`;
}

function checkUser(field: FieldDef, value: unknown, deployment: JiraDeploymentType): string | undefined {
  if (!isObject(value)) return `Specify a valid value for ${field.name.toLowerCase()}`; // message chosen by the fake
  if (deployment === 'Cloud') {
    // Cloud dropped usernames (GDPR): users are addressed by accountId only.
    return isNonEmptyString(value.accountId) || isNonEmptyString(value.id) ? undefined : `Specify a valid 'accountId' for ${field.name}`;
  }
  return isNonEmptyString(value.name) || isNonEmptyString(value.key) ? undefined : `Specify a valid 'name' for ${field.name}`;
}

function checkPriority(value: unknown): string | undefined {
  const problem = "Specify a valid 'id' or 'name' for Priority";
  if (!isObject(value)) return problem;
  if (isNonEmptyString(value.id)) return PRIORITIES.some((p) => p.id === value.id) ? undefined : problem;
  if (isNonEmptyString(value.name)) return PRIORITIES.some((p) => p.name === value.name) ? undefined : problem;
  return problem;
}

/**
 * A stored value as Jira would show it back: options gain id/value/self, priorities their name and id, versions
 * (stored as the {@link FakeVersion}s they name) their issue shape. An empty version picker shows null, as empty
 * custom fields do; the system version fields show `[]` (`IssueStore.allFields`).
 */
export function renderFieldValue(field: FieldDef, value: unknown, apiUrl: string): unknown {
  if (value === undefined || value === null) return null;
  const { type, items } = field.schema;
  if (isVersionField(field)) {
    const versions = (Array.isArray(value) ? value : [value]) as FakeVersion[];
    if (type !== 'array') return versions[0] ? renderIssueVersion(versions[0], apiUrl) : null;
    return field.custom && versions.length === 0 ? null : versions.map((v) => renderIssueVersion(v, apiUrl));
  }
  if (type === 'option') return renderOption(field, value, apiUrl);
  if (type === 'array' && items === 'option' && Array.isArray(value)) return value.map((v) => renderOption(field, v, apiUrl));
  if (type === 'priority' && isObject(value)) {
    const priority = PRIORITIES.find((p) => p.id === value.id || p.name === value.name);
    return priority ? { self: `${apiUrl}priority/${priority.id}`, ...priority } : value;
  }
  return value;
}

function renderOption(field: FieldDef, value: unknown, apiUrl: string): unknown {
  if (!isObject(value)) return value;
  const name = isNonEmptyString(value.value)
    ? value.value
    : field.allowedValues?.find((v) => FieldCatalogue.optionId(field, v) === value.id);
  if (name === undefined) return value;
  const id = FieldCatalogue.optionId(field, name) ?? String(value.id ?? '');
  return { self: `${apiUrl}customFieldOption/${id}`, value: name, id };
}
