/**
 * `bridge links [--fingerprint FP | --issue KEY]`: the fingerprint <-> issue links of the selected integrations, read
 * through the product's link store (the local stack's dynalite, or the deployed table with `--aws`), with each
 * side's state as last synced and when.
 */
import { Option, type Command } from 'commander';
import type { Link } from '../../../shared/domain/model/link.ts';
import { loadCliContext, onResources } from '../context.ts';
import type { CliIo } from '../io.ts';
import { formatTable, printJson } from '../output.ts';
import { globalsOf, setExitCode } from '../command-state.ts';

/** One link as printed; `--json` keys are stable. */
export interface LinkRow {
  integration: string;
  fingerprint: string;
  issueKey: string | null;
  status: Link['status'];
  backtraceState: string | null;
  jiraStatus: string | null;
  lastSyncAt: string | null;
  issueUrl: string | null;
}

export function toLinkRow(link: Link): LinkRow {
  const sync = link.sync;
  const times = [sync?.backtrace?.at, sync?.jira?.updatedAt].filter((time): time is number => typeof time === 'number');
  return {
    integration: link.integration,
    fingerprint: link.fingerprint,
    issueKey: link.issueKey ?? null,
    status: link.status,
    backtraceState: sync?.backtrace?.state ?? null,
    jiraStatus: sync?.jira ? (sync.jira.statusName ?? sync.jira.statusId) : null,
    lastSyncAt: times.length > 0 ? new Date(Math.max(...times)).toISOString() : null,
    issueUrl: link.issueUrl ?? null,
  };
}

export function registerLinksCommand(program: Command, io: CliIo): void {
  program
    .command('links')
    .description('show fingerprint <-> Jira issue links, with each side as last synced')
    .addOption(new Option('--fingerprint <fp>', 'only this fingerprint').conflicts('issue'))
    .option('--issue <key>', 'only this Jira issue key')
    .option('--stack <name>', 'CloudFormation stack name with --aws (default BRIDGE_STACK_NAME or BacktraceJiraBridge)')
    .action(async (options: { fingerprint?: string; issue?: string; stack?: string }, command: Command) => {
      const globals = globalsOf(command);
      const context = loadCliContext(globals, io);
      const resources = await context.resources(options.stack);
      const rows: LinkRow[] = [];
      await onResources(resources, `reading the links table (${resources.where})`, async () => {
        for (const integration of context.selectedIntegrations()) {
          if (options.fingerprint !== undefined) {
            const link = await resources.links.get(integration.name, options.fingerprint);
            if (link) rows.push(toLinkRow(link));
            continue;
          }
          for await (const page of resources.links.listLinked(integration.name)) {
            for (const link of page) {
              if (options.issue === undefined || link.issueKey?.toUpperCase() === options.issue.toUpperCase()) rows.push(toLinkRow(link));
            }
          }
        }
      });
      if (globals.json) {
        printJson(io, { where: resources.where, links: rows });
      } else if (rows.length === 0) {
        io.stderr(`No link${options.fingerprint ? ` for fingerprint ${options.fingerprint}` : options.issue ? ` for issue ${options.issue}` : ''} in the ${resources.where}.\n`);
      } else {
        io.stdout(`${formatTable(
          ['INTEGRATION', 'FINGERPRINT', 'ISSUE', 'BACKTRACE', 'JIRA', 'LAST SYNC'],
          rows.map((row) => [row.integration, row.fingerprint, row.issueKey ?? `(${row.status})`, row.backtraceState ?? '-', row.jiraStatus ?? '-', row.lastSyncAt ?? '-']),
        )}\n`);
      }
      // Asked for one link that is not there: a script must be able to tell.
      setExitCode(command, rows.length === 0 && (options.fingerprint !== undefined || options.issue !== undefined) ? 1 : 0);
    });
}
