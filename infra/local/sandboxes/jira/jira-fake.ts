/**
 * The local stack's Jira sandbox (Cloud or Server/Data Center REST API v2): a real HTTP server on 127.0.0.1 that
 * checks credentials, validates issue creation and edits like Jira, searches with a JQL subset, can lag like Cloud
 * search, rate-limits like Cloud's burst limit (`rateLimit`), runs a workflow (transitions, resolutions), keeps project versions (fixVersions and version pickers),
 * comments and issue links, keeps each issue's history (`expand=changelog`, by whoever changed it), knows users in
 * both dialects, sends signed webhooks with retries, serves the admin webhook resources of Cloud, DC 9 and DC 10
 * (`serverVersion`) and the OAuth 1.0a provider of an application link (`auth.oauth1`), validates requests against
 * Atlassian's OpenAPI document and injects faults. Its pages (`site-pages.ts`: the issue list at `/`, the issue at
 * `/browse/KEY`) let a person picked on the page transition, assign and set Fix Versions. `npm start` runs it for
 * integrations whose config gives no Jira URL; the integration and e2e tests use it too. Its shapes come from ../shared/reference/ alone (it imports nothing from the bridge), so
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
import { handleSitePage, type SitePagesContext } from './site-pages.ts';
import { uiSession } from './ui.ts';
import { UserDirectory } from './users.ts';
import { VersionCatalogue } from './versions.ts';
import { WebhookDispatcher } from './webhooks.ts';
import { isWebhookAdminPath, WebhookAdmin } from './webhook-admin.ts';
import { compileWebhookJql, webhookJqlMatches } from './webhook-jql.ts';
import { OAUTH_SERVLET, OAuthProvider } from './oauth-provider.ts';
import { Workflow } from './workflow.ts';
import type { FakeUserRef, JiraFake, JiraFakeOptions, JiraFault, RecordedRequest } from './types.ts';

export type * from './types.ts';
export type { FakeRateLimit } from './rate-limit.ts';
export { defaultSandboxProject, defaultJiraAuth, defaultJiraUsers, DEFAULT_JIRA_USER, DEFAULT_JIRA_SECRET } from './defaults.ts';
export { STATUS_CATEGORIES } from './workflow.ts';
export { DEFAULT_OPENAPI_PATH, loadOpenApiValidator } from './openapi-validator.ts';
export type { OpenApiValidator, ResponseToValidate } from './openapi-validator.ts';

const API_PREFIX = '/rest/api/2';

export async function startJiraFake(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const deployment = options.deployment ?? 'Cloud';
  const serverVersion = options.serverVersion ?? '9.12.15';
  if (!/^\d+\.\d+\.\d+$/.test(serverVersion)) throw new Error(`Jira fake: serverVersion must look like '10.3.0', not ${JSON.stringify(serverVersion)}`);
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
  let pages: SitePagesContext | undefined;

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
    // The admin webhook resources are not in the Cloud REST v2 document (section 6.3), so they are not validated.
    const violations =
      validator && sitePath?.startsWith('/rest/') && !isWebhookAdminPath(sitePath)
        ? validator.validate({ method, path: sitePath, query, headers: req.headers, body: bodyValue })
        : [];
    validationErrors.push(...violations);

    const fault = faults.take(method, url.pathname);
    if (fault?.delayMs) await server.sleep(fault.delayMs);
    if (fault?.status !== undefined) return sendFault(res, { ...fault, status: fault.status });
    const limited = url.pathname.includes('/rest/') ? burstLimiter.check(method, url.pathname, Date.now()) : undefined;
    if (limited) return sendFault(res, { status: 429, headers: limited.headers });

    // The browser pages (issue list, issue page with a person's actions) need no login in the sandbox.
    if (sitePath !== undefined && handleSitePage(pages!, { method, sitePath, query: url.searchParams, body: body.raw }, res)) return;

    // The OAuth servlets check their own signatures (request and access tokens are not API credentials).
    if (sitePath?.startsWith(`${OAUTH_SERVLET}/`)) {
      if (!oauthProvider) return sendNoResource(res, url.href);
      return oauthProvider.handle(req, res, sitePath.slice(OAUTH_SERVLET.length), url, body.raw, Date.now());
    }

    const isForm = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
    const auth = authenticator.authenticate(req, isForm ? body.raw : undefined, Date.now());
    if (!auth.ok) return sendUnauthorized(res, auth, server.origin + contextPath);

    if (sitePath !== undefined && isWebhookAdminPath(sitePath)) {
      if (body.jsonError) return sendErrors(res, 400, [`Unexpected character in the JSON body: ${body.jsonError}`]);
      return webhookAdmin.handle({ method, path: sitePath, url: url.href, body: body.json, user: users.forPrincipal(auth.principal), now: Date.now() }, res);
    }

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
  const webhooks = new WebhookDispatcher({ deployment, apiUrl, store, catalogue, users, matchesJql: (issue, jql) => webhookJqlMatches(projects, issue, jql) }, outbox);
  const webhookAdmin = new WebhookAdmin({
    dialect: deployment === 'Server' && Number(serverVersion.split('.')[0]) >= 10 ? 'jira-webhook-1.0' : 'webhooks-1.0',
    cloud: deployment === 'Cloud',
    siteUrl,
    compile: (jql) => compileWebhookJql(projects, jql),
    register: (hook) => webhooks.add(hook),
    unregister: (hook) => webhooks.remove(hook),
    userId: (user) => users.changelogId(user),
  });
  const oauthVerifier = authenticator.oauth1;
  const oauthProvider = oauthVerifier
    ? new OAuthProvider({
        verifier: oauthVerifier,
        resolveUser: (ref) => users.resolve(ref),
        principalName: (user) => (deployment === 'Cloud' ? (user.emailAddress ?? user.accountId ?? user.displayName) : (user.name ?? user.displayName)),
        users: () => users.users,
      })
    : undefined;
  for (const hook of [options.webhooks ?? []].flat()) webhooks.add(hook);
  const changes = new IssueChanges({ deployment, apiUrl, store, workflow, users, emit: (event) => webhooks.dispatch(event) });
  const sessionFor = (user: FakeUserRef) => uiSession({ store, projects, versions, catalogue, users, workflow, changes }, user);
  const integrationLogins = (options.auth ?? defaultJiraAuth()).basic?.map((credential) => credential.user) ?? [];
  pages = { deployment, contextPath, store, projects, versions, users, workflow, integrationLogins, session: sessionFor };
  state = { deployment, serverVersion, siteUrl, apiUrl, catalogue, projects, versions, links, store, searchLagMs: options.searchLagMs ?? 0, users, workflow, changes };

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
    actAs: sessionFor,
    addWebhook: (hook) => webhooks.add(hook),
    approveOAuthToken: (requestToken, user, decision) => {
      if (!oauthProvider) return { ok: false, message: 'The Jira fake has no OAuth application link (start it with auth.oauth1).' };
      const outcome = oauthProvider.decide(requestToken, user, decision);
      return outcome.ok ? { ok: true, ...(outcome.verifier === undefined ? {} : { verifier: outcome.verifier }) } : outcome;
    },
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
