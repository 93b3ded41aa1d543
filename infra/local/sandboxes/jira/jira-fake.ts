/**
 * The local stack's Jira sandbox (Cloud or Server/Data Center REST API v2): a real HTTP server on 127.0.0.1 that
 * checks credentials, validates issue creation and edits like Jira, searches with a JQL subset, can lag like Cloud
 * search, rate-limits like Cloud's burst limit (`rateLimit`), runs a workflow (transitions, resolutions), keeps project versions (fixVersions and version pickers),
 * comments and issue links, keeps each issue's history (`expand=changelog`, by whoever changed it), knows users in
 * both dialects, sends signed webhooks with retries, validates requests against Atlassian's OpenAPI document and
 * injects faults. `npm start` runs it for integrations whose config gives no Jira URL; the integration
 * and e2e tests use it too. Its shapes come from ../shared/reference/ alone (it imports nothing from the bridge), so
 * it witnesses the adapter independently.
 *
 * @example
 * ```ts
 * const jira = await startJiraFake({ searchLagMs: 2_000, webhooks: { url: receiverUrl, secret: 'webhook-secret' } });
 * jira.failNext({ status: 429, retryAfter: '1', path: /\/issue$/, method: 'POST' });
 * // ... drive the bridge against jira.apiUrl with Basic bot@example.com:sandbox-token ...
 * expect(jira.issues).toHaveLength(1);
 * jira.actAs('Ana Lima').transition('CRASH-1', 'Done'); // as a person in Jira's UI: webhooks follow, history records it
 * jira.actAs('Ana Lima').setFixVersions('CRASH-1', ['2.4.0']); // a version of the project (`projects[].versions`)
 * await jira.webhooksIdle();
 * await jira.close();
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from '../common/fault-queue.ts';
import { queryToRecord, readBody, sendJson, startLoopbackServer } from '../common/http-server.ts';
import { Outbox } from '../common/outbox.ts';
import { BurstLimiter } from './rate-limit.ts';
import { Authenticator } from './auth.ts';
import { defaultJiraAuth, defaultJiraUsers, defaultSandboxProject } from './defaults.ts';
import { FieldCatalogue } from './fields.ts';
import { IssueChanges } from './issue-changes.ts';
import { IssueLinks } from './issue-links.ts';
import { IssueStore } from './issue-store.ts';
import { loadOpenApiValidator } from './openapi-validator.ts';
import { ProjectDirectory } from './projects.ts';
import { sendErrors, sendFault, sendNoResource, sendUnauthorized } from './responses.ts';
import { routeApiRequest, type JiraState } from './routes.ts';
import { sendBrowsePage } from './browse-page.ts';
import { uiSession } from './ui.ts';
import { UserDirectory } from './users.ts';
import { VersionCatalogue } from './versions.ts';
import { WebhookDispatcher } from './webhooks.ts';
import { Workflow } from './workflow.ts';
import type { JiraFake, JiraFakeOptions, JiraFault, RecordedRequest } from './types.ts';

export type * from './types.ts';
export type { FakeRateLimit } from './rate-limit.ts';
export { defaultSandboxProject, defaultJiraAuth, defaultJiraUsers, DEFAULT_JIRA_USER, DEFAULT_JIRA_SECRET } from './defaults.ts';
export { STATUS_CATEGORIES } from './workflow.ts';
export { DEFAULT_OPENAPI_PATH, loadOpenApiValidator } from './openapi-validator.ts';
export type { OpenApiValidator, ResponseToValidate } from './openapi-validator.ts';

const API_PREFIX = '/rest/api/2';

export async function startJiraFake(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const deployment = options.deployment ?? 'Cloud';
  const contextPath = normalizeContextPath(options.contextPath ?? '');
  const validator = options.openApiValidation
    ? await loadOpenApiValidator(typeof options.openApiValidation === 'string' ? options.openApiValidation : undefined)
    : undefined;
  const catalogue = new FieldCatalogue(deployment, options.fields ?? []);
  const projects = new ProjectDirectory(options.projects ?? [defaultSandboxProject()], catalogue);
  const versions = new VersionCatalogue(projects.projects);
  const links = new IssueLinks();
  const workflow = new Workflow(deployment, options.workflow, options.resolutions);
  const authenticator = new Authenticator(options.auth ?? defaultJiraAuth());
  const faults = new FaultQueue<JiraFault>();
  const burstLimiter = new BurstLimiter(options.rateLimit);
  const requests: RecordedRequest[] = [];
  const validationErrors: string[] = [];
  let state: JiraState | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', server.origin);
    const query = queryToRecord(url.searchParams);
    const body = await readBody(req);
    const bodyValue = body.json ?? (body.raw === '' ? undefined : body.raw);
    const recorded: RecordedRequest = { method, path: url.pathname, query, headers: req.headers, at: Date.now(), ...(bodyValue === undefined ? {} : { body: bodyValue }) };
    requests.push(recorded);
    res.once('finish', () => (recorded.status = res.statusCode));

    const inContext = contextPath === '' || url.pathname === contextPath || url.pathname.startsWith(`${contextPath}/`);
    const sitePath = inContext ? url.pathname.slice(contextPath.length) : undefined;
    // Violations are recorded even when a fault or a 401 answers the request: the test still wants to know.
    const violations =
      validator && sitePath?.startsWith('/rest/')
        ? validator.validate({ method, path: sitePath, query, headers: req.headers, body: bodyValue })
        : [];
    validationErrors.push(...violations);

    const fault = faults.take(method, url.pathname);
    if (fault?.delayMs) await server.sleep(fault.delayMs);
    if (fault?.status !== undefined) return sendFault(res, { ...fault, status: fault.status });
    const limited = url.pathname.includes('/rest/') ? burstLimiter.check(method, url.pathname, Date.now()) : undefined;
    if (limited) return sendFault(res, { status: 429, headers: limited.headers });

    const browse = method === 'GET' ? /^\/browse\/([A-Za-z][A-Za-z0-9_]*-\d+)$/.exec(sitePath ?? '') : null;
    if (browse) return sendBrowsePage(res, store.find(browse[1]!), browse[1]!);

    const isForm = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
    const auth = authenticator.authenticate(req, isForm ? body.raw : undefined, Date.now());
    if (!auth.ok) return sendUnauthorized(res, auth, server.origin + contextPath);

    if (violations.length > 0) return sendErrors(res, 400, violations);
    if (sitePath === undefined || !(sitePath === API_PREFIX || sitePath.startsWith(`${API_PREFIX}/`))) return sendNoResource(res, url.href);
    if ((method === 'POST' || method === 'PUT') && !/^application\/json/i.test(req.headers['content-type'] ?? '')) {
      return sendErrors(res, 415, ['Unsupported Media Type: send the body as application/json.']);
    }
    if (body.jsonError) return sendErrors(res, 400, [`Unexpected character in the JSON body: ${body.jsonError}`]);

    routeApiRequest(state!, { method, path: sitePath.slice(API_PREFIX.length), url: url.href, query, body: body.json, principal: auth.principal, now: Date.now() }, res);
  };

  const server = await startLoopbackServer(handle, (res, error) =>
    sendJson(res, 500, { errorMessages: [`Jira fake failed: ${error instanceof Error ? error.message : String(error)}`], errors: {} }),
  );
  const siteUrl = server.origin + contextPath;
  const apiUrl = `${siteUrl}${API_PREFIX}/`;
  const users = new UserDirectory(deployment, options.users ?? defaultJiraUsers(deployment), { apiUrl, siteUrl });
  const store = new IssueStore({ deployment, apiUrl, siteUrl, workflow, users, links });
  const outbox = new Outbox();
  const webhooks = new WebhookDispatcher({ deployment, apiUrl, store, catalogue, users }, outbox);
  for (const hook of [options.webhooks ?? []].flat()) webhooks.add(hook);
  const changes = new IssueChanges({ deployment, apiUrl, store, workflow, users, emit: (event) => webhooks.dispatch(event) });
  state = { deployment, siteUrl, apiUrl, catalogue, projects, versions, links, store, searchLagMs: options.searchLagMs ?? 0, users, workflow, changes };

  return {
    url: siteUrl,
    apiUrl,
    deployment,
    issues: store.issues,
    versions: versions.all,
    users: users.users,
    requests,
    validationErrors,
    findIssue: (idOrKey) => store.find(idOrKey),
    actAs: (user) => uiSession({ store, projects, versions, catalogue, users, workflow, changes }, user),
    addWebhook: (hook) => webhooks.add(hook),
    removeWebhooks: () => webhooks.clear(),
    webhookDeliveries: outbox.deliveries,
    webhooksIdle: () => outbox.idle(),
    failNext: (spec) => faults.add(spec),
    setRateLimit: (limit) => burstLimiter.set(limit),
    reset: () => {
      store.reset();
      links.reset();
      versions.reset();
      users.reset();
      changes.reset();
      outbox.reset();
      requests.length = 0;
      validationErrors.length = 0;
      faults.clear();
      authenticator.reset();
    },
    close: async () => {
      await outbox.close();
      await server.close();
    },
  };
}

function normalizeContextPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
