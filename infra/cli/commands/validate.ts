/**
 * `bridge validate`: the config's schema, then each integration against the live Jira and Backtrace, one row per
 * check with pass/fail and the fix. Reads only; exit code 1 when any check fails.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, backtraceSecretNames, jiraSecretNames, type IntegrationConfig } from '../../../shared/domain/config/index.ts';
import { parseBacktraceGroup, type BacktraceGroup } from '../../../shared/domain/backtrace-group.ts';
import type { JiraField } from '../../../shared/domain/model/jira.ts';
import type { CreateMetaField } from '../../../shared/adapters/jira/jira-metadata.ts';
import { loadCliContext, type CliContext } from '../context.ts';
import { CliError, type CliIo } from '../io.ts';
import { formatChecks, printJson, type CheckRow } from '../output.ts';
import { fieldChecks, fixVersionsCheck, requiredFieldChecks, stateMapChecks } from '../checks/field-checks.ts';
import { globalsOf, setExitCode } from '../command-state.ts';

const SAMPLE_GROUP_FILE = new URL('../../local/sample-backtrace-group.json', import.meta.url);
/** A fingerprint no project has: querying it proves the token may query the project. */
const PROBE_FINGERPRINT = '0'.repeat(64);

export interface IntegrationReport {
  integration: string;
  ok: boolean;
  checks: CheckRow[];
}

export function registerValidateCommand(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check the config, then each integration against the live Jira and Backtrace (reads only)')
    .option('--event <file>', 'a Backtrace error group to render the templates with (default: the documented sample)')
    .action(async (options: { event?: string }, command: Command) => {
      const globals = globalsOf(command);
      let context: CliContext;
      try {
        context = loadCliContext(globals, io);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        const rows: CheckRow[] = error.problems.map((problem) => ({ check: 'config.schema', status: 'fail', detail: problem }));
        report(io, globals.json === true, error.source, [{ integration: '(config)', ok: false, checks: rows }]);
        setExitCode(command, 1);
        return;
      }
      const sample = readGroup(options.event);
      const reports: IntegrationReport[] = [];
      for (const integration of context.selectedIntegrations()) {
        const checks = await validateIntegration(context, integration, sample);
        reports.push({ integration: integration.name, ok: checks.every((row) => row.status !== 'fail'), checks });
      }
      report(io, globals.json === true, context.configSource, reports);
      setExitCode(command, reports.every((entry) => entry.ok) ? 0 : 1);
    });
}

function report(io: CliIo, json: boolean, source: string, reports: IntegrationReport[]): void {
  const ok = reports.every((entry) => entry.ok);
  if (json) {
    printJson(io, { ok, config: source, integrations: reports });
    return;
  }
  for (const entry of reports) {
    io.stdout(`${entry.integration === '(config)' ? `config ${source}` : `integration ${entry.integration}`}\n${formatChecks(entry.checks)}\n\n`);
  }
  const failed = reports.flatMap((entry) => entry.checks).filter((row) => row.status === 'fail').length;
  io.stdout(ok ? 'All checks passed.\n' : `${failed} check(s) failed.\n`);
}

/** The `--event` file, or the documented sample group. */
export function readGroup(file: string | undefined): BacktraceGroup {
  const path = file ?? SAMPLE_GROUP_FILE.pathname;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read the event file ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? (error as Error).message}. Pass a Backtrace error group (the webhook's JSON body) with --event <file>.`);
  }
  const parsed = parseBacktraceGroup(json);
  if (!parsed.ok) throw new CliError(`The event file ${path} is not a Backtrace error group: ${parsed.problems.join('; ')}`);
  return parsed.group;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function validateIntegration(context: CliContext, integration: IntegrationConfig, sample: BacktraceGroup): Promise<CheckRow[]> {
  const index = context.config.integrations.indexOf(integration);
  const path = `integrations[${index}]`;
  const rows: CheckRow[] = [{ check: 'config.schema', status: 'pass', detail: `valid (${context.configSource})` }];

  // Secrets first: every client below needs them.
  const names = [
    integration.ingest.basicAuthSecret,
    ...jiraSecretNames(integration.jira.auth),
    ...backtraceSecretNames(integration.backtrace),
    ...(integration.jiraWebhook ? [integration.jiraWebhook.secret] : []),
  ];
  let secretsOk = true;
  for (const name of [...new Set(names)]) {
    try {
      await context.secrets.get(name);
      rows.push({ check: `secret[${name}]`, status: 'pass', detail: `present in ${context.secretsSource}` });
    } catch (error) {
      secretsOk = false;
      rows.push({ check: `secret[${name}]`, status: 'fail', detail: messageOf(error), fix: `create the secret ${JSON.stringify(name)} (${context.secretsSource}), or fix the name in the config` });
    }
  }
  if (!secretsOk) return [...rows, { check: 'jira', status: 'skip', detail: 'not checked: a secret it needs is missing' }];

  rows.push(...(await jiraChecks(context, integration, path, sample)));
  rows.push(await backtraceCheck(context, integration));
  return rows;
}

async function jiraChecks(context: CliContext, integration: IntegrationConfig, path: string, sample: BacktraceGroup): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const { tracker, metadata } = await context.jira(integration);
  const jira = integration.jira;
  try {
    const me = await tracker.myself();
    rows.push({ check: 'jira.credentials', status: 'pass', detail: `GET myself: authenticated as ${me.displayName ?? me.name ?? me.accountId} (${jira.apiUrl})` });
  } catch (error) {
    rows.push({ check: 'jira.credentials', status: 'fail', detail: messageOf(error), fix: `fix ${path}.jira.auth, the secret it names, or ${path}.jira.apiUrl` });
    return [...rows, { check: 'jira', status: 'skip', detail: 'further Jira checks skipped until GET myself succeeds' }];
  }
  const deployment = await tracker.deploymentType();
  rows.push({ check: 'jira.deployment', status: 'pass', detail: deployment === 'Cloud' ? 'Jira Cloud' : 'Jira Data Center / Server' });

  let issueTypes;
  try {
    issueTypes = await metadata.issueTypes(jira.projectKey);
    rows.push({ check: `${path}.jira.projectKey`, status: 'pass', detail: `project ${jira.projectKey}: ${issueTypes.issueTypes.length} issue type(s) (createmeta, ${issueTypes.source === 'paged' ? 'paged endpoints' : 'legacy expand form'})` });
  } catch (error) {
    rows.push({ check: `${path}.jira.projectKey`, status: 'fail', detail: messageOf(error), fix: `set ${path}.jira.projectKey to the project's key` });
    return rows;
  }
  const issueType = issueTypes.issueTypes.find((type) => type.name === jira.issueType);
  if (!issueType) {
    rows.push({
      check: `${path}.jira.issueType`,
      status: 'fail',
      detail: `project ${jira.projectKey} has no issue type ${JSON.stringify(jira.issueType)}; it has ${issueTypes.issueTypes.map((type) => JSON.stringify(type.name)).join(', ')}`,
      fix: `set ${path}.jira.issueType to one of them`,
    });
    return rows;
  }
  rows.push({ check: `${path}.jira.issueType`, status: 'pass', detail: `${JSON.stringify(issueType.name)} (id ${issueType.id}) in ${jira.projectKey}` });

  let fields: JiraField[];
  let screen: CreateMetaField[];
  try {
    [fields, screen] = await Promise.all([tracker.listFields(), metadata.createFields(jira.projectKey, issueType.id)]);
  } catch (error) {
    rows.push({ check: 'jira.fields', status: 'fail', detail: messageOf(error) });
    return rows;
  }
  const facts = { deployment, fields, screen, screenName: `${jira.projectKey} / ${issueType.name}`, sample };
  const { rows: fieldRows, setIds } = fieldChecks(integration, path, facts);
  rows.push(...fieldRows, ...requiredFieldChecks(path, facts, setIds), ...fixVersionsCheck(integration, path, fields));

  if (integration.sync.mode !== 'none' && integration.sync.state) {
    try {
      rows.push(...stateMapChecks(integration, path, await metadata.statuses()));
    } catch (error) {
      rows.push({ check: `${path}.sync.stateMap`, status: 'fail', detail: messageOf(error) });
    }
  }
  return rows;
}

async function backtraceCheck(context: CliContext, integration: IntegrationConfig): Promise<CheckRow> {
  const { universe, project } = integration.backtrace;
  try {
    const backtrace = await context.backtrace(integration);
    await backtrace.readFingerprints({ universe, project }, [PROBE_FINGERPRINT]);
    return { check: 'backtrace.query', status: 'pass', detail: `the ${integration.backtrace.login ? 'service user' : 'API token'} can query ${universe}/${project} (${integration.backtrace.url})` };
  } catch (error) {
    return { check: 'backtrace.query', status: 'fail', detail: messageOf(error), fix: 'fix backtrace.url, backtrace.universe/project, or the token (backtrace.tokenSecret) / service user (backtrace.login)' };
  }
}
