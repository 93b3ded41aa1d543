/** Jira's error answers: ErrorCollection bodies, the 401 variants, 404 for unknown resources, injected faults. */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendJson, sendText } from '../common/http-server.ts';
import type { AuthResult } from './auth.ts';
import type { JiraFault } from './types.ts';

export function sendErrors(res: ServerResponse, status: number, errorMessages: string[], errors: Record<string, string> = {}, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errorMessages, errors }, headers);
}

/**
 * No credentials: Jira's JSON "not authenticated". Bad credentials: the login-failed page Jira's servlet filter
 * answers before any REST code runs (HTML, `X-Seraph-LoginReason`), or the OAuth problem report.
 */
export function sendUnauthorized(res: ServerResponse, result: Extract<AuthResult, { ok: false }>, siteUrl: string): void {
  if (result.reason === 'missing') {
    sendErrors(res, 401, ['You are not authenticated. Authentication required to perform this operation.'], {}, {
      'www-authenticate': 'Basic realm="protected-area"',
    });
    return;
  }
  if (result.oauthProblem) {
    sendText(res, 401, `oauth_problem=${result.oauthProblem}`, 'text/plain;charset=UTF-8', {
      'www-authenticate': `OAuth realm="${siteUrl}", oauth_problem="${result.oauthProblem}"`,
    });
    return;
  }
  sendText(res, 401, '<html><head><title>Unauthorized (401)</title></head><body><h1>Unauthorized (401)</h1><p>Basic authentication failed.</p></body></html>', 'text/html;charset=UTF-8', {
    'www-authenticate': 'Basic realm="protected-area"',
    'x-seraph-loginreason': 'AUTHENTICATED_FAILED',
  });
}

/** Jersey's answer for a path no resource serves. */
export function sendNoResource(res: ServerResponse, url: string): void {
  sendJson(res, 404, { message: `null for uri: ${url}`, 'status-code': 404 });
}

const DEFAULT_FAULT_MESSAGES: Record<number, string> = {
  400: 'Bad request (injected by the Jira fake).',
  401: 'You are not authenticated. Authentication required to perform this operation.',
  403: 'You do not have permission to perform this operation.',
  404: 'Issue does not exist or you do not have permission to see it.',
  409: 'Conflict.',
  429: 'Rate limit exceeded.',
  500: 'Internal server error.',
  502: 'Bad gateway.',
  503: 'Service unavailable.',
  504: 'Gateway timeout.',
};

export function sendFault(res: ServerResponse, fault: JiraFault & { status: number }): void {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
  if (fault.rateLimit) {
    const { reason, limit, remaining, reset, nearLimit } = fault.rateLimit;
    if (reason !== undefined) headers['ratelimit-reason'] = reason;
    if (limit !== undefined) headers['x-ratelimit-limit'] = String(limit);
    if (remaining !== undefined) headers['x-ratelimit-remaining'] = String(remaining);
    if (reset !== undefined) headers['x-ratelimit-reset'] = reset;
    if (nearLimit) headers['x-ratelimit-nearlimit'] = 'true';
  }
  Object.assign(headers, fault.headers);
  if (fault.body === null) return sendEmpty(res, fault.status, headers);
  if (typeof fault.body === 'string') return sendText(res, fault.status, fault.body, 'text/plain;charset=UTF-8', headers);
  const body = fault.body ?? { errorMessages: [DEFAULT_FAULT_MESSAGES[fault.status] ?? `HTTP ${fault.status} (injected by the Jira fake).`], errors: {} };
  sendJson(res, fault.status, body, headers);
}
