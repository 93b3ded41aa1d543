/**
 * Validates requests (and, on demand, the sandbox's own answers) against Atlassian's OpenAPI document for Jira Cloud
 * REST v2 (the copy in ../shared/reference/, plus the post-snapshot operations and corrections of
 * `openapi-supplement.ts`). The 3 MB document is parsed
 * once per process and per path; validators compile lazily per operation (openapi-backend "quick" mode), which keeps
 * the first start at a few hundred milliseconds instead of ~12 s for compiling all 600+ operations.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { OpenAPIBackend } from 'openapi-backend';
import { supplementalPaths, supplementalSchemas } from './openapi-supplement.ts';

/** `../shared/reference/...` beside the repository root: /work/shared locally, `../shared` in CI's clone. */
export const DEFAULT_OPENAPI_PATH = fileURLToPath(new URL('../../../../../shared/reference/jira-cloud-rest-v2.openapi.json', import.meta.url));

export interface RequestToValidate {
  method: string;
  /** Path from `/rest/api/2/...`, context path removed. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or the raw text when it did not parse; undefined for no body. */
  body: unknown;
}

export interface ResponseToValidate {
  /** The request answered (method and path from `/rest/api/2/...`), to find the operation. */
  method: string;
  path: string;
  status: number;
  /** Parsed JSON body. */
  body: unknown;
}

export interface OpenApiValidator {
  /** Human-readable violations; empty when the request conforms. */
  validate(request: RequestToValidate): string[];
  /** Human-readable violations of the operation's response schema for `status`; empty when the answer conforms. */
  validateResponse(response: ResponseToValidate): string[];
}

const cache = new Map<string, Promise<OpenApiValidator>>();

/** Loads (once per process and path) and returns the validator. */
export function loadOpenApiValidator(path: string = DEFAULT_OPENAPI_PATH): Promise<OpenApiValidator> {
  let pending = cache.get(path);
  if (!pending) {
    pending = build(path);
    // A failed load (missing file) must not poison later attempts with a fixed path.
    pending.catch(() => cache.delete(path));
    cache.set(path, pending);
  }
  return pending;
}

type Backend = OpenAPIBackend;

async function build(path: string): Promise<OpenApiValidator> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`Jira fake: cannot read the OpenAPI document at ${path} (the shared/ folder must sit beside the repository, or pass openApiValidation: '<path>')`, { cause: error });
  }
  const document = JSON.parse(text) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
  document.paths = { ...document.paths, ...supplementalPaths };
  document.components.schemas = { ...document.components.schemas, ...supplementalSchemas };
  // Loaded on demand: a fake without validation (the local sandbox) should not pay for Ajv and the router.
  const { OpenAPIBackend: BackendClass } = await import('openapi-backend');
  const backend: Backend = new BackendClass({
    definition: document as never,
    quick: true,
    validate: true,
    coerceTypes: true,
    // The document uses formats (int32, uri, ...) Ajv does not know; ignoring them silently is what we want.
    ajvOpts: { strict: false, logger: false },
  });
  await backend.init();
  return { validate: (request) => validate(backend, request), validateResponse: (response) => validateResponse(backend, response) };
}

function validateResponse(backend: Backend, response: ResponseToValidate): string[] {
  const label = `${response.method.toUpperCase()} ${response.path} ${response.status}`;
  const operation = backend.router.matchOperation({ method: response.method.toLowerCase(), path: response.path, headers: {} });
  if (!operation) return [`OpenAPI: ${label}: no such operation in the Jira Cloud REST v2 document`];
  const result = backend.validator.validateResponse(response.body, operation, response.status);
  return (result.errors ?? []).map((error) => `OpenAPI: ${label}: ${describe(error, 'response')}`);
}

type AjvError = NonNullable<ReturnType<Backend['validator']['validateResponse']>['errors']>[number];

/** `where message (detail)`, e.g. `requestBody.fields must be object` or `changelog.histories.0 must NOT have ...`. */
function describe(error: AjvError, root: string): string {
  const where = error.instancePath === '' ? root : error.instancePath.slice(1).replace(/\//g, '.');
  const params = error.params as Record<string, unknown>;
  const detail =
    error.keyword === 'additionalProperties' ? ` ('${String(params.additionalProperty)}')`
    : error.keyword === 'enum' ? ` (${(params.allowedValues as unknown[]).join(', ')})`
    : '';
  return `${where} ${error.message ?? 'is invalid'}${detail}`;
}

function validate(backend: Backend, request: RequestToValidate): string[] {
  const label = `${request.method.toUpperCase()} ${request.path}`;
  const req = {
    method: request.method.toLowerCase(),
    path: request.path,
    headers: Object.fromEntries(Object.entries(request.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined)),
    query: request.query,
    body: request.body,
  };
  const operation = backend.router.matchOperation(req);
  if (!operation) return [`OpenAPI: ${label}: no such operation in the Jira Cloud REST v2 document`];

  const problems: string[] = [];
  const content = (operation.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
  if (content && request.body !== undefined) {
    const mediaType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!Object.keys(content).includes(mediaType)) problems.push(`OpenAPI: ${label}: content-type '${mediaType}' is not one of ${Object.keys(content).join(', ')}`);
  }
  if (!content && request.body !== undefined) problems.push(`OpenAPI: ${label}: this operation takes no request body`);

  const result = backend.validator.validateRequest(req, operation);
  for (const error of result.errors ?? []) {
    if (error.keyword === 'parse') continue; // a body that is not JSON is already reported as a type error
    problems.push(`OpenAPI: ${label}: ${describe(error, 'request')}`);
  }
  return problems;
}
