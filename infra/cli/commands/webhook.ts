/**
 * `webhook register|list|delete`: the Jira admin webhook that feeds the bridge's `/jira/webhook` route (reference
 * section 6.3), through the resource this Jira serves (`serverInfo` tells Cloud, DC 9 and older, DC 10 and later).
 * Events issue created/updated/deleted, JQL `project = <jira.projectKey>`, the `jiraWebhook.secret` as the HMAC key
 * (or as the URL's `token` for `verification: "query-token"`). register is idempotent: an identical webhook for the
 * URL is reported, not duplicated; a different one is named, not overwritten.
 */
import type { Command } from 'commander';
import { loadAuthContext, type AuthContext, type GlobalOptions } from '../auth-context.ts';
import { CliError } from '../cli-error.ts';
import { commandOutput, runAction, type CommandOutput } from '../command-output.ts';
import { jiraCall, jiraCredentials, jiraMessage, refusalHint, type HttpAnswer } from '../jira-http.ts';
import {
  readListedWebhook,
  redactWebhookUrl,
  sameWebhookUrl,
  webhookDialect,
  webhookDifferences,
  webhookRequestBody,
  WEBHOOK_EVENTS,
  WEBHOOK_PATHS,
  type DesiredWebhook,
  type ListedWebhook,
  type ServerInfo,
  type WebhookDialect,
} from '../webhook/webhook-spec.ts';

interface Session {
  context: AuthContext;
  headers: Awaited<ReturnType<typeof jiraCredentials>>;
  dialect: WebhookDialect;
  label: string;
  canSign: boolean;
  base: string;
}

/** Adds `webhook register|list|delete` to the root program. */
export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description("the Jira admin webhook that sends issue events to the bridge's /jira/webhook URL");
  const urlOption = '--url <url>';
  const urlHelp = "the bridge's Jira webhook URL (the deployed stack's JiraWebhookUrl output, or the local stack's /jira/webhook)";

  webhook
    .command('register')
    .description('register the webhook (events issue created/updated/deleted, JQL project = KEY, the jiraWebhook secret); an identical one is reported, not duplicated')
    .requiredOption(urlOption, urlHelp)
    .option('--name <name>', 'the webhook name shown in Jira (default backtrace-bridge-<integration>)')
    .action(async (flags: { url: string; name?: string }, command: Command) => {
      const globals = program.opts<GlobalOptions>();
      await runAction(command, () => register(globals, flags, commandOutput(command, globals.json === true)));
    });

  webhook
    .command('list')
    .description('list the admin webhooks of this Jira (only those for --url, when given)')
    .option(urlOption, urlHelp)
    .action(async (flags: { url?: string }, command: Command) => {
      const globals = program.opts<GlobalOptions>();
      await runAction(command, () => list(globals, flags, commandOutput(command, globals.json === true)));
    });

  webhook
    .command('delete')
    .description('delete every admin webhook for --url')
    .requiredOption(urlOption, urlHelp)
    .action(async (flags: { url: string }, command: Command) => {
      const globals = program.opts<GlobalOptions>();
      await runAction(command, () => remove(globals, flags, commandOutput(command, globals.json === true)));
    });
}

function checkUrl(url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new CliError(`--url must be an absolute http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com/jira/webhook (got "${url}")`);
  }
  return url;
}

async function open(globals: GlobalOptions): Promise<Session> {
  const context = await loadAuthContext(globals);
  const headers = await jiraCredentials(context);
  const info = await jiraCall(headers, 'GET', `${context.integration.jira.apiUrl}serverInfo`);
  if (info.status !== 200) throw failure(info, `GET ${context.integration.jira.apiUrl}serverInfo`, 'read serverInfo');
  const { dialect, label, canSign } = webhookDialect(info.json as ServerInfo);
  return { context, headers, dialect, label, canSign, base: `${context.integration.jira.siteUrl}${WEBHOOK_PATHS[dialect]}` };
}

function failure(answer: HttpAnswer, request: string, what: string): CliError {
  const hint = refusalHint(answer.status, what);
  return new CliError(`${request} answered ${answer.status}: ${jiraMessage(answer)}${hint ? `; ${hint}` : ''}`);
}

async function listed(session: Session): Promise<ListedWebhook[]> {
  const answer = await jiraCall(session.headers, 'GET', session.base);
  if (answer.status !== 200) throw failure(answer, `GET ${session.base}`, 'list webhooks');
  const items = Array.isArray(answer.json) ? answer.json : ((answer.json as { values?: unknown[] } | undefined)?.values ?? []);
  return items.map((item) => readListedWebhook(session.dialect, item));
}

/** The webhook the config asks for: where the secret goes depends on the verification and on what Jira can do. */
async function desiredWebhook(session: Session, url: string, name: string | undefined): Promise<DesiredWebhook> {
  const { integration, secrets, configFile } = session.context;
  if (!integration.jiraWebhook) {
    throw new CliError(`integration "${integration.name}" has no jiraWebhook in ${configFile}: add "jiraWebhook": {"secret": "<secret name>"} so the bridge can verify Jira's deliveries`);
  }
  const secretName = integration.jiraWebhook.secret;
  const secret = await secrets.find(secretName);
  if (secret === undefined) throw new CliError(`the webhook secret ${secrets.describe(secretName)} (jiraWebhook.secret) does not exist: create it with a long random value`);
  const base = { name: name ?? `backtrace-bridge-${integration.name}`, jql: `project = ${integration.jira.projectKey}` };
  if (integration.jiraWebhook.verification === 'query-token') {
    const withToken = new URL(url);
    withToken.searchParams.set('token', secret);
    return { ...base, url: withToken.toString() };
  }
  if (!session.canSign) {
    throw new CliError(
      `${session.label} cannot sign webhooks (X-Hub-Signature needs Jira Cloud or Data Center 10+): set jiraWebhook.verification to "query-token" for integration "${integration.name}" in ${configFile}`,
    );
  }
  return { ...base, url, secret };
}

const show = (hook: ListedWebhook) => ({ ...hook, url: redactWebhookUrl(hook.url) });

async function register(globals: GlobalOptions, flags: { url: string; name?: string }, out: CommandOutput): Promise<void> {
  const url = checkUrl(flags.url);
  const session = await open(globals);
  const desired = await desiredWebhook(session, url, flags.name);
  const existing = (await listed(session)).filter((hook) => sameWebhookUrl(withoutToken(hook.url), withoutToken(url)));
  const identical = existing.find((hook) => sameWebhookUrl(hook.url, desired.url) && webhookDifferences(desired, hook).length === 0);
  const summary = { integration: session.context.integration.name, jira: session.label, resource: WEBHOOK_PATHS[session.dialect], events: [...WEBHOOK_EVENTS], jql: desired.jql, signed: desired.secret !== undefined };
  if (identical) {
    out.line(`Already registered on ${session.label}: webhook ${identical.id} "${identical.name}" -> ${redactWebhookUrl(identical.url)} (${desired.jql}); nothing changed.`);
    out.json({ ...summary, status: 'unchanged', webhook: show(identical) });
    return;
  }
  if (existing.length > 0) {
    const reasons = existing.map((hook) => `webhook ${hook.id} "${hook.name}": ${webhookDifferences(desired, hook).join('; ') || 'its URL token differs'}`);
    throw new CliError(`a webhook for ${redactWebhookUrl(url)} already exists with other settings (${reasons.join(' | ')}): remove it with "webhook delete --url ${redactWebhookUrl(url)}", then register again`);
  }
  const created = await jiraCall(session.headers, 'POST', session.base, webhookRequestBody(session.dialect, desired));
  if (created.status !== 201 && created.status !== 200) throw failure(created, `POST ${session.base}`, 'register webhooks');
  const hook = readListedWebhook(session.dialect, created.json);
  out.line(`Registered on ${session.label} (${WEBHOOK_PATHS[session.dialect]}): webhook ${hook.id} "${hook.name}" -> ${redactWebhookUrl(hook.url)}`);
  out.line(`  events ${WEBHOOK_EVENTS.join(', ')}; JQL ${desired.jql}; ${desired.secret !== undefined ? 'signed with the jiraWebhook secret (X-Hub-Signature)' : 'verified by the URL token (query-token)'}`);
  out.json({ ...summary, status: 'created', webhook: show(hook) });
}

async function list(globals: GlobalOptions, flags: { url?: string }, out: CommandOutput): Promise<void> {
  const url = flags.url === undefined ? undefined : checkUrl(flags.url);
  const session = await open(globals);
  const hooks = (await listed(session)).filter((hook) => url === undefined || sameWebhookUrl(withoutToken(hook.url), url));
  out.line(`${hooks.length} webhook(s) on ${session.label} (${WEBHOOK_PATHS[session.dialect]})${url ? ` for ${url}` : ''}:`);
  for (const hook of hooks) {
    out.line(`  ${hook.id}  ${hook.name}  ${redactWebhookUrl(hook.url)}  ${hook.enabled ? 'enabled' : 'disabled'}  events ${hook.events.join(',')}  JQL ${hook.jql || '(all issues)'}${hook.signed === undefined ? '' : hook.signed ? '  signed' : '  unsigned'}`);
  }
  out.json({ jira: session.label, resource: WEBHOOK_PATHS[session.dialect], webhooks: hooks.map(show) });
}

/** A listed URL without our `token` parameter, so `--url` finds query-token webhooks too. */
function withoutToken(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  parsed.searchParams.delete('token');
  return parsed.toString();
}

async function remove(globals: GlobalOptions, flags: { url: string }, out: CommandOutput): Promise<void> {
  const url = checkUrl(flags.url);
  const session = await open(globals);
  const targets = (await listed(session)).filter((hook) => sameWebhookUrl(withoutToken(hook.url), withoutToken(url)));
  for (const hook of targets) {
    const answer = await jiraCall(session.headers, 'DELETE', `${session.base}/${encodeURIComponent(hook.id)}`);
    // Gone already (someone else deleted it) is what we wanted.
    if (answer.status !== 204 && answer.status !== 200 && answer.status !== 404) throw failure(answer, `DELETE ${session.base}/${hook.id}`, 'delete webhooks');
  }
  out.line(targets.length === 0 ? `No webhook for ${url} on ${session.label}; nothing deleted.` : `Deleted ${targets.length} webhook(s) for ${url} on ${session.label}: ${targets.map((hook) => hook.id).join(', ')}`);
  out.json({ jira: session.label, resource: WEBHOOK_PATHS[session.dialect], status: targets.length === 0 ? 'none' : 'deleted', deleted: targets.map(show) });
}
