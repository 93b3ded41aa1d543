/**
 * Warm containers pick up a fixed secret: the troubleshooting guide says "fix the secret, then redrive the DLQ",
 * which only works if the workers do not keep the old credentials for their whole life.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type IntegrationConfig } from '../../../shared/domain/config/index.ts';
import { LocalSecretSource, secretEnvVarName } from '../../../shared/adapters/secrets/local-secret-source.ts';
import { PermanentError } from '../../../shared/ports/errors.ts';
import { CLIENTS_TTL_MS, integrationClientsFactory } from '../../../shared/runtime/integration-clients.ts';
import { startJiraFake, type JiraFake } from '../../../infra/local/sandboxes/jira/jira-fake.ts';

const example = JSON.parse(readFileSync(new URL('../../../infra/config/example.config.json', import.meta.url), 'utf8'));

/** The Jira token's secret name in the example config. */
const JIRA_TOKEN_SECRET = 'backtrace-jira-bridge/jira-api-token';

let jira: JiraFake;
let integration: IntegrationConfig;

beforeAll(async () => {
  jira = await startJiraFake({ auth: { basic: [{ user: 'crash-bot@acme.com', secret: 'new-token' }] } });
  example.integrations[0].jira.apiUrl = jira.apiUrl;
  integration = parseConfig(example, 'example.config.json').integrations[0]!;
});

afterAll(async () => {
  await jira?.close();
});

describe('Function: integrationClientsFactory', () => {
  it('keeps clients for a few minutes, then builds them again with the secret as it is now', async () => {
    // Prepare: the stored Jira token is wrong at first
    let now = 1_000_000;
    const env: Record<string, string> = {
      [secretEnvVarName(JIRA_TOKEN_SECRET)]: 'old-token',
      [secretEnvVarName(integration.backtrace.tokenSecret!)]: 'backtrace-token',
    };
    const clientsFor = integrationClientsFactory(new LocalSecretSource({ env }), { maxInlineWaitMs: 0, clock: { now: () => now } });
    const refused = await (await clientsFor(integration)).tracker.listFields().catch((error: unknown) => error);

    // Act: the admin fixes the secret
    env[secretEnvVarName(JIRA_TOKEN_SECRET)] = 'new-token';
    const stillCached = await (await clientsFor(integration)).tracker.listFields().catch((error: unknown) => error);
    now += CLIENTS_TTL_MS + 1;
    const fields = await (await clientsFor(integration)).tracker.listFields();

    // Assess
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as PermanentError).status).toBe(401);
    expect(stillCached).toBeInstanceOf(PermanentError);
    expect(fields.map((field) => field.id)).toContain('summary');
  });
});
