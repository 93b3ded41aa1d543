/**
 * The `fields` of `POST /rest/api/2/issue` for one error group, from an integration's Jira template settings
 * (Backtrace's "Jira Template", "Custom Field Mapping" and "Custom Fields"; ../shared/reference/backtrace.md section 1.2).
 */
import type { JiraDeployment, JiraField } from './model/jira.ts';
import type { BacktraceGroup } from './backtrace-group.ts';
import { dedupeLabel, dedupeLabelProblem } from './dedupe-label.ts';
import { shapeFieldValue } from './field-values.ts';
import {
  JIRA_TEXT_FIELD_LIMIT,
  renderDescription,
  type DescriptionDisplay,
  type DescriptionOptions,
} from './issue-description.ts';
import { normaliseLabels } from './labels.ts';
import { resolveField } from './resolve-field.ts';
import { cleanSummary, renderSummary } from './summary.ts';
import { renderTemplate, renderTemplateParts } from './template.ts';
import { cutText } from './text-cut.ts';

/** The parts of an integration's config this needs, structurally (the config's `IntegrationConfig` fits). */
export interface IssueFieldsIntegration {
  backtrace: { universe: string; project: string };
  jira: {
    projectKey: string;
    issueType: string;
    /** Summary template. */
    subject: string;
    labels: readonly string[];
    /** Field name or id for the labels and for the main body text. */
    fieldMapping: { labels: string; mainBody: string };
    /** Field name or id -> template. */
    customFields: Readonly<Record<string, string>>;
    /** Dedupe label pattern, e.g. `bt-{hash}`. */
    dedupeLabel: string;
  };
  display: DescriptionDisplay;
}

export interface BuildIssueFieldsInput {
  group: BacktraceGroup;
  integration: IssueFieldsIntegration;
  /** `GET /rest/api/2/field`. */
  fields: readonly JiraField[];
  deployment: JiraDeployment;
  /** JSON path of the integration in the config, prefixed to problems. Default `integration`. */
  configPath?: string;
  descriptionOptions?: DescriptionOptions;
}

export type BuildIssueFieldsResult =
  | {
      ok: true;
      fields: Record<string, unknown>;
      dedupeLabel: string;
      /** Id of the field holding the labels (and the dedupe label): what the recovery search must query. */
      labelsFieldId: string;
      /** Things worth a log line (a guessed field type, an override that rendered empty). */
      notes: string[];
    }
  | { ok: false; problems: string[] };

function typeOf(field: JiraField): string {
  const schema = field.schema;
  if (schema === undefined) return 'untyped';
  return schema.type === 'array' ? `array of ${schema.items ?? 'unknown'}` : schema.type;
}

/**
 * Builds the create-issue fields: project `{key}`, issuetype `{name}`, summary (subject template), the labels field
 * (configured labels + the dedupe label), the main body field (the rendered description), then each custom field
 * (name or id -> template), shaped by its Jira type. A custom field that names the labels, main body or summary field
 * replaces that default content.
 *
 * Problems name the config path and the fix, e.g.
 * `integrations[0].jira.customFields["Hostname"]: no Jira field has the id or name "Hostname" (...)`.
 * All problems are reported at once, so the admin fixes the config in one pass.
 */
export function buildIssueFields(input: BuildIssueFieldsInput): BuildIssueFieldsResult {
  const { group, integration, fields, deployment } = input;
  const jira = integration.jira;
  const path = `${input.configPath ?? 'integration'}.jira`;
  const problems: string[] = [];
  const notes: string[] = [];

  const labelPatternProblem = dedupeLabelProblem(jira.dedupeLabel);
  if (labelPatternProblem !== undefined) problems.push(`${path}.dedupeLabel: ${labelPatternProblem}`);
  const label = labelPatternProblem === undefined
    ? dedupeLabel(jira.dedupeLabel, {
        universe: integration.backtrace.universe,
        project: integration.backtrace.project,
        fingerprint: group.fingerprint,
      })
    : '';

  const labelsField = resolveField(jira.fieldMapping.labels, fields);
  if (!labelsField.ok) {
    problems.push(`${path}.fieldMapping.labels: ${labelsField.problem}`);
  } else if (labelsField.field.schema?.type !== 'array' || labelsField.field.schema.items !== 'string') {
    problems.push(
      `${path}.fieldMapping.labels: ${labelsField.field.id} (${JSON.stringify(labelsField.field.name)}) is of type "${typeOf(labelsField.field)}"; name a labels field (Jira's "labels" or a custom Labels field), because the bridge keeps its dedupe label there`,
    );
  }
  const mainBodyField = resolveField(jira.fieldMapping.mainBody, fields);
  if (!mainBodyField.ok) {
    problems.push(`${path}.fieldMapping.mainBody: ${mainBodyField.problem}`);
  } else if (mainBodyField.field.schema !== undefined && mainBodyField.field.schema.type !== 'string') {
    problems.push(
      `${path}.fieldMapping.mainBody: ${mainBodyField.field.id} (${JSON.stringify(mainBodyField.field.name)}) is of type "${typeOf(mainBodyField.field)}"; name a text field such as "description"`,
    );
  } else if (mainBodyField.field.schema?.custom?.endsWith(':textfield')) {
    // A single-line text field holds 255 characters: every description would be refused by Jira.
    problems.push(
      `${path}.fieldMapping.mainBody: ${mainBodyField.field.id} (${JSON.stringify(mainBodyField.field.name)}) is a single-line text field (255 characters); name a multi-line text field such as "description"`,
    );
  }
  const labelsId = labelsField.ok ? labelsField.field.id : undefined;
  const mainBodyId = mainBodyField.ok ? mainBodyField.field.id : undefined;
  if (labelsId !== undefined && labelsId === mainBodyId) {
    problems.push(`${path}.fieldMapping: labels and mainBody both name ${labelsId}; they must be two different fields`);
  }

  const out: Record<string, unknown> = {
    project: { key: jira.projectKey },
    issuetype: { name: jira.issueType },
    summary: renderSummary(jira.subject, group),
  };
  let labels = normaliseLabels(jira.labels);
  let mainBody: string | undefined;

  const setBy = new Map<string, string>();
  for (const [key, template] of Object.entries(jira.customFields)) {
    const at = `${path}.customFields[${JSON.stringify(key)}]`;
    const resolved = resolveField(key, fields);
    if (!resolved.ok) {
      problems.push(`${at}: ${resolved.problem}`);
      continue;
    }
    const field = resolved.field;
    const earlier = setBy.get(field.id);
    if (earlier !== undefined) {
      problems.push(`${at}: sets ${field.id} (${JSON.stringify(field.name)}) again, as customFields[${JSON.stringify(earlier)}] does; keep one`);
      continue;
    }
    setBy.set(field.id, key);
    if (field.id === 'project' || field.id === 'issuetype') {
      problems.push(`${at}: set the ${field.id === 'project' ? 'project with jira.projectKey' : 'issue type with jira.issueType'} instead`);
      continue;
    }
    const rendered = { text: renderTemplate(template, group), parts: renderTemplateParts(template, group) };
    if (field.id === labelsId) {
      labels = normaliseLabels(rendered.parts);
    } else if (field.id === mainBodyId) {
      if (rendered.text.trim() === '') notes.push(`${at} rendered empty; kept the generated description`);
      else mainBody = cutText(rendered.text, JIRA_TEXT_FIELD_LIMIT);
    } else if (field.id === 'summary') {
      out.summary = cleanSummary(rendered.text, group.fingerprint);
    } else {
      const shaped = shapeFieldValue(field, rendered, deployment, template);
      if (!shaped.ok) problems.push(`${at}: ${shaped.problem}`);
      else if (shaped.value !== undefined) out[field.id] = shaped.value;
      if (shaped.ok && shaped.note !== undefined) notes.push(`${at}: ${shaped.note}`);
    }
  }

  if (problems.length > 0 || labelsId === undefined || mainBodyId === undefined) return { ok: false, problems };

  // The dedupe label is added after any override of the labels field, never replaced by it: it is how a worker that
  // crashed between Jira's create and the DynamoDB write finds the issue again instead of creating a second one.
  out[labelsId] = normaliseLabels([...labels, label]);
  out[mainBodyId] = mainBody ?? renderDescription(group, integration.display, input.descriptionOptions);
  return { ok: true, fields: out, dedupeLabel: label, labelsFieldId: labelsId, notes };
}
