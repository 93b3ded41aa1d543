/**
 * `bridge preview --event FILE`: the exact create request (method, URL, JSON body) an error group becomes, built by
 * the worker's own builder (`buildIssueFields`) from Jira's field list, after the integration's submit/filter rules.
 * Sends nothing: its only Jira calls are the reads the builder needs (`serverInfo`, `field`).
 */
import type { Command } from 'commander';
import { buildIssueFields } from '../../../shared/domain/build-issue-fields.ts';
import { integrationsForProject } from '../../../shared/domain/routing.ts';
import { shouldSubmit } from '../../../shared/domain/rules.ts';
import { loadCliContext } from '../context.ts';
import { CliError, type CliIo } from '../io.ts';
import { printJson } from '../output.ts';
import { globalsOf, setExitCode } from '../command-state.ts';
import { readGroup } from './validate.ts';

/** One integration's answer: the request, or why there is none. */
export type PreviewEntry =
  | { integration: string; outcome: 'create'; request: { method: 'POST'; url: string; body: { fields: Record<string, unknown> } }; dedupeLabel: string; notes: string[] }
  | { integration: string; outcome: 'filtered'; rule?: number; reason: string }
  | { integration: string; outcome: 'invalid'; problems: string[] };

export function registerPreviewCommand(program: Command, io: CliIo): void {
  program
    .command('preview')
    .description('print the Jira create request an error group becomes (sends nothing)')
    .requiredOption('--event <file>', 'a Backtrace error group (the webhook JSON body)')
    .action(async (options: { event: string }, command: Command) => {
      const globals = globalsOf(command);
      const context = loadCliContext(globals, io);
      const group = readGroup(options.event);
      const forProject = integrationsForProject(context.config, group);
      const chosen = globals.integration === undefined ? forProject : forProject.filter((integration) => integration.name === globals.integration);
      if (chosen.length === 0) {
        throw new CliError(
          `No integration${globals.integration ? ` named ${JSON.stringify(globals.integration)}` : ''} takes Backtrace universe "${group.universe}", project "${group.project}" (the event's): fix integrations[].backtrace.universe/project or --integration.`,
        );
      }
      const entries: PreviewEntry[] = [];
      for (const integration of chosen) {
        const decision = shouldSubmit(group, integration.rules);
        if (!decision.submit) {
          entries.push({ integration: integration.name, outcome: 'filtered', ...(decision.ruleIndex === undefined ? {} : { rule: decision.ruleIndex }), reason: decision.reason });
          continue;
        }
        const index = context.config.integrations.indexOf(integration);
        const { tracker } = await context.jira(integration);
        const [fields, deployment] = await Promise.all([tracker.listFields(), tracker.deploymentType()]);
        const built = buildIssueFields({ group, integration, fields, deployment, configPath: `integrations[${index}]` });
        if (!built.ok) {
          entries.push({ integration: integration.name, outcome: 'invalid', problems: built.problems });
          continue;
        }
        entries.push({
          integration: integration.name,
          outcome: 'create',
          request: { method: 'POST', url: new URL('issue', integration.jira.apiUrl).href, body: { fields: built.fields } },
          dedupeLabel: built.dedupeLabel,
          notes: built.notes,
        });
      }
      if (globals.json) printJson(io, { fingerprint: group.fingerprint, previews: entries });
      else for (const entry of entries) io.stdout(`${describe(entry)}\n`);
      setExitCode(command, entries.some((entry) => entry.outcome === 'invalid') ? 1 : 0);
    });
}

function describe(entry: PreviewEntry): string {
  const head = `integration ${entry.integration}: `;
  switch (entry.outcome) {
    case 'filtered':
      return `${head}no issue: filtered by ${entry.rule === undefined ? 'the rules' : `rules[${entry.rule}]`} (${entry.reason})`;
    case 'invalid':
      return `${head}Jira would not get a valid request:\n${entry.problems.map((problem) => `  - ${problem}`).join('\n')}`;
    case 'create':
      return `${head}${entry.request.method} ${entry.request.url}\n${JSON.stringify(entry.request.body, null, 2)}${entry.notes.length ? `\nnotes:\n${entry.notes.map((note) => `  - ${note}`).join('\n')}` : ''}`;
  }
}
