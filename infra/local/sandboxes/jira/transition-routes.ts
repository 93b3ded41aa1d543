/**
 * `GET` and `POST /issue/{idOrKey}/transitions` (reference sections 3.1-3.2, 10.4): what the workflow offers from
 * the issue's status, and performing one, with the resolution only where the transition screen has it.
 */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../common/http-server.ts';
import { sendErrors } from './responses.ts';
import type { ApiRequest, JiraState } from './routes.ts';
import { renderTransition, type Workflow } from './workflow.ts';
import type { FakeIssue, FakeResolution, FakeTransitionDef } from './types.ts';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const notOnScreen = (field: string) => `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;

export type TransitionPlan =
  | { ok: true; transition: FakeTransitionDef; resolution?: FakeResolution }
  | { ok: false; errorMessages: string[]; errors: Record<string, string> };

/** Checks a transition request body against the workflow, as Jira does before changing anything. */
export function planTransition(workflow: Workflow, issue: FakeIssue, body: unknown): TransitionPlan {
  if (!isObject(body) || !isObject(body.transition) || (typeof body.transition.id !== 'string' && typeof body.transition.id !== 'number')) {
    return { ok: false, errorMessages: ["Can not perform the transition: 'transition.id' is missing."], errors: {} }; // message chosen by the fake
  }
  const id = String(body.transition.id);
  const transition = workflow.available(issue.status).find((t) => t.id === id);
  // Jira's wording (reference section 10.4); it does not tell an unknown id from one unavailable here.
  if (!transition) return { ok: false, errorMessages: [`Transition id '${id}' is not valid for this issue.`], errors: {} };

  const errors: Record<string, string> = {};
  let resolution: FakeResolution | undefined;
  const fields = isObject(body.fields) ? body.fields : {};
  for (const [field, value] of Object.entries(fields)) {
    if (field !== 'resolution' || !transition.screen?.resolution) {
      errors[field] = notOnScreen(field);
      continue;
    }
    if (value === null) continue;
    resolution = isObject(value) ? workflow.resolution(value) : undefined;
    if (!resolution) errors.resolution = `Could not find a resolution matching ${JSON.stringify(value)}.`; // message chosen by the fake
  }
  const update = isObject(body.update) ? body.update : {};
  for (const field of Object.keys(update)) {
    if (field in fields) errors[field] = `Field '${field}' cannot be set in both 'fields' and 'update'.`; // message chosen by the fake
    else errors[field] = notOnScreen(field);
  }
  if (transition.screen?.resolution === 'required' && !resolution && !errors.resolution) errors.resolution = 'Resolution is required.';
  if (Object.keys(errors).length > 0) return { ok: false, errorMessages: [], errors };
  return { ok: true, transition, ...(resolution ? { resolution } : {}) };
}

export function listTransitions(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, [NOT_FOUND]);
  const expand = String(req.query.expand ?? '').split(',').map((part) => part.trim());
  const transitionId = typeof req.query.transitionId === 'string' ? req.query.transitionId : undefined;
  const offered = state.workflow.available(issue.status).filter((t) => transitionId === undefined || t.id === transitionId);
  sendJson(res, 200, {
    expand: 'transitions',
    transitions: offered.map((t) =>
      renderTransition(t, state.workflow, { apiUrl: state.apiUrl, siteUrl: state.siteUrl, deployment: state.deployment, expandFields: expand.includes('transitions.fields') }),
    ),
  });
}

export function doTransition(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, [NOT_FOUND]);
  const plan = planTransition(state.workflow, issue, req.body);
  if (!plan.ok) return sendErrors(res, 400, plan.errorMessages, plan.errors);
  state.changes.transition(issue, plan.transition, plan.resolution, state.users.forPrincipal(req.principal), req.now);
  sendEmpty(res, 204);
}
