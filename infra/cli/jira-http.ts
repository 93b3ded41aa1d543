/**
 * Jira calls for the admin commands: the configured credentials (signed per attempt, so OAuth gets a fresh nonce
 * and timestamp each time), a deadline, and failures turned into messages that name the fix.
 */
import { jiraAuthHeaders, type JiraAuthSettings } from '../../shared/adapters/jira/jira-auth.ts';
import { jiraSecretNames } from '../../shared/domain/config/index.ts';
import { PermanentError } from '../../shared/ports/errors.ts';
import type { AuthContext } from './auth-context.ts';
import { CliError } from './cli-error.ts';

const TIMEOUT_MS = 20_000;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One HTTP request; a network failure names the URL and the cause. */
export async function httpRequest(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new CliError(`Jira is unreachable at ${url} (${reason}): check jira.apiUrl in the config and the network`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Resolves the secrets `jira.auth` names and returns the header builder the bridge's adapter uses. */
export async function jiraCredentials(context: AuthContext, override: Record<string, string> = {}): Promise<(request: { method: string; url: string }) => Record<string, string>> {
  const auth = context.integration.jira.auth as JiraAuthSettings;
  const resolved: Record<string, string> = {};
  for (const name of jiraSecretNames(context.integration.jira.auth)) {
    const value = override[name] ?? (await context.secrets.find(name));
    if (value === undefined) {
      const hint = auth.type === 'oauth1' ? (name === auth.privateKeySecret ? ' (run "oauth init")' : ' (run "oauth authorize")') : '';
      throw new CliError(`the Jira credentials secret ${context.secrets.describe(name)} does not exist${hint}`);
    }
    resolved[name] = value;
  }
  try {
    return jiraAuthHeaders(auth, resolved);
  } catch (error) {
    if (error instanceof PermanentError) throw new CliError(error.message);
    throw error;
  }
}

/** A JSON call to Jira with the configured credentials. */
export async function jiraCall(headers: (request: { method: string; url: string }) => Record<string, string>, method: string, url: string, body?: unknown): Promise<HttpAnswer> {
  return httpRequest(url, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers({ method, url }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Jira's own words from an error answer (ErrorCollection, OAuth problem or status), never a secret of ours. */
export function jiraMessage(answer: HttpAnswer): string {
  const body = answer.json as { errorMessages?: unknown; errors?: unknown; message?: unknown } | undefined;
  const parts: string[] = [];
  if (Array.isArray(body?.errorMessages)) parts.push(...body.errorMessages.map(String));
  if (body?.errors && typeof body.errors === 'object') parts.push(...Object.entries(body.errors).map(([field, message]) => `${field}: ${String(message)}`));
  if (typeof body?.message === 'string') parts.push(body.message);
  const problem = /oauth_problem=([a-z_]+)/.exec(answer.text)?.[1];
  if (problem) parts.push(`oauth_problem=${problem}`);
  return parts.length > 0 ? parts.join('; ') : `HTTP ${answer.status}`;
}

/** The fix for an authentication or permission refusal. */
export function refusalHint(status: number, what: string): string {
  if (status === 401) return 'the credentials in jira.auth were refused: check the secrets they name';
  if (status === 403) return `the account in jira.auth may not ${what}: it needs the Administer Jira permission`;
  return '';
}
