/**
 * Admin webhooks registered over REST (reference section 6.3), in the dialect of the deployment:
 * - Cloud and Data Center 9 and older: `/rest/webhooks/1.0/webhook` with `filters["issue-related-events-section"]`
 *   (Cloud also takes a top-level `secret`; DC 9 has none, section 6.4);
 * - Data Center 10 and later: `/rest/jira-webhook/1.0/webhooks` with a `configuration` map (`FILTERS`, `SECRET`,
 *   `EXCLUDE_BODY`, `DESCRIPTION`); the old `filters` and a top-level `secret` are silently ignored, and the old
 *   path answers 404.
 * Each registered webhook receives the issue events its JQL matches, signed when it has a secret.
 */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../common/http-server.ts';
import { JqlError, type JqlQuery } from './jql.ts';
import { sendErrors, sendNoResource } from './responses.ts';
import type { FakeUser, FakeWebhook, JiraWebhookEvent } from './types.ts';

export const LEGACY_WEBHOOKS_PATH = '/rest/webhooks/1.0/webhook';
export const DC10_WEBHOOKS_PATH = '/rest/jira-webhook/1.0/webhooks';

export type WebhookDialect = 'webhooks-1.0' | 'jira-webhook-1.0';

const KNOWN_EVENTS: readonly string[] = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created'];

interface AdminWebhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  jql: string;
  excludeBody: boolean;
  description?: string;
  secret?: string;
  lastUpdated: number;
  lastUpdatedBy: FakeUser;
  /** What the dispatcher delivers to. */
  delivery: FakeWebhook;
}

export interface WebhookAdminContext {
  dialect: WebhookDialect;
  cloud: boolean;
  siteUrl: string;
  /** Resolves project names in the JQL, as search does; throws JqlError for a bad query. */
  compile(jql: string): JqlQuery;
  register(hook: FakeWebhook): void;
  unregister(hook: FakeWebhook): void;
  /** How Jira names the user in `lastUpdatedUser`: accountId on Cloud, key on Server. */
  userId(user: FakeUser): string;
}

export interface WebhookAdminRequest {
  method: string;
  /** Site path (context path removed). */
  path: string;
  url: string;
  body: unknown;
  user: FakeUser;
  now: number;
}

export const isWebhookAdminPath = (path: string): boolean =>
  path === LEGACY_WEBHOOKS_PATH || path.startsWith(`${LEGACY_WEBHOOKS_PATH}/`) || path === DC10_WEBHOOKS_PATH || path.startsWith(`${DC10_WEBHOOKS_PATH}/`);

const asRecord = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

export class WebhookAdmin {
  readonly #context: WebhookAdminContext;
  readonly #hooks: AdminWebhook[] = [];
  #nextId = 1;

  constructor(context: WebhookAdminContext) {
    this.#context = context;
  }

  handle(req: WebhookAdminRequest, res: ServerResponse): void {
    const base = this.#context.dialect === 'webhooks-1.0' ? LEGACY_WEBHOOKS_PATH : DC10_WEBHOOKS_PATH;
    // The other dialect's path does not exist on this Jira (jira.js: the old path answers 404 on 10.x).
    if (req.path !== base && !req.path.startsWith(`${base}/`)) return sendNoResource(res, req.url);
    const rest = req.path.slice(base.length).replace(/\/+$/, '');
    if (rest === '') {
      if (req.method === 'GET') return sendJson(res, 200, this.#hooks.map((hook) => this.#render(hook)));
      if (req.method === 'POST') return this.#create(req, res);
      res.writeHead(405, { allow: 'GET, POST', 'content-length': '0' }).end();
      return;
    }
    const id = /^\/(\d+)$/.exec(rest)?.[1];
    const hook = id === undefined ? undefined : this.#hooks.find((candidate) => candidate.id === Number(id));
    if (!hook) return sendErrors(res, 404, [`Webhook with id ${id ?? rest.slice(1)} does not exist.`]);
    if (req.method === 'GET') return sendJson(res, 200, this.#render(hook));
    if (req.method === 'DELETE') {
      this.#hooks.splice(this.#hooks.indexOf(hook), 1);
      this.#context.unregister(hook.delivery);
      return sendEmpty(res, 204);
    }
    res.writeHead(405, { allow: 'GET, DELETE', 'content-length': '0' }).end();
  }

  #create(req: WebhookAdminRequest, res: ServerResponse): void {
    const body = asRecord(req.body);
    const dc10 = this.#context.dialect === 'jira-webhook-1.0';
    const configuration = asRecord(body.configuration);
    const errors: Record<string, string> = {};
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (name === '') errors.name = 'The webhook name is required.';
    const url = typeof body.url === 'string' ? body.url : '';
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) errors.url = 'The webhook URL must be an absolute http(s) URL.';
    const events = Array.isArray(body.events) ? body.events.filter((event): event is string => typeof event === 'string') : [];
    if (events.length === 0) errors.events = 'At least one event is required.';
    const unknown = events.filter((event) => !KNOWN_EVENTS.includes(event));
    if (unknown.length > 0) errors.events = `Unknown event(s): ${unknown.join(', ')}.`;
    // DC 10 reads only configuration.FILTERS; the old filters object is silently ignored there (section 6.3).
    const jqlSource = dc10 ? configuration.FILTERS : asRecord(body.filters)['issue-related-events-section'];
    const jql = typeof jqlSource === 'string' ? jqlSource.trim() : '';
    if (jql !== '') {
      try {
        this.#context.compile(jql);
      } catch (error) {
        if (!(error instanceof JqlError)) throw error;
        errors[dc10 ? 'configuration.FILTERS' : 'filters'] = error.message;
      }
    }
    if (Object.keys(errors).length > 0) return sendErrors(res, 400, [], errors);

    // Where the secret lives: Cloud a top-level `secret`; DC 10 `configuration.SECRET`; DC 9 has no secret at all.
    const rawSecret = dc10 ? configuration.SECRET : this.#context.cloud ? body.secret : undefined;
    const secret = typeof rawSecret === 'string' && rawSecret !== '' ? rawSecret : undefined;
    const excludeRaw = dc10 ? configuration.EXCLUDE_BODY : body.excludeBody;
    const delivery: FakeWebhook = {
      url,
      events: events as JiraWebhookEvent[],
      ...(secret === undefined ? {} : { secret }),
      ...(jql === '' ? {} : { jql }),
    };
    const hook: AdminWebhook = {
      id: this.#nextId++,
      name,
      url,
      events,
      jql,
      excludeBody: excludeRaw === true || excludeRaw === 'true',
      ...(typeof configuration.DESCRIPTION === 'string' && dc10 ? { description: configuration.DESCRIPTION } : {}),
      ...(secret === undefined ? {} : { secret }),
      lastUpdated: req.now,
      lastUpdatedBy: req.user,
      delivery,
    };
    this.#hooks.push(hook);
    this.#context.register(delivery);
    sendJson(res, 201, this.#render(hook));
  }

  #render(hook: AdminWebhook): Record<string, unknown> {
    const { dialect, siteUrl, userId } = this.#context;
    if (dialect === 'jira-webhook-1.0') {
      // [GUESS] The DC 10 response shape is not in the reference: the request's fields plus an id and dates,
      // the secret never shown (as Cloud never shows it).
      return {
        id: hook.id,
        name: hook.name,
        url: hook.url,
        active: true,
        events: hook.events,
        configuration: { FILTERS: hook.jql, EXCLUDE_BODY: String(hook.excludeBody), ...(hook.description === undefined ? {} : { DESCRIPTION: hook.description }) },
        createdDate: hook.lastUpdated,
        updatedDate: hook.lastUpdated,
        self: `${siteUrl}${DC10_WEBHOOKS_PATH}/${hook.id}`,
      };
    }
    return {
      name: hook.name,
      url: hook.url,
      excludeBody: hook.excludeBody,
      filters: { 'issue-related-events-section': hook.jql },
      events: hook.events,
      enabled: true,
      self: `${siteUrl}${LEGACY_WEBHOOKS_PATH}/${hook.id}`,
      lastUpdatedUser: userId(hook.lastUpdatedBy),
      lastUpdatedDisplayName: hook.lastUpdatedBy.displayName,
      lastUpdated: hook.lastUpdated,
      // Cloud says whether a secret is set (the DOC's isSigned); DC 9 cannot sign.
      ...(this.#context.cloud ? { isSigned: hook.secret !== undefined } : {}),
    };
  }
}
