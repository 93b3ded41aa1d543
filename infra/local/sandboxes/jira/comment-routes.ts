/**
 * `POST` and `GET issue/{issueIdOrKey}/comment` (the spec's `addComment` and `getComments`). A comment is announced
 * as Jira does (`IssueChanges.comment`): `jira:issue_updated` with `issue_commented`, and `comment_created` to the
 * webhooks that list that event.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../common/http-server.ts';
import { renderComment } from './comments.ts';
import { sendErrors } from './responses.ts';
import type { ApiRequest, JiraState } from './routes.ts';
import type { FakeComment } from './types.ts';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

/**
 * `getComments`' default page size: the spec's 5000 on Cloud; Data Center answers with 1048576 when none is asked
 * for [GUESS: from memory of DC answers; the reference is silent].
 */
const DEFAULT_MAX_RESULTS = { Cloud: 5000, Server: 1_048_576 } as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Adds a comment by the caller: 201 with the comment. An empty or missing body is refused, keyed under `comment`
 * [GUESS: Jira's wording "Comment body can not be empty!", from memory; the reference is silent].
 */
export function addComment(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, [NOT_FOUND]);
  const body = isObject(req.body) ? req.body : {};
  if (typeof body.body !== 'string' || body.body.trim() === '') return sendErrors(res, 400, [], { comment: 'Comment body can not be empty!' });
  const visibility = isObject(body.visibility) ? (body.visibility as FakeComment['visibility']) : undefined;
  const author = state.users.forPrincipal(req.principal);
  const comment = state.changes.comment(issue, body.body, author, req.now, visibility);
  sendJson(res, 201, renderComment(issue, comment, state, 'rest', author));
}

/** The issue's comments, oldest first (or newest first with `orderBy=-created`), paged by `startAt`/`maxResults`. */
export function listComments(state: JiraState, req: ApiRequest, res: ServerResponse, [idOrKey]: string[]): void {
  const issue = state.store.find(idOrKey!);
  if (!issue) return sendErrors(res, 404, [NOT_FOUND]);
  const startAt = Number(req.query.startAt ?? 0);
  const maxResults = Number(req.query.maxResults ?? DEFAULT_MAX_RESULTS[state.deployment]);
  if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(maxResults) || maxResults < 0) {
    return sendErrors(res, 400, ["'startAt' and 'maxResults' must be non-negative integers."]); // message chosen by the fake
  }
  const viewer = state.users.forPrincipal(req.principal);
  const ordered = req.query.orderBy === '-created' ? [...issue.comments].reverse() : issue.comments;
  sendJson(res, 200, {
    startAt,
    maxResults,
    total: issue.comments.length,
    comments: ordered.slice(startAt, startAt + maxResults).map((comment) => renderComment(issue, comment, state, 'rest', viewer)),
  });
}
