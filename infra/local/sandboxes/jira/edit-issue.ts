/**
 * `PUT issue/{idOrKey}` (the spec's `editIssue`): `fields` sets values, `update` applies `set`/`add`/`remove`
 * operations (reference sections 1.1 and 5), never both for one field. Every field must be on the issue's screen
 * (the fake's edit screen is its create screen, without project and issue type, which the fake cannot change);
 * values are checked as on create. Every problem is reported at once, keyed by field id; nothing changes unless all
 * is well. The edit is one history entry (`IssueChanges.edit`), answered 204, or 200 with the issue when Cloud's
 * `returnIssue=true` asks for it.
 */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../common/http-server.ts';
import { checkSummary } from './create-issue.ts';
import { checkFieldValue, isEmptyValue } from './field-values.ts';
import { isVersionField, type FieldDef } from './fields.ts';
import type { FieldEdit } from './issue-changes.ts';
import { parseExpandParam } from './issue-store.ts';
import { sendErrors } from './responses.ts';
import type { ApiRequest, JiraState } from './routes.ts';
import { chooseAssignee } from './user-routes.ts';
import { currentVersions, resolveVersionRef, resolveVersionValue, storedVersions } from './version-fields.ts';
import type { FakeIssue, FakeVersion } from './types.ts';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Jira's message for a field that is not on the screen (reference section 1.4). */
const notOnScreen = (id: string): string => `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;

const NOT_EDITABLE = new Set(['project', 'issuetype']);

export type EditPlan = { ok: true; edits: FieldEdit[] } | { ok: false; errorMessages: string[]; errors: Record<string, string> };

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

export function editIssue(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, [NOT_FOUND]);
  const plan = planEdit(state, issue, req.body);
  if (!plan.ok) return sendErrors(res, 400, plan.errorMessages, plan.errors);
  const viewer = state.users.forPrincipal(req.principal);
  state.changes.edit(issue, plan.edits, viewer, req.now);
  // `returnIssue` is Cloud's (the spec); Data Center has no such parameter and answers 204 regardless.
  if (state.deployment === 'Cloud' && String(req.query.returnIssue) === 'true') {
    return sendJson(res, 200, state.store.render(issue, state.catalogue, undefined, viewer, parseExpandParam(req.query.expand)));
  }
  sendEmpty(res, 204);
}

/** Checks an edit body against the issue's screen and field shapes, and works out each field's new value. */
export function planEdit(state: JiraState, issue: FakeIssue, body: unknown): EditPlan {
  if (!isObject(body)) return { ok: false, errorMessages: ['Can not deserialize the request body: a JSON object is expected.'], errors: {} };
  const fields = isObject(body.fields) ? body.fields : {};
  const update = isObject(body.update) ? body.update : {};
  const project = state.store.projectOf(issue);
  const screen = state.projects.screen(project, issue.issueTypeId)!;
  const errorMessages: string[] = [];
  const errors: Record<string, string> = {};
  const edits: FieldEdit[] = [];

  for (const id of new Set([...Object.keys(fields), ...Object.keys(update)])) {
    if (id in fields && id in update) {
      errors[id] = `Field '${id}' cannot be set in both 'fields' and 'update'.`; // message chosen by the fake
      continue;
    }
    const field = NOT_EDITABLE.has(id) ? undefined : screen.fields.find((f) => f.id === id);
    if (!field) {
      errors[id] = notOnScreen(id);
      continue;
    }
    const outcome = id in fields ? settle(state, issue, field, fields[id]) : applyOperations(state, issue, field, update[id]);
    if (!outcome.ok) {
      errors[id] = outcome.error;
      continue;
    }
    if (screen.required.has(id) && isEmptyValue(outcome.value) && id !== 'summary') {
      errors[id] = `${field.name} is required.`;
      continue;
    }
    if (id === 'assignee') {
      const choice = outcome.value === null ? { ok: true as const, user: null } : chooseAssignee(state, outcome.value);
      if (!choice.ok) {
        errorMessages.push(...choice.errorMessages);
        Object.assign(errors, choice.errors);
        continue;
      }
      edits.push({ field, value: choice.user });
      continue;
    }
    edits.push({ field, value: outcome.value });
  }
  if (errorMessages.length > 0 || Object.keys(errors).length > 0) return { ok: false, errorMessages, errors };
  return { ok: true, edits };
}

/** A value to set: checked like on create; version references become the project's versions. */
function settle(state: JiraState, issue: FakeIssue, field: FieldDef, value: unknown): Outcome {
  if (field.id === 'summary') {
    const problem = checkSummary(value);
    return problem ? { ok: false, error: problem } : { ok: true, value };
  }
  if (isVersionField(field)) {
    const resolved = resolveVersionValue(field, value, state.store.projectOf(issue), state.versions);
    return resolved.ok ? { ok: true, value: storedVersions(field, resolved.versions) } : resolved;
  }
  const problem = checkFieldValue(field, value, state.deployment);
  return problem ? { ok: false, error: problem } : { ok: true, value };
}

/**
 * Applies `update` operations in order, starting from the current value: `set` replaces it, `add` and `remove`
 * (list fields only) add an item or take every equal one out (a version by id or name; an absent item is no
 * error). Other verbs (`edit`, `copy`) and list verbs on single-valued fields are refused [GUESS: the reference
 * names add/remove/set only; the messages are the fake's].
 */
function applyOperations(state: JiraState, issue: FakeIssue, field: FieldDef, operations: unknown): Outcome {
  if (!Array.isArray(operations)) return { ok: false, error: 'data was not an array' };
  const isList = field.schema.type === 'array';
  if (isVersionField(field)) return applyVersionOperations(state, issue, field, operations);
  let value: unknown = current(issue, field);
  for (const operation of operations) {
    if (!isObject(operation)) continue;
    for (const [verb, operand] of Object.entries(operation)) {
      if (verb === 'set') value = operand;
      else if ((verb === 'add' || verb === 'remove') && isList) {
        const list = Array.isArray(value) ? (value as unknown[]) : [];
        value = verb === 'add' ? (list.some((item) => sameItem(item, operand)) ? list : [...list, operand]) : list.filter((item) => !sameItem(item, operand));
      } else return { ok: false, error: `Field '${field.id}' does not support the '${verb}' operation.` }; // message chosen by the fake
    }
  }
  return settle(state, issue, field, value);
}

function applyVersionOperations(state: JiraState, issue: FakeIssue, field: FieldDef, operations: unknown[]): Outcome {
  const project = state.store.projectOf(issue);
  let list: FakeVersion[] = currentVersions(issue.fields[field.id]);
  for (const operation of operations) {
    if (!isObject(operation)) continue;
    for (const [verb, operand] of Object.entries(operation)) {
      if (verb === 'set') {
        const resolved = resolveVersionValue(field, operand, project, state.versions);
        if (!resolved.ok) return resolved;
        list = resolved.versions;
      } else if ((verb === 'add' || verb === 'remove') && field.schema.type === 'array') {
        const resolved = resolveVersionRef(operand, project, state.versions);
        if (!resolved.ok) return resolved;
        list = verb === 'add' ? (list.includes(resolved.version) ? list : [...list, resolved.version]) : list.filter((v) => v !== resolved.version);
      } else return { ok: false, error: `Field '${field.id}' does not support the '${verb}' operation.` }; // message chosen by the fake
    }
  }
  return { ok: true, value: storedVersions(field, state.versions.inReleaseOrder(list)) };
}

/** The value `update` operations start from: labels and the assignee are kept outside `fields`. */
function current(issue: FakeIssue, field: FieldDef): unknown {
  if (field.id === 'labels') return issue.labels;
  if (field.id === 'assignee') return issue.assignee;
  return issue.fields[field.id] ?? (field.schema.type === 'array' ? [] : null);
}

/** List items are equal when they are the same string, or name the same option/component by id, value or name. */
function sameItem(a: unknown, b: unknown): boolean {
  if (!isObject(a) || !isObject(b)) return a === b;
  if (a.id !== undefined && b.id !== undefined) return String(a.id) === String(b.id);
  if (a.value !== undefined || b.value !== undefined) return a.value === b.value;
  return a.name !== undefined && a.name === b.name;
}
