/**
 * A Jira (Cloud or Server/Data Center) REST API v2 fake: a real HTTP server on 127.0.0.1 that checks credentials,
 * validates issue creation like Jira, searches with a JQL subset, can lag like Cloud search, validates requests
 * against Atlassian's OpenAPI document and injects faults. Used by the integration and e2e tests and, as the Jira
 * sandbox, by the local stack.
 *
 * @example
 * ```ts
 * const jira = await startJiraFake({ searchLagMs: 2_000 });
 * jira.failNext({ status: 429, retryAfter: '1', path: /\/issue$/, method: 'POST' });
 * // ... drive the bridge against jira.apiUrl with Basic bot@example.com:sandbox-token ...
 * expect(jira.issues).toHaveLength(1);
 * await jira.close();
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from '../shared/fault-queue.ts';
import { queryToRecord, readBody, sendJson, startLoopbackServer } from '../shared/http-server.ts';
import { Authenticator } from './auth.ts';
import { defaultJiraAuth, defaultSandboxProject } from './defaults.ts';
import { FieldCatalogue } from './fields.ts';
import { IssueStore } from './issue-store.ts';
import { loadOpenApiValidator } from './openapi-validator.ts';
import { ProjectDirectory } from './projects.ts';
import { sendErrors, sendFault, sendNoResource, sendUnauthorized } from './responses.ts';
import { routeApiRequest, type JiraState } from './routes.ts';
import type { JiraFake, JiraFakeOptions, JiraFault, RecordedRequest } from './types.ts';

export type * from './types.ts';
export { defaultSandboxProject, defaultJiraAuth, DEFAULT_JIRA_USER, DEFAULT_JIRA_SECRET } from './defaults.ts';
export { DEFAULT_OPENAPI_PATH } from './openapi-validator.ts';

const API_PREFIX = '/rest/api/2';

export async function startJiraFake(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const deployment = options.deployment ?? 'Cloud';
  const contextPath = normalizeContextPath(options.contextPath ?? '');
  const validator = options.openApiValidation
    ? await loadOpenApiValidator(typeof options.openApiValidation === 'string' ? options.openApiValidation : undefined)
    : undefined;
  const catalogue = new FieldCatalogue(deployment, options.fields ?? []);
  const projects = new ProjectDirectory(options.projects ?? [defaultSandboxProject()], catalogue);
  const authenticator = new Authenticator(options.auth ?? defaultJiraAuth());
  const faults = new FaultQueue<JiraFault>();
  const requests: RecordedRequest[] = [];
  const validationErrors: string[] = [];
  let state: JiraState | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', server.origin);
    const query = queryToRecord(url.searchParams);
    const body = await readBody(req);
    const bodyValue = body.json ?? (body.raw === '' ? undefined : body.raw);
    requests.push({ method, path: url.pathname, query, headers: req.headers, ...(bodyValue === undefined ? {} : { body: bodyValue }) });

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
  const store = new IssueStore(apiUrl, siteUrl);
  state = { deployment, siteUrl, apiUrl, catalogue, projects, store, searchLagMs: options.searchLagMs ?? 0 };

  return {
    url: siteUrl,
    apiUrl,
    deployment,
    issues: store.issues,
    requests,
    validationErrors,
    failNext: (spec) => faults.add(spec),
    reset: () => {
      store.reset();
      requests.length = 0;
      validationErrors.length = 0;
      faults.clear();
      authenticator.reset();
    },
    close: () => server.close(),
  };
}

function normalizeContextPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
