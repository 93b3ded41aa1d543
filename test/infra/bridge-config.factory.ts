/**
 * Config documents for the infra tests, written the way an admin writes them (plain JSON, defaults left out), so
 * each test runs them through the real `parseConfig` like `cdk synth` does.
 */

type Json = Record<string, unknown>;

/** One integration; `overrides` replaces whole top-level sections (e.g. a different `jira`). */
export function integrationDocument(name: string, overrides: Json = {}): Json {
  return {
    name,
    backtrace: {
      url: 'https://acme.sp.backtrace.io',
      universe: 'acme',
      project: 'game',
      tokenSecret: `${name}/backtrace-token`,
    },
    ingest: { basicAuthSecret: `${name}/webhook-basic-auth` },
    jira: {
      apiUrl: 'https://acme.atlassian.net/rest/api/2/',
      auth: { type: 'api-token', email: 'crash-bot@acme.com', tokenSecret: `${name}/jira-api-token` },
      projectKey: 'GAME',
      subject: '$classifiers in $application',
    },
    ...overrides,
  };
}

/** A whole config document: one Cloud integration unless `integrations` is given. */
export function configDocument(options: { settings?: Json; integrations?: Json[] } = {}): Json {
  return {
    settings: { maxReceiveCount: 5, ...options.settings },
    integrations: options.integrations ?? [integrationDocument('jira-prod')],
  };
}

/**
 * Overrides turning an integration two-way, with Jira's webhook verified by the secret `<name>/jira-webhook-secret`;
 * spread them into `integrationDocument`'s overrides.
 */
export function twoWaySync(name: string, verification: 'signature' | 'query-token' = 'signature'): Json {
  return {
    sync: { mode: 'two-way' },
    jiraWebhook: { secret: `${name}/jira-webhook-secret`, verification },
  };
}
