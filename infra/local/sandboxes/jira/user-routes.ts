/**
 * `GET myself`, `GET user/search` and `PUT issue/{idOrKey}/assignee` (reference section 4), in the dialect of the
 * deployment: Cloud takes `accountId` and `query`, Server/Data Center `name` and `username`.
 */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../common/http-server.ts';
import { sendErrors } from './responses.ts';
import type { ApiRequest, JiraState } from './routes.ts';
import type { FakeUser } from './types.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function myself(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  const user = state.users.forPrincipal(req.principal);
  const extras = { groups: { size: 1, items: [] }, applicationRoles: { size: 1, items: [] }, expand: 'groups,applicationRoles' };
  // Everyone sees their own e-mail, whatever their privacy setting.
  const rendered = state.users.render(user, 'rest', user);
  if (state.deployment === 'Cloud') return sendJson(res, 200, { ...rendered, locale: 'en_US', ...extras });
  sendJson(res, 200, { ...rendered, deleted: false, locale: 'en_UK', ...extras });
}

export function searchUsers(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  const viewer = state.users.forPrincipal(req.principal);
  const result = state.users.search(req.query);
  if (!result.ok) return sendErrors(res, 400, result.errorMessages);
  sendJson(res, 200, result.users.map((user) => ({ ...state.users.render(user, 'rest', viewer), ...(state.deployment === 'Server' ? { deleted: false, locale: 'en_UK' } : {}) })));
}

export type AssigneeChoice = { ok: true; user: FakeUser | null } | { ok: false; errorMessages: string[]; errors: Record<string, string> };

const doesNotExist = (who: string): AssigneeChoice => ({ ok: false, errorMessages: [], errors: { assignee: `User '${who}' does not exist.` } });

/**
 * Who the body (of `PUT assignee`, or `fields.assignee` of an edit) names: `null` unassigns; `"-1"` is the project's
 * default assignee, which the fake keeps unassigned.
 */
export function chooseAssignee(state: JiraState, body: unknown): AssigneeChoice {
  if (!isObject(body)) return { ok: false, errorMessages: ['Can not deserialize the request body: a user object is expected.'], errors: {} }; // message chosen by the fake
  const given = ['accountId', 'name', 'key'].filter((member) => member in body);
  if (given.length > 1) return { ok: false, errorMessages: ['Specify only one of accountId, name or key.'], errors: {} }; // message chosen by the fake
  const member = given[0];
  if (state.deployment === 'Cloud' && member !== 'accountId') {
    // Cloud dropped usernames and user keys (GDPR strict mode).
    const what = member === undefined ? 'No accountId was given.' : `The '${member}' parameter is not supported in GDPR strict mode. Use 'accountId'.`;
    return { ok: false, errorMessages: [what], errors: {} }; // wording chosen by the fake
  }
  if (state.deployment === 'Server' && (member === undefined || member === 'accountId')) {
    return { ok: false, errorMessages: ["Specify the user by 'name' or 'key'."], errors: {} }; // message chosen by the fake
  }
  const value = body[member!];
  if (value === null || value === '-1') return { ok: true, user: null };
  if (typeof value !== 'string' || value === '') return doesNotExist(String(value));
  const user = member === 'accountId' ? state.users.byAccountId(value) : state.users.byNameOrKey(member === 'name' ? { name: value } : { key: value });
  if (!user) return doesNotExist(value);
  if (user.active === false) return { ok: false, errorMessages: [], errors: { assignee: `User '${user.displayName}' cannot be assigned issues.` } };
  return { ok: true, user };
}

export function assignIssue(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, ['Issue does not exist or you do not have permission to see it.']);
  const choice = chooseAssignee(state, req.body);
  if (!choice.ok) return sendErrors(res, 400, choice.errorMessages, choice.errors);
  state.changes.assign(issue, choice.user, state.users.forPrincipal(req.principal), req.now);
  sendEmpty(res, 204);
}
