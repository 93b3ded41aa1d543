/**
 * How a comment looks (the spec's `Comment`, and the comments of the Server captures in
 * ../shared/fixtures/jira-server-webhooks/) in REST answers, in `fields.comment` and in webhook bodies.
 */
import { jiraTime } from './issue-store.ts';
import type { UserDirectory, UserRendering } from './users.ts';
import type { FakeComment, FakeIssue, FakeUser, JiraDeploymentType } from './types.ts';

export interface CommentContext {
  deployment: JiraDeploymentType;
  apiUrl: string;
  users: UserDirectory;
}

/**
 * `{self, id, author, body, updateAuthor, created, updated, visibility?}`; comments are never edited, so the update
 * author and time are the creation's. Cloud REST answers add `jsdPublic: true` (the spec: "Defaults to true when
 * comments are created in the Jira Cloud Platform"); webhook bodies do not carry it (`cloud_comment_added.json`).
 */
export function renderComment(issue: FakeIssue, comment: FakeComment, ctx: CommentContext, rendering: UserRendering, viewer?: FakeUser): Record<string, unknown> {
  const author = ctx.users.render(comment.author, rendering, viewer);
  return {
    self: `${ctx.apiUrl}issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author,
    body: comment.body,
    updateAuthor: author,
    created: jiraTime(comment.created),
    updated: jiraTime(comment.created),
    ...(comment.visibility ? { visibility: comment.visibility } : {}),
    ...(ctx.deployment === 'Cloud' && rendering === 'rest' ? { jsdPublic: true } : {}),
  };
}

/**
 * `fields.comment` of an issue: every comment, oldest first, in a page whose `maxResults` is the number shown (as
 * the Server captures show: `{"startAt":0,"maxResults":1,"total":1,"comments":[…]}`).
 */
export function commentField(issue: FakeIssue, ctx: CommentContext, rendering: UserRendering, viewer?: FakeUser): Record<string, unknown> {
  return {
    comments: issue.comments.map((comment) => renderComment(issue, comment, ctx, rendering, viewer)),
    maxResults: issue.comments.length,
    total: issue.comments.length,
    startAt: 0,
  };
}
