/**
 * Webhook delivery as Jira does it (reference section 6): the body is rendered when the change happens (so a later
 * change cannot leak into it), signed with `X-Hub-Signature: sha256=<hex HMAC of the exact bytes>` when the webhook
 * has a secret, identified by an `X-Atlassian-Webhook-Identifier` that stays the same across retries, and retried
 * on 408/409/425/429/5xx and connection errors (Cloud's policy, with minutes compressed to milliseconds).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Outbox } from '../common/outbox.ts';
import type { FieldCatalogue } from './fields.ts';
import type { IssueComment, IssueEvent } from './issue-changes.ts';
import { renderComment } from './comments.ts';
import type { IssueStore } from './issue-store.ts';
import type { UserDirectory } from './users.ts';
import type { FakeIssue, FakeWebhook, JiraDeploymentType, JiraWebhookEvent } from './types.ts';

const DEFAULT_EVENTS: JiraWebhookEvent[] = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'];

const isRetryableStatus = (status: number): boolean => status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;

export interface WebhookContext {
  deployment: JiraDeploymentType;
  apiUrl: string;
  store: IssueStore;
  catalogue: FieldCatalogue;
  users: UserDirectory;
  /** Whether the issue matches a webhook's JQL filter. */
  matchesJql(issue: FakeIssue, jql: string): boolean;
}

export class WebhookDispatcher {
  readonly hooks: FakeWebhook[] = [];
  readonly #context: WebhookContext;
  readonly #outbox: Outbox;

  constructor(context: WebhookContext, outbox: Outbox) {
    this.#context = context;
    this.#outbox = outbox;
  }

  add(hook: FakeWebhook): void {
    if (!URL.canParse(hook.url)) throw new Error(`Jira fake: webhook url is not an absolute URL: ${JSON.stringify(hook.url)}`);
    this.hooks.push(hook);
  }

  /** Unregister one webhook (by identity). */
  remove(hook: FakeWebhook): void {
    const index = this.hooks.indexOf(hook);
    if (index >= 0) this.hooks.splice(index, 1);
  }

  /** Unregister every webhook (deliveries already sent keep their retries). */
  clear(): void {
    this.hooks.length = 0;
  }

  dispatch(event: IssueEvent): void {
    const subscribed = this.hooks.filter(
      (hook) => (hook.events ?? DEFAULT_EVENTS).includes(event.webhookEvent) && (hook.jql === undefined || this.#context.matchesJql(event.issue, hook.jql)),
    );
    if (subscribed.length === 0) return;
    const body = this.#body(event);
    const rawBody = JSON.stringify(body);
    for (const hook of subscribed) {
      const id = randomUUID();
      const signature = hook.secret === undefined ? undefined : `sha256=${createHmac('sha256', hook.secret).update(rawBody, 'utf8').digest('hex')}`;
      this.#outbox.send({
        id,
        url: hook.url,
        event: event.webhookEvent,
        body,
        rawBody,
        headers: (retry) => ({
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Atlassian Webhook HTTP Client',
          'X-Atlassian-Webhook-Identifier': id,
          ...(this.#context.deployment === 'Cloud' ? { 'X-Atlassian-Webhook-Flow': 'Primary' } : {}),
          ...(retry > 0 ? { 'X-Atlassian-Webhook-Retry': String(retry) } : {}),
          ...(signature ? { 'X-Hub-Signature': signature } : {}),
        }),
        policy: { maxRetries: hook.maxRetries ?? 5, retryDelayMs: hook.retryDelayMs, timeoutMs: hook.timeoutMs, retryOnStatus: isRetryableStatus },
      });
    }
  }

  #body(event: IssueEvent): Record<string, unknown> {
    const { deployment, users } = this.#context;
    const user = users.render(event.user, 'webhook');
    if (event.webhookEvent === 'comment_created') {
      return { timestamp: event.at, webhookEvent: event.webhookEvent, comment: this.#comment(event.issue, event.comment!), issue: this.#issueSummary(event.issue) };
    }
    const cloud = deployment === 'Cloud';
    // Cloud's 2020 deletion capture has no issue_event_type_name; everything else carries one.
    const typeName = event.webhookEvent === 'jira:issue_deleted' && cloud ? {} : { issue_event_type_name: event.eventType };
    return {
      timestamp: event.at,
      webhookEvent: event.webhookEvent,
      ...typeName,
      user,
      issue: this.#issue(event.issue),
      ...(event.changelog ? { changelog: event.changelog } : {}),
      ...(event.comment ? { comment: this.#comment(event.issue, event.comment) } : {}),
    };
  }

  /** The REST shape without expand; Cloud's `self` lacks the `/issue/` segment, as in real captures. */
  #issue(issue: FakeIssue): Record<string, unknown> {
    const { deployment, apiUrl, store, catalogue } = this.#context;
    return {
      id: issue.id,
      self: deployment === 'Cloud' ? `${apiUrl}${issue.id}` : `${apiUrl}issue/${issue.id}`,
      key: issue.key,
      fields: store.allFields(issue, catalogue, 'webhook'),
    };
  }

  /** Comment events carry a trimmed issue (Cloud capture `cloud_comment_added.json`). */
  #issueSummary(issue: FakeIssue): Record<string, unknown> {
    const { fields, ...rest } = this.#issue(issue) as { fields: Record<string, unknown> };
    const keep = ['summary', 'issuetype', 'project', 'assignee', 'priority', 'status'];
    return { ...rest, fields: Object.fromEntries(keep.map((id) => [id, fields[id] ?? null])) };
  }

  #comment(issue: FakeIssue, comment: IssueComment): Record<string, unknown> {
    const { deployment, apiUrl, users } = this.#context;
    return renderComment(issue, comment, { deployment, apiUrl, users }, 'webhook');
  }
}
