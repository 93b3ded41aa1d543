/**
 * Config loading contract: {@link parseConfig} turns untrusted JSON into a typed {@link BridgeConfig} or throws a
 * {@link ConfigError} that lists every problem as `<json path>: <what is wrong and how to fix it>`.
 */
import type { z } from 'zod';
import { formatJsonPath } from '../json-path.ts';
import { bridgeConfigSchema, type BridgeConfig } from './schema.ts';

export * from './schema.ts';
export { parseJiraApiUrl } from './jira-url.ts';
export { backtraceSecretNames, jiraSecretNames } from './secret-names.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid bridge config (${source}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = formatJsonPath(issue.path, '(root)');
  // Name the integration too: admins think "jira-prod", not "integrations[3]".
  let where = path;
  if (issue.path[0] === 'integrations' && typeof issue.path[1] === 'number') {
    const name = (input as { integrations?: { name?: unknown }[] })?.integrations?.[issue.path[1]]?.name;
    if (typeof name === 'string' && issue.path.length > 2) where = `${path} (integration "${name}")`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown setting(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}; check the spelling against the config reference in README.md`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return `${where}: ${issue.message.startsWith('required') ? issue.message : `required setting is missing (${issue.message})`}`;
  }
  return `${where}: ${issue.message}`;
}

/**
 * Validate a config document. Pure: no I/O, no environment.
 * @param json - the parsed JSON document
 * @param source - where it came from (a file path, "BRIDGE_CONFIG"), used in the error message
 * @throws ConfigError listing every problem with its JSON path and fix
 */
export function parseConfig(json: unknown, source: string): BridgeConfig {
  const result = bridgeConfigSchema.safeParse(json);
  if (!result.success) {
    throw new ConfigError(source, result.error.issues.map((issue) => describeIssue(issue, json)));
  }
  return result.data;
}

/** Parse the text of a config file, reporting JSON syntax errors with the source name. */
export function parseConfigText(text: string, source: string): BridgeConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, [`(root): not valid JSON (${(error as Error).message})`]);
  }
  return parseConfig(json, source);
}

/** Non-fatal advice about a valid config (deprecated choices), for the log at start. */
export function configWarnings(config: BridgeConfig): string[] {
  const warnings: string[] = [];
  config.integrations.forEach((integration, index) => {
    if (integration.jira.auth.type === 'password') {
      warnings.push(
        `integrations[${index}].jira.auth (integration "${integration.name}"): password authentication is deprecated (Jira Cloud refuses passwords; Jira 11 disables Basic auth by default); use type "api-token" on Cloud or "pat" on Data Center`,
      );
    }
  });
  return warnings;
}
