import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configWarnings, parseConfig, parseConfigText, parseJiraApiUrl } from '../../shared/domain/config/index.ts';
import { configJsonSchema } from '../../shared/domain/config/json-schema.ts';
import { jiraMaxRequestsPerSecond } from '../../shared/domain/pacing/jira-pace.ts';

const exampleText = readFileSync(new URL('../../infra/config/example.config.json', import.meta.url), 'utf8');
const example = () => JSON.parse(exampleText) as { integrations: Record<string, any>[]; [key: string]: unknown };

/** The example config with one integration edited by `edit`. */
function withIntegration(edit: (integration: Record<string, any>) => void) {
  const config = example();
  edit(config.integrations[0]);
  return config;
}

function problemsOf(json: unknown): string[] {
  try {
    parseConfig(json, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('Function: parseJiraApiUrl', () => {
  it.each([
    ['https://acme.atlassian.net/rest/api/2/', 'https://acme.atlassian.net/rest/api/2/', 'https://acme.atlassian.net'],
    ['https://acme.atlassian.net/rest/api/2', 'https://acme.atlassian.net/rest/api/2/', 'https://acme.atlassian.net'],
    ['https://jira.example.com/rest/api/2/', 'https://jira.example.com/rest/api/2/', 'https://jira.example.com'],
    ['https://jira.example.com/jira/rest/api/2', 'https://jira.example.com/jira/rest/api/2/', 'https://jira.example.com/jira'],
    ['https://jira.example.com:8443/jira/rest/api/2//', 'https://jira.example.com:8443/jira/rest/api/2/', 'https://jira.example.com:8443/jira'],
    ['  http://127.0.0.1:8080/rest/api/2/ ', 'http://127.0.0.1:8080/rest/api/2/', 'http://127.0.0.1:8080'],
  ])('accepts %s', (raw, apiUrl, siteUrl) => {
    // Act
    const result = parseJiraApiUrl(raw);

    // Assess
    expect(result).toEqual({ ok: true, apiUrl, siteUrl });
  });

  it.each([
    ['https://acme.atlassian.net/rest/api/3/', /v3 is not supported.*use the v2 endpoint https:\/\/acme\.atlassian\.net\/rest\/api\/2\//],
    ['https://jira.example.com/jira/rest/api/3', /use the v2 endpoint https:\/\/jira\.example\.com\/jira\/rest\/api\/2\//],
    ['https://acme.atlassian.net/rest/api/latest', /"latest" is not supported; use the v2 endpoint https:\/\/acme\.atlassian\.net\/rest\/api\/2\//],
    ['https://acme.atlassian.net', /must end in \/rest\/api\/2\/, for this site probably https:\/\/acme\.atlassian\.net\/rest\/api\/2\//],
    ['https://acme.atlassian.net/browse/GAME-1', /must end in \/rest\/api\/2\//],
    ['acme.atlassian.net/rest/api/2', /not a URL.*e\.g\. https:\/\/your-domain\.atlassian\.net\/rest\/api\/2\//],
    ['ftp://acme.example.com/rest/api/2/', /must use https/],
    ['https://bot:secret@acme.atlassian.net/rest/api/2/', /credentials must not be part of the URL/],
    ['https://acme.atlassian.net/rest/api/2/?x=1', /query string/],
  ])('refuses %s with a message showing what to use', (raw, message) => {
    // Act
    const result = parseJiraApiUrl(raw);

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(message);
  });
});

describe('Function: parseConfig', () => {
  it('accepts the example config and fills the documented defaults', () => {
    // Prepare
    const minimal = withIntegration((integration) => {
      delete integration.display;
      delete integration.rules;
      delete integration.jira.issueType;
      delete integration.jira.labels;
      delete integration.jira.fieldMapping;
      delete integration.jira.customFields;
      delete integration.jira.dedupeLabel;
    });
    delete (minimal as Record<string, unknown>).settings;

    // Act
    const config = parseConfig(minimal, 'test.json');

    // Assess
    const [integration] = config.integrations;
    expect(config.settings).toEqual({
      claimLeaseSeconds: 300,
      maxReceiveCount: 5,
      maxInlineRetryWaitSeconds: 5,
      tracing: true,
      throttling: { backtraceEvents: { rateLimit: 500, burstLimit: 1000 }, jiraWebhooks: { rateLimit: 100, burstLimit: 500 } },
      waf: { enabled: false, requestsPer5MinutesPerIp: 1000 },
      jira: { maxRequestsPerSecond: 25 },
    });
    expect(integration.jira).toMatchObject({
      issueType: 'Bug',
      labels: ['Backtrace'],
      fieldMapping: { labels: 'labels', mainBody: 'description' },
      customFields: {},
      dedupeLabel: 'bt-{hash}',
      apiUrl: 'https://acme.atlassian.net/rest/api/2/',
      siteUrl: 'https://acme.atlassian.net',
    });
    expect(integration.display).toEqual({ classifiers: true, callstack: true, attributes: true, attributeList: [] });
    expect(integration.rules).toEqual([]);
    expect(integration.backtrace.url).toBe('https://acme.sp.backtrace.io');
  });

  it.each<[string, (integration: Record<string, any>) => void, RegExp]>([
    ['a v3 API URL', (i) => (i.jira.apiUrl = 'https://acme.atlassian.net/rest/api/3/'), /^integrations\[0\]\.jira\.apiUrl \(integration "jira-prod"\): Jira REST API v3 is not supported.*https:\/\/acme\.atlassian\.net\/rest\/api\/2\//],
    ['a site URL without the API path', (i) => (i.jira.apiUrl = 'https://acme.atlassian.net/'), /jira\.apiUrl.*must end in \/rest\/api\/2\//],
    ['a missing API URL', (i) => delete i.jira.apiUrl, /jira\.apiUrl.*required: the Jira REST API v2 base URL/],
    ['a missing project key', (i) => delete i.jira.projectKey, /jira\.projectKey.*required: the key of the Jira project/],
    ['a project name instead of its key', (i) => (i.jira.projectKey = 'My Game'), /jira\.projectKey.*must be a Jira project KEY/],
    ['a missing subject', (i) => delete i.jira.subject, /jira\.subject.*required: the Summary template/],
    ['an empty subject', (i) => (i.jira.subject = '  '), /jira\.subject.*must not be empty/],
    ['an inline API token instead of a secret name', (i) => (i.jira.auth.tokenSecret = 'ATATT3x FFF secret value'), /jira\.auth\.tokenSecret.*must be a secret NAME/],
    ['a missing e-mail', (i) => delete i.jira.auth.email, /jira\.auth\.email.*required: the Jira account e-mail/],
    ['an unknown auth type', (i) => (i.jira.auth = { type: 'basic' }), /jira\.auth\.type.*must be one of "api-token".*"pat".*"oauth1".*"password"/],
    ['a PAT without its secret', (i) => (i.jira.auth = { type: 'pat' }), /jira\.auth\.tokenSecret.*personal access token/],
    ['OAuth 1.0a without the private key', (i) => (i.jira.auth = { type: 'oauth1', consumerKey: 'bridge', accessTokenSecret: 'x' }), /jira\.auth\.privateKeySecret.*RSA private key/],
    ['a misspelt setting', (i) => (i.jira.projctKey = 'GAME'), /jira \(integration "jira-prod"\): unknown setting\(s\) "projctKey"/],
    ['a missing Backtrace token', (i) => delete i.backtrace.tokenSecret, /backtrace\.tokenSecret.*Backtrace API token/],
    ['a bad Backtrace URL', (i) => (i.backtrace.url = 'acme.sp.backtrace.io'), /backtrace\.url.*must be your Backtrace instance URL/],
    ['a missing webhook credentials secret', (i) => delete i.ingest, /ingest.*basicAuthSecret/],
    ['the reserved name _backtrace', (i) => (i.name = '_backtrace'), /name.*reserved/],
    ['a name with spaces', (i) => (i.name = 'jira prod'), /name.*must be 1-64 letters/],
    ['an invalid rule regex', (i) => (i.rules = [{ action: 'submit', attribute: 'environment', regex: '(' }]), /rules\[0\]\.regex.*not a valid regular expression/],
    ['a mention rule', (i) => (i.rules = [{ action: 'mention', attribute: 'a', regex: 'b' }]), /rules\[0\]\.action.*"mention" targets chat tools/],
    ['a dedupe label without {hash}', (i) => (i.jira.dedupeLabel = 'backtrace-dup'), /jira\.dedupeLabel.*must contain \{hash\}/],
    ['a dedupe label with a space', (i) => (i.jira.dedupeLabel = 'bt {hash}'), /jira\.dedupeLabel.*no spaces/],
    ['two-way sync without the Jira webhook', (i) => { delete i.jiraWebhook; i.sync = { mode: 'two-way' }; }, /jiraWebhook.*two-way sync needs Jira's webhook/],
    ['jira-wins with one-way sync', (i) => (i.sync = { mode: 'one-way', onLink: 'jira-wins' }), /sync\.onLink.*"jira-wins" writes Jira's state to Backtrace, which one-way sync never does/],
    ['an unknown sync mode', (i) => (i.sync = { mode: 'both' }), /sync\.mode.*"none", "one-way".*"two-way"/],
    ['a Jira target that is no status category', (i) => (i.sync.stateMap = { toJira: { resolved: 'closed' } }), /sync\.stateMap\.toJira\.resolved.*status category.*\{"status"/],
    ['a Backtrace state that does not exist', (i) => (i.sync.stateMap = { toBacktrace: { statuses: { "Won't Fix": 'ignored' } } }), /toBacktrace\.statuses.*must be a Backtrace state/],
    ['a user pair without its Jira side', (i) => (i.sync.users = [{ backtrace: 'ana@acme.com' }]), /sync\.users\[0\]\.jira.*accountId \(Cloud\) or username/],
    ['an unknown webhook verification', (i) => (i.jiraWebhook = { secret: 'x', verification: 'basic' }), /jiraWebhook\.verification.*"signature".*"query-token"/],
    ['a replay window under a minute', (i) => (i.jiraWebhook = { secret: 'x', replayWindowSeconds: 59 }), /jiraWebhook\.replayWindowSeconds.*at least 60 seconds/],
    ['a replay window longer than the delivery memory', (i) => (i.jiraWebhook = { secret: 'x', replayWindowSeconds: 86_401 }), /jiraWebhook\.replayWindowSeconds.*at most 86400 \(a day\)/],
    ['a Jira rate of zero', (i) => (i.jira.maxRequestsPerSecond = 0), /jira\.maxRequestsPerSecond.*must be more than 0 requests per second/],
    ['a custom field template that is not a string', (i) => (i.jira.customFields = { Severity: 3 }), /jira\.customFields\.Severity.*must be a template string/],
  ])('refuses %s, naming the path and the fix', (_case, edit, message) => {
    // Act
    const problems = problemsOf(withIntegration(edit));

    // Assess
    expect(problems.some((problem) => message.test(problem)), problems.join('\n')).toBe(true);
  });

  it('defaults sync to off, with the documented state map', () => {
    // Prepare
    const json = withIntegration((i) => {
      delete i.sync;
      delete i.jiraWebhook;
    });

    // Act
    const { sync, jiraWebhook } = parseConfig(json, 'test.json').integrations[0];

    // Assess
    expect(jiraWebhook).toBeUndefined();
    expect(sync).toEqual({
      mode: 'none',
      state: true,
      assignee: true,
      onLink: 'backtrace-wins',
      stateMap: {
        toJira: { open: 'new', 'in-progress': 'indeterminate', resolved: 'done', muted: 'leave' },
        toBacktrace: { new: 'open', indeterminate: 'in-progress', done: 'resolved', statuses: {} },
      },
      users: [],
      userLookup: 'email',
    });
  });

  it('accepts status overrides and every user pair form', () => {
    // Prepare
    const json = withIntegration((i) => {
      i.sync = {
        mode: 'one-way',
        stateMap: { toJira: { muted: { status: "Won't Fix" }, resolved: { status: '10001' } }, resolution: 'Fixed' },
        users: [{ backtrace: 12, jira: '557058:aaa' }, { backtrace: 'ana', jira: 'ana.dc' }, { backtrace: { id: 3, email: 'bo@acme.com' }, jira: 'bo' }],
      };
    });

    // Act
    const { sync } = parseConfig(json, 'test.json').integrations[0];

    // Assess
    expect(sync.stateMap.toJira).toEqual({ open: 'new', 'in-progress': 'indeterminate', resolved: { status: '10001' }, muted: { status: "Won't Fix" } });
    expect(sync.stateMap.resolution).toBe('Fixed');
    expect(sync.users).toHaveLength(3);
  });

  it('refuses duplicate integration names', () => {
    // Prepare
    const config = example();
    const second = structuredClone(config.integrations[0]);
    second.jira.projectKey = 'OPS';
    config.integrations.push(second);

    // Act
    const problems = problemsOf(config);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^integrations\[1\]\.name.*"jira-prod" is already used by integrations\[0\]/)]);
  });

  it('refuses two integrations filing one Backtrace project into one Jira project with the same dedupe label', () => {
    // Prepare
    const config = example();
    const second = structuredClone(config.integrations[0]);
    second.name = 'jira-prod-2';
    config.integrations.push(second);

    // Act
    const problems = problemsOf(config);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^integrations\[1\]\.jira\.dedupeLabel.*integrations\[0\] already files.*give one of them another dedupeLabel/)]);

    // Act: a distinct label makes the two searchable apart
    second.jira.dedupeLabel = 'bt2-{hash}';

    // Assess
    expect(parseConfig(config, 'test.json').integrations).toHaveLength(2);
  });

  it('refuses an inline retry wait the worker cannot afford', () => {
    // Prepare
    const config = example();
    config.settings = { maxInlineRetryWaitSeconds: 60 };

    // Act
    const problems = problemsOf(config);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^settings\.maxInlineRetryWaitSeconds: must be at most 20 seconds: longer waits belong on the queue/)]);
  });

  it('paces each Jira site at settings.jira.maxRequestsPerSecond unless the integration overrides it', () => {
    // Prepare
    const config = example();
    config.settings = { jira: { maxRequestsPerSecond: 40 } };
    const overridden = example();
    overridden.integrations[0].jira.maxRequestsPerSecond = 8;

    // Act
    const shared = parseConfig(config, 'test.json');
    const own = parseConfig(overridden, 'test.json');

    // Assess
    expect(jiraMaxRequestsPerSecond(shared, shared.integrations[0]!)).toBe(40);
    expect(jiraMaxRequestsPerSecond(own, own.integrations[0]!)).toBe(8);
    expect(problemsOf({ ...example(), settings: { jira: { maxRequestsPerSecond: -1 } } })).toEqual([expect.stringMatching(/^settings\.jira\.maxRequestsPerSecond: must be more than 0/)]);
  });

  it('refuses a config without integrations', () => {
    expect(problemsOf({ integrations: [] })).toEqual([expect.stringMatching(/^integrations: add at least one integration/)]);
  });

  it('reports invalid JSON with the source name', () => {
    expect(() => parseConfigText('{ "integrations": [', 'bridge.json')).toThrow(/Invalid bridge config \(bridge\.json\):\n {2}- \(root\): not valid JSON/);
  });

  it('warns that password authentication is deprecated, and accepts it', () => {
    // Prepare
    const json = withIntegration((i) => (i.jira.auth = { type: 'password', username: 'bot', passwordSecret: 'jira/password' }));

    // Act
    const config = parseConfig(json, 'test.json');

    // Assess
    expect(configWarnings(config)).toEqual([expect.stringMatching(/jira\.auth.*password authentication is deprecated.*"api-token".*"pat"/)]);
    expect(configWarnings(parseConfig(example(), 'test.json'))).toEqual([]);
  });

  it('never echoes a secret-looking value back in its messages', () => {
    // Prepare
    const token = 'ATATT3xFfGF0 super secret';

    // Act
    const problems = problemsOf(withIntegration((i) => (i.jira.auth.tokenSecret = token)));

    // Assess
    expect(problems.join('\n')).not.toContain(token);
  });
});

describe('Function: configJsonSchema', () => {
  it('matches the checked-in infra/config/config.schema.json (run `npm run schema > infra/config/config.schema.json`)', () => {
    // Prepare
    const checkedIn = JSON.parse(readFileSync(new URL('../../infra/config/config.schema.json', import.meta.url), 'utf8'));

    // Act
    const generated = configJsonSchema();

    // Assess
    expect(generated).toEqual(checkedIn);
  });
});
