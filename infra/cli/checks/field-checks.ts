/**
 * `bridge validate`'s checks of an integration's Jira fields against what Jira reports (pure: the facts are read
 * first). Field names are resolved and values shaped by the same domain functions the worker uses
 * (resolveField, shapeFieldValue), so a check fails exactly when the worker's create would.
 */
import type { IntegrationConfig } from '../../../shared/domain/config/index.ts';
import type { BacktraceGroup } from '../../../shared/domain/backtrace-group.ts';
import type { JiraDeployment, JiraField, JiraStatus } from '../../../shared/domain/model/jira.ts';
import { resolveField } from '../../../shared/domain/resolve-field.ts';
import { shapeFieldValue } from '../../../shared/domain/field-values.ts';
import { renderTemplate, renderTemplateParts } from '../../../shared/domain/template.ts';
import { versionFieldFor } from '../../../shared/domain/fix-versions/version-field.ts';
import { describeTarget, jiraTargetFor, statusMatches } from '../../../shared/domain/sync/state-mapping.ts';
import type { CheckRow } from '../output.ts';

/** One field of the create screen, as createmeta reports it. */
export interface ScreenField {
  fieldId: string;
  name: string;
  required: boolean;
  hasDefaultValue: boolean;
}

export interface FieldFacts {
  deployment: JiraDeployment;
  /** `GET field`. */
  fields: readonly JiraField[];
  /** The create screen of the integration's project and issue type (createmeta). */
  screen: readonly ScreenField[];
  /** `CRASH / Bug`, for messages. */
  screenName: string;
  /** A group to render the templates with (the `--event` file, or the documented sample). */
  sample: BacktraceGroup;
}

const label = (field: { id: string; name: string }) => `${field.id} (${JSON.stringify(field.name)})`;
const typeOf = (field: JiraField) => (field.schema === undefined ? 'untyped' : field.schema.type === 'array' ? `array of ${field.schema.items ?? 'unknown'}` : field.schema.type);
/** Text-like single values in which a comma is just a comma. */
const TEXT_TYPES = new Set(['string', 'any']);

function onScreen(field: JiraField, facts: FieldFacts, at: string, setting: string): CheckRow {
  const there = facts.screen.some((entry) => entry.fieldId === field.id);
  return there
    ? { check: `${at}.screen`, status: 'pass', detail: `${label(field)} is on the create screen of ${facts.screenName}` }
    : {
        check: `${at}.screen`,
        status: 'fail',
        detail: `${label(field)} is not on the create screen of ${facts.screenName}: Jira would refuse the create ("cannot be set. It is not on the appropriate screen")`,
        fix: `add ${JSON.stringify(field.name)} to the create screen of ${facts.screenName} in Jira, or change ${setting}`,
      };
}

/** The mapping rows and the custom field rows; also returns the field ids the create request sets. */
export function fieldChecks(integration: IntegrationConfig, configPath: string, facts: FieldFacts): { rows: CheckRow[]; setIds: Set<string> } {
  const jira = integration.jira;
  const path = `${configPath}.jira`;
  const rows: CheckRow[] = [];
  const setIds = new Set(['project', 'issuetype', 'summary']);

  const mapping = (which: 'labels' | 'mainBody') => {
    const at = `${path}.fieldMapping.${which}`;
    const resolved = resolveField(jira.fieldMapping[which], facts.fields);
    if (!resolved.ok) {
      rows.push({ check: at, status: 'fail', detail: resolved.problem, fix: `set ${at} to the id or name of a ${which === 'labels' ? 'labels' : 'multi-line text'} field` });
      return;
    }
    const field = resolved.field;
    const suits = which === 'labels'
      ? field.schema?.type === 'array' && field.schema.items === 'string'
      : (field.schema === undefined || field.schema.type === 'string') && !field.schema?.custom?.endsWith(':textfield');
    if (!suits) {
      rows.push({
        check: at,
        status: 'fail',
        detail: `${label(field)} is of type "${typeOf(field)}"${field.schema?.custom?.endsWith(':textfield') ? ' (single-line, 255 characters)' : ''}`,
        fix: which === 'labels' ? `name a labels field (Jira's "labels" or a custom Labels field) in ${at}: the dedupe label lives there` : `name a multi-line text field such as "description" in ${at}`,
      });
    } else {
      rows.push({ check: at, status: 'pass', detail: `${JSON.stringify(jira.fieldMapping[which])} -> ${label(field)}, ${typeOf(field)}` });
    }
    setIds.add(field.id);
    rows.push(onScreen(field, facts, at, at));
  };
  mapping('labels');
  mapping('mainBody');

  for (const [key, template] of Object.entries(jira.customFields)) {
    const at = `${path}.customFields[${JSON.stringify(key)}]`;
    const resolved = resolveField(key, facts.fields);
    if (!resolved.ok) {
      rows.push({ check: at, status: 'fail', detail: resolved.problem, fix: `use the field's id (customfield_NNNNN) as the key in ${path}.customFields` });
      continue;
    }
    const field = resolved.field;
    setIds.add(field.id);
    rows.push({ check: at, status: 'pass', detail: `${JSON.stringify(key)} -> ${label(field)}, ${typeOf(field)}` });
    rows.push(onScreen(field, facts, at, `${path}.customFields`));
    rows.push(templateCheck(field, template, facts, at));
  }
  return { rows, setIds };
}

/** Whether a template can fill its field: a comma-separated list only into a list field, a value Jira takes. */
function templateCheck(field: JiraField, template: string, facts: FieldFacts, at: string): CheckRow {
  const check = `${at}.template`;
  const parts = renderTemplateParts(template, facts.sample).map((part) => part.trim()).filter((part) => part !== '');
  const single = field.schema?.type !== 'array';
  if (single && !TEXT_TYPES.has(field.schema?.type ?? 'string') && parts.length > 1) {
    return {
      check,
      status: 'fail',
      detail: `the template ${JSON.stringify(template)} is a comma-separated list (${parts.length} values) but ${label(field)} holds one ${typeOf(field)}`,
      fix: `give ${at} one value, or map the list to a multi-value field`,
    };
  }
  const shaped = shapeFieldValue(field, { text: renderTemplate(template, facts.sample), parts: renderTemplateParts(template, facts.sample) }, facts.deployment, template);
  if (!shaped.ok) return { check, status: 'fail', detail: shaped.problem, fix: `change the template in ${at} to give a value of type ${typeOf(field)}` };
  return { check, status: 'pass', detail: `renders ${JSON.stringify(shaped.value ?? null)} for the sample group (${typeOf(field)})` };
}

/** Every required field of the create screen is set by the request or has a default in Jira. */
export function requiredFieldChecks(configPath: string, facts: FieldFacts, setIds: ReadonlySet<string>): CheckRow[] {
  const required = facts.screen.filter((field) => field.required);
  const missing = required.filter((field) => !setIds.has(field.fieldId) && !field.hasDefaultValue);
  const rows: CheckRow[] = missing.map((field) => ({
    check: `jira.required[${field.fieldId}]`,
    status: 'fail',
    detail: `${label({ id: field.fieldId, name: field.name })} is required on the create screen of ${facts.screenName} and the bridge does not set it`,
    fix: `give it a value in ${configPath}.jira.customFields, e.g. "${field.name}": "$<attribute>"`,
  }));
  if (missing.length === 0) {
    rows.push({
      check: 'jira.required',
      status: 'pass',
      detail: `every required field of ${facts.screenName} is set or defaulted (${required.map((field) => field.fieldId).join(', ') || 'none'})`,
    });
  }
  return rows;
}

/** `fixVersions.jiraField` names a version field (issue 8), when Fix Versions are on. */
export function fixVersionsCheck(integration: IntegrationConfig, configPath: string, fields: readonly JiraField[]): CheckRow[] {
  if (!integration.fixVersions.enabled) return [];
  const check = `${configPath}.fixVersions.jiraField`;
  const result = versionFieldFor(fields, integration.fixVersions.jiraField, configPath);
  return result.ok
    ? [{ check, status: 'pass', detail: `${JSON.stringify(integration.fixVersions.jiraField)} -> ${label(result.field)}, a version field` }]
    : [{ check, status: 'fail', detail: result.problem, fix: `name "fixVersions" or a version-picker custom field in ${check}` }];
}

/**
 * Each state-map target of Backtrace -> Jira sync names a status Jira has. Which transitions lead there is a
 * property of the workflow that only an issue can show, so this checks the statuses, and says so.
 */
export function stateMapChecks(integration: IntegrationConfig, configPath: string, statuses: readonly JiraStatus[]): CheckRow[] {
  if (integration.sync.mode === 'none' || !integration.sync.state) return [];
  return (['open', 'in-progress', 'resolved', 'muted'] as const).flatMap((state): CheckRow[] => {
    const target = jiraTargetFor(state, integration.sync.stateMap);
    if (target.kind === 'leave') return [];
    const check = `${configPath}.sync.stateMap.toJira.${state}`;
    const matching = statuses.filter((status) => statusMatches(status, target));
    return matching.length > 0
      ? [{ check, status: 'pass', detail: `${describeTarget(target)}: ${matching.map((status) => JSON.stringify(status.name)).join(', ')}` }]
      : [{
          check,
          status: 'fail',
          detail: `no Jira status matches "${describeTarget(target)}" (Jira has ${statuses.map((status) => `${JSON.stringify(status.name)} [${status.categoryKey}]`).join(', ')})`,
          fix: `set ${check} to a status category (new, indeterminate, done) or {"status": "<a status id or name above>"}`,
        }];
  });
}
