/**
 * `POST issueLink` (the spec's `linkIssues`: 201 with an empty body) and `GET issueLinkType`. Which end is which is
 * explained in `issue-links.ts`. Links are not announced and not kept in the issues' history: the fake sends no
 * `issuelink_*` events, and the reference does not show how Jira records links in a changelog.
 */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../common/http-server.ts';
import { renderLinkType } from './issue-links.ts';
import { sendErrors } from './responses.ts';
import type { ApiRequest, JiraState } from './routes.ts';
import type { FakeIssue } from './types.ts';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function listLinkTypes(state: JiraState, _req: ApiRequest, res: ServerResponse): void {
  sendJson(res, 200, { issueLinkTypes: state.links.types.map((type) => renderLinkType(type, state.apiUrl)) });
}

/**
 * Links `inwardIssue` (the source) to `outwardIssue` (the destination). An unknown type or issue is the spec's 404
 * ("the issue link type is not found", "either of the link issues are not found"); the messages are [GUESS]: for
 * the type `No issue link type with name 'X' found.` (or `id`), for an issue the fake's usual issue 404. Linking an
 * issue to itself is refused [GUESS: Jira's UI refuses it; the message is the fake's]. A `comment` is added to the
 * source issue, which the spec calls "the from (outward) issue" [GUESS on which end that is].
 */
export function linkIssues(state: JiraState, req: ApiRequest, res: ServerResponse): void {
  const body = isObject(req.body) ? req.body : {};
  const typeRef = isObject(body.type) ? body.type : {};
  const type = state.links.type({
    ...(typeof typeRef.id === 'string' ? { id: typeRef.id } : {}),
    ...(typeof typeRef.name === 'string' ? { name: typeRef.name } : {}),
  });
  if (!type) {
    const [by, value] = typeof typeRef.id === 'string' ? ['id', typeRef.id] : ['name', String(typeRef.name ?? '')];
    return sendErrors(res, 404, [`No issue link type with ${by} '${value}' found.`]);
  }
  const source = findIssue(state, body.inwardIssue);
  const destination = findIssue(state, body.outwardIssue);
  if (!source || !destination) return sendErrors(res, 404, [NOT_FOUND]);
  if (source === destination) return sendErrors(res, 400, ['You cannot link an issue to itself.']);
  const actor = state.users.forPrincipal(req.principal);
  const comment = isObject(body.comment) ? body.comment : undefined;
  if (comment && (typeof comment.body !== 'string' || comment.body.trim() === '')) return sendErrors(res, 400, [], { comment: 'Comment body can not be empty!' });
  state.links.link(type, source, destination);
  if (comment) state.changes.comment(source, comment.body as string, actor, req.now);
  sendEmpty(res, 201);
}

function findIssue(state: JiraState, ref: unknown): FakeIssue | undefined {
  if (!isObject(ref)) return undefined;
  const idOrKey = typeof ref.id === 'string' ? ref.id : typeof ref.key === 'string' ? ref.key : undefined;
  return idOrKey === undefined ? undefined : state.store.find(idOrKey);
}
