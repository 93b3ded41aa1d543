/**
 * The bridge's configuration: one JSON document, validated by this one zod schema at `cdk synth` (each Lambda
 * embeds the result and reads it back at its cold start, shared/runtime/runtime-config.ts) and at local start. `npm run schema` prints the JSON Schema generated from it
 * (infra/config/config.schema.json is that output, checked by a test to stay in step).
 *
 * Every setting on Backtrace's Jira integration page has a field here (see README "Config reference").
 * Secrets are referenced by name (AWS Secrets Manager secret name, or a key of the local secrets file), never inlined.
 */
import * as z from 'zod';
import { parseJiraApiUrl } from './jira-url.ts';
import { DEFAULT_DEDUPE_LABEL_PATTERN, dedupeLabelProblem } from '../dedupe-label.ts';
import { captureGroups } from '../fix-versions/versions.ts';

/** Secrets Manager secret names: 1-512 of letters, digits and /_+=.@- */
const secretName = (what: string) =>
  z
    .string({ error: `required: the name of the secret holding ${what}` })
    .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, {
      error: `must be a secret NAME (letters, digits and /_+=.@-), not the secret itself: store ${what} in AWS Secrets Manager (or the local secrets file) and put its name here`,
    });

// Objects default with `.prefault({})`: the empty object is parsed, so each field's own default is the only copy.
const nonEmpty = (what: string) => z.string({ error: `required: ${what}` }).trim().min(1, { error: `must not be empty: ${what}` });

const regexString = (what: string) =>
  z.string({ error: `required: ${what}` }).superRefine((value, ctx) => {
    try {
      new RegExp(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${(error as Error).message}); ${what}` });
    }
  });

const apiTokenAuth = z.strictObject({
  type: z.literal('api-token'),
  email: nonEmpty('the Jira account e-mail (Cloud) or username (Data Center) the token belongs to'),
  tokenSecret: secretName('the Jira API token'),
});
const passwordAuth = z.strictObject({
  type: z.literal('password'),
  username: nonEmpty('the Jira username'),
  passwordSecret: secretName('the Jira password'),
});
const patAuth = z.strictObject({
  type: z.literal('pat'),
  tokenSecret: secretName('the Data Center personal access token'),
});
const oauth1Auth = z.strictObject({
  type: z.literal('oauth1'),
  consumerKey: nonEmpty('the consumer key of the Jira application link'),
  privateKeySecret: secretName('the RSA private key (PEM) whose public key is on the application link'),
  accessTokenSecret: secretName('the OAuth access token, as JSON {"token":"..."} or the bare token'),
});

const jiraAuth = z.discriminatedUnion('type', [apiTokenAuth, passwordAuth, patAuth, oauth1Auth], {
  error: 'jira.auth.type must be one of "api-token" (Cloud e-mail + API token, or DC user + token), "pat" (Data Center personal access token), "oauth1" (Data Center application link) or "password" (deprecated)',
});

const jiraApiUrl = z.string({ error: 'required: the Jira REST API v2 base URL, e.g. https://your-domain.atlassian.net/rest/api/2/' }).transform((raw, ctx) => {
  const result = parseJiraApiUrl(raw);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.problem });
    return z.NEVER;
  }
  return result;
});

/**
 * Requests per second the bridge sends to one Jira site, per endpoint and method (Jira Cloud meters its burst limit
 * per tenant, endpoint and method, shared by every app and token of the site). Default 25: half the lowest published
 * steady-state rate (PUT and DELETE, 50/s; GET and POST 100/s; ../shared/reference/jira-rest-v2.md section 8.1,
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/), leaving the other half to the site's people
 * and other apps.
 */
export const DEFAULT_JIRA_MAX_REQUESTS_PER_SECOND = 25;
const maxRequestsPerSecond = z
  .number({ error: 'must be a number of requests per second, e.g. 25' })
  .positive({ error: 'must be more than 0 requests per second' })
  .max(1_000, { error: 'must be at most 1000 requests per second (Jira Cloud allows 50-150 per endpoint)' });

const jira = z
  .strictObject({
    apiUrl: jiraApiUrl,
    auth: jiraAuth,
    projectKey: z
      .string({ error: 'required: the key of the Jira project issues are created in, e.g. "GAME"' })
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,254}$/, { error: 'must be a Jira project KEY (letters, digits, _), e.g. "GAME", not the project name' }),
    issueType: nonEmpty('the Jira issue type name').default('Bug'),
    subject: nonEmpty('the Summary template, e.g. "$classifiers in $application"'),
    labels: z.array(z.string().trim().min(1, { error: 'labels must not be empty strings' })).default(['Backtrace']),
    fieldMapping: z
      .strictObject({
        labels: nonEmpty('the field (name or id) that receives the labels').default('labels'),
        mainBody: nonEmpty('the field (name or id) that receives the error description').default('description'),
      })
      .prefault({}),
    customFields: z.record(z.string().trim().min(1, { error: 'field name or id must not be empty' }), z.string({ error: 'must be a template string, e.g. "Version: $version"' })).default({}),
    dedupeLabel: z
      .string()
      .superRefine((pattern, ctx) => {
        const problem = dedupeLabelProblem(pattern);
        if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; this label finds the issue again if a link is lost` });
      })
      .default(DEFAULT_DEDUPE_LABEL_PATTERN),
    /** Overrides `settings.jira.maxRequestsPerSecond` for this integration's Jira site. */
    maxRequestsPerSecond: maxRequestsPerSecond.optional(),
  }, { error: 'required: the Jira side of the integration (apiUrl, auth, projectKey, subject, ...)' })
  .transform(({ apiUrl, ...rest }) => ({ ...rest, apiUrl: apiUrl.apiUrl, siteUrl: apiUrl.siteUrl }));

/** Backtrace's polling (it pushes no event when a fingerprint changes): how often the linked fingerprints are read. */
const poll = z
  .strictObject({
    intervalSeconds: z
      .number({ error: 'must be a number of seconds, e.g. 60' })
      .int({ error: 'must be a whole number of seconds' })
      .min(1, { error: 'must be at least 1 second (on AWS the schedule runs at most once a minute)' })
      .max(86_400, { error: 'must be at most a day (86400 seconds)' })
      .default(60),
  })
  .prefault({});

const backtrace = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'must be your Backtrace instance URL, e.g. https://acme.sp.backtrace.io' })
      .transform((value) => value.replace(/\/+$/, '')),
    universe: nonEmpty('the Backtrace universe name'),
    project: nonEmpty('the Backtrace project name'),
    tokenSecret: secretName('the Backtrace API token (X-Coroner-Token) used to read fingerprints and attach the Jira link').optional(),
    /** A service user instead of an API token: API tokens may lack the right to write issues (README "Backtrace credentials"). */
    login: z
      .strictObject({
        username: nonEmpty('the Backtrace username of the service user'),
        passwordSecret: secretName('the password of the Backtrace service user'),
      })
      .optional(),
    poll,
  }, { error: 'required: the Backtrace side of the integration (url, universe, project, tokenSecret or login)' })
  .superRefine((value, ctx) => {
    if (value.tokenSecret === undefined && value.login === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenSecret'], message: 'required: the name of the secret holding the Backtrace API token, or give backtrace.login {"username", "passwordSecret"} of a service user instead' });
    }
    if (value.tokenSecret !== undefined && value.login !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['login'], message: 'give backtrace.tokenSecret (an API token) or backtrace.login (a service user), not both' });
    }
  });

const display = z
  .strictObject({
    classifiers: z.boolean().default(true),
    callstack: z.boolean().default(true),
    attributes: z.boolean().default(true),
    attributeList: z.array(nonEmpty('an attribute name')).default([]),
  })
  .prefault({});

const rule = z.strictObject({
  action: z.enum(['submit', 'filter'], {
    error: 'action must be "submit" or "filter" ("mention" targets chat tools and has no meaning for Jira)',
  }),
  attribute: regexString('attribute is matched (anchored) against attribute names, e.g. "environment" or ".*"'),
  regex: regexString('regex is matched against the attribute values, e.g. "^production$"'),
});

const syncMode = z.enum(['none', 'one-way', 'two-way'], {
  error: 'must be "none", "one-way" (Backtrace -> Jira) or "two-way" (also Jira -> Backtrace, needs jiraWebhook)',
});

const JIRA_CATEGORIES = ['new', 'indeterminate', 'done'] as const;
const BACKTRACE_STATES = ['open', 'in-progress', 'resolved', 'muted'] as const;

/** A Jira destination: a status category key, or one status by id or name (`{"status": "10001"}`). */
const jiraTarget = z.union([z.enum(JIRA_CATEGORIES), z.strictObject({ status: nonEmpty('a Jira status id or name') })], {
  error: 'must be a Jira status category ("new", "indeterminate", "done") or {"status": "<status id or name>"}',
});

const stateMap = z
  .strictObject({
    toJira: z
      .strictObject({
        open: jiraTarget.default('new'),
        'in-progress': jiraTarget.default('indeterminate'),
        resolved: jiraTarget.default('done'),
        muted: z.union([z.literal('leave'), jiraTarget], { error: 'must be "leave" (do not move the Jira issue), a status category, or {"status": "..."}' }).default('leave'),
      })
      .prefault({}),
    toBacktrace: z
      .strictObject({
        new: z.enum(BACKTRACE_STATES).default('open'),
        indeterminate: z.enum(BACKTRACE_STATES).default('in-progress'),
        done: z.enum(BACKTRACE_STATES).default('resolved'),
        /** Overrides by Jira status id or name, e.g. {"Won't Fix": "muted"}. */
        statuses: z.record(nonEmpty('a Jira status id or name'), z.enum(BACKTRACE_STATES, { error: 'must be a Backtrace state: "open", "in-progress", "resolved" or "muted"' })).default({}),
      })
      .prefault({}),
    /** Resolution to set when a transition into done asks for one; default: the first the screen allows. */
    resolution: nonEmpty('a Jira resolution name, e.g. "Fixed"').optional(),
  })
  .prefault({});

const userPair = z.strictObject({
  backtrace: z.union([
    z.number().int().nonnegative(),
    nonEmpty('a Backtrace user id, username or e-mail'),
    z.strictObject({ id: z.number().int().nonnegative(), username: z.string().optional(), email: z.string().optional() }),
  ], { error: 'must be a Backtrace user id (number), username or e-mail, or {"id": 12, "username": "...", "email": "..."}' }),
  jira: nonEmpty('the Jira accountId (Cloud) or username (Data Center)'),
});

const sync = z
  .strictObject({
    mode: syncMode.default('none'),
    state: z.boolean().default(true),
    assignee: z.boolean().default(true),
    onLink: z.enum(['backtrace-wins', 'jira-wins'], { error: 'must be "backtrace-wins" or "jira-wins"' }).default('backtrace-wins'),
    stateMap,
    users: z.array(userPair).default([]),
    userLookup: z.enum(['email', 'none'], { error: 'must be "email" (find users by e-mail) or "none" (explicit pairs only)' }).default('email'),
  })
  .prefault({});

const jiraWebhook = z.strictObject({
  secret: secretName('the Jira webhook secret (X-Hub-Signature HMAC key, or the URL token)'),
  verification: z
    .enum(['signature', 'query-token'], {
      error: 'must be "signature" (X-Hub-Signature, Jira Cloud and Data Center 10+) or "query-token" (?token=<secret> in the URL, for Jira versions that cannot sign)',
    })
    .default('signature'),
  /**
   * Deliveries whose webhook `timestamp` (else the issue's `updated`) is older than this are dropped with a log line:
   * a captured signed body cannot be replayed after it. 2 hours covers Jira Cloud's retries (up to 5, 5-15 min apart).
   */
  replayWindowSeconds: z
    .number()
    .int()
    .min(60, { error: 'must be at least 60 seconds: Jira delivers late by tens of seconds, and retries for over an hour' })
    // The delivery log remembers ids for a day (DELIVERY_MEMORY_SECONDS): inside the window, a resent id is a duplicate.
    .max(86_400, { error: 'must be at most 86400 (a day): delivery ids are remembered for a day, so a longer window would let a body resent under its own id through again' })
    .default(7200),
});

/** A regular expression with exactly one capture group, isolating the version number in a Jira version name. */
const versionPattern = z.string({ error: 'must be a regular expression with one group, e.g. "app-(\\d+\\.\\d+\\.\\d+)"' }).superRefine((value, ctx) => {
  try {
    new RegExp(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${(error as Error).message}); write one whose single group isolates the version, e.g. "app-(\\d+\\.\\d+\\.\\d+)"` });
    return;
  }
  const groups = captureGroups(value);
  if (groups !== 1) {
    ctx.addIssue({ code: 'custom', message: `has ${groups} capture groups; it needs exactly one, around the version number (make other groups non-capturing: (?:...))` });
  }
});

/** Jira Fix Versions -> Backtrace's "resolved until"; regressions -> the Jira issue (README "Fix Versions and regressions"). */
const fixVersions = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** The Backtrace attribute the invariant compares (`version_gt` on it). */
    versionAttribute: nonEmpty('the Backtrace attribute holding the version, e.g. "version"').default('version'),
    /** `fixVersions`, or a version-picker custom field by name or id. */
    jiraField: nonEmpty('the Jira field holding the fix versions: "fixVersions" or a version-picker custom field').default('fixVersions'),
    versionPattern: versionPattern.optional(),
    invariant: z.enum(['version_gt', 'version_ge'], { error: 'must be "version_gt" (reopen on a later version) or "version_ge" (also on the same one)' }).default('version_gt'),
    onRegression: z
      .strictObject({
        action: z.enum(['reopen', 'comment', 'new-issue'], { error: 'must be "reopen", "comment" or "new-issue"' }).default('reopen'),
        /** The status to reopen to; default: the first status of the "new" category the workflow offers. */
        status: nonEmpty('a Jira status id or name').optional(),
        comment: z.string({ error: 'must be a template, e.g. "Regressed in $version"' }).default('Regressed in $version (resolved until $resolvedUntil): $group_url'),
      })
      .prefault({}),
    /** Rule sets keyed on an attribute value (first match wins), each with its own version attribute and pattern. */
    rules: z
      .array(
        z.strictObject({
          attribute: nonEmpty('the attribute whose value picks this rule set, e.g. "environment"'),
          regex: regexString('regex is matched against the attribute\'s value, e.g. "^production$"'),
          versionAttribute: nonEmpty('the Backtrace attribute holding the version for this rule set').optional(),
          versionPattern: versionPattern.optional(),
        }),
      )
      .default([]),
  })
  .prefault({});

const integration = z.strictObject({
  name: z
    .string({ error: 'required: a unique integration name (Backtrace shows it as the ticket\'s "watcher")' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit' })
    .refine((name) => name !== '_backtrace', { error: '"_backtrace" is reserved for Backtrace\'s own assignee entry; pick another name' }),
  backtrace,
  ingest: z.strictObject(
    { basicAuthSecret: secretName("the HTTP Basic credentials Backtrace's webhook integration sends") },
    { error: 'required: {"basicAuthSecret": "<secret name>"}, the credentials Backtrace\'s webhook integration must send' },
  ),
  jira,
  display,
  rules: z.array(rule).default([]),
  sync,
  /** Jira's webhook to `POST /jira/webhook`: required for two-way sync. */
  jiraWebhook: jiraWebhook.optional(),
  fixVersions,
}).superRefine((integration, ctx) => {
  if (integration.fixVersions.enabled && integration.sync.mode !== 'two-way') {
    ctx.addIssue({
      code: 'custom',
      path: ['fixVersions', 'enabled'],
      message: 'Fix Versions flow from Jira to Backtrace (resolved until) and regressions back: set sync.mode to "two-way" (with jiraWebhook)',
    });
  }
  if (integration.sync.mode === 'one-way' && integration.sync.onLink === 'jira-wins') {
    ctx.addIssue({
      code: 'custom',
      path: ['sync', 'onLink'],
      message: '"jira-wins" writes Jira\'s state to Backtrace, which one-way sync never does: use "backtrace-wins", or mode "two-way"',
    });
  }
  if (integration.sync.mode === 'two-way' && !integration.jiraWebhook) {
    ctx.addIssue({
      code: 'custom',
      path: ['jiraWebhook'],
      message: 'two-way sync needs Jira\'s webhook: add {"secret": "<secret name>"} and register the webhook in Jira (README "Setting up the Jira webhook")',
    });
  }
});

/** Requests/s and burst API Gateway lets through to one route; more is answered 429 before any function runs. */
const routeThrottle = (rateLimit: number, burstLimit: number) =>
  z
    .strictObject({
      rateLimit: z.number({ error: 'must be a number of requests per second, e.g. 50' }).positive().max(10_000).default(rateLimit),
      burstLimit: z.number({ error: 'must be a whole number of requests, e.g. 100' }).int().min(1).max(5_000).default(burstLimit),
    })
    .prefault({});

/** How the deployed stack is watched and shielded (README "Alarms, metrics and dashboard", "Throttling"). */
const operationsSettings = {
  /** Subscribed by e-mail to the alarm topic (`cdk deploy -c alarmEmail=...` adds another). */
  alarmEmail: z.email({ error: 'must be an e-mail address, e.g. "ops@example.com"' }).optional(),
  /** X-Ray active tracing on every function (`cdk deploy -c tracing=false` turns it off too). */
  tracing: z.boolean({ error: 'must be true or false' }).default(true),
  /** Per-route limits on the HTTP API: a flood on one route cannot throttle the other's deliveries. */
  throttling: z
    .strictObject({
      // Sized for a storm (README "Throttling"): 100,000 group posts accepted in 200 s, a batch arriving at once;
      // what Backtrace does with a 429 is not documented, so the route must not refuse the storm we plan for.
      backtraceEvents: routeThrottle(500, 1_000),
      // A Jira bulk change sends one webhook per issue (1,000 issues in about 10 s); Jira retries a 429.
      jiraWebhooks: routeThrottle(100, 500),
    })
    .prefault({}),
  /** A WAF web ACL with a rate-based rule per source IP (off by default; see README "Throttling" for what it can attach to). */
  waf: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Requests one IP may make in 5 minutes before WAF blocks it (AWS's minimum is 10). */
      requestsPer5MinutesPerIp: z.number().int().min(10).max(2_000_000_000).default(1_000),
    })
    .prefault({}),
};

const settings = z
  .strictObject({
    claimLeaseSeconds: z
      .number()
      .int()
      .min(5, { error: 'must be at least 5 seconds: a claim must outlive the Jira call it guards' })
      .max(43_200)
      .default(300),
    maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    // Well below the worker's 60 s timeout: the attempts themselves take time too.
    maxInlineRetryWaitSeconds: z.number().min(0).max(20, { error: 'must be at most 20 seconds: longer waits belong on the queue (the worker times out at 60 s)' }).default(5),
    jira: z
      .strictObject({
        /** Pace of every integration's Jira site, unless the integration sets `jira.maxRequestsPerSecond`. */
        maxRequestsPerSecond: maxRequestsPerSecond.default(DEFAULT_JIRA_MAX_REQUESTS_PER_SECOND),
      })
      .prefault({}),
    eventBusName: z
      .string()
      .regex(/^[A-Za-z0-9._\-/:]{1,256}$/, { error: 'must be an EventBridge bus name (or ARN)' })
      .optional(),
    ...operationsSettings,
  })
  .prefault({});

export const bridgeConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    settings,
    integrations: z.array(integration).min(1, { error: 'add at least one integration' }),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.integrations.forEach((integration, index) => {
      const first = seen.get(integration.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['integrations', index, 'name'],
          message: `"${integration.name}" is already used by integrations[${first}]; names must be unique (they identify the ticket entry on the fingerprint)`,
        });
      } else {
        seen.set(integration.name, index);
      }
    });
    // Two integrations filing the same Backtrace project into the same Jira project must not share dedupe labels,
    // or the crash-recovery search of one could adopt the other's issue.
    const targets = new Map<string, number>();
    config.integrations.forEach((integration, index) => {
      const target = [integration.backtrace.universe, integration.backtrace.project, integration.jira.siteUrl, integration.jira.projectKey.toUpperCase(), integration.jira.dedupeLabel].join('\u0000');
      const first = targets.get(target);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['integrations', index, 'jira', 'dedupeLabel'],
          message: `integrations[${first}] already files this Backtrace project into Jira project ${integration.jira.projectKey} with the dedupe label "${integration.jira.dedupeLabel}"; give one of them another dedupeLabel, e.g. "bt2-{hash}"`,
        });
      } else {
        targets.set(target, index);
      }
    });
  });

export type BridgeConfig = z.output<typeof bridgeConfigSchema>;
export type BridgeConfigInput = z.input<typeof bridgeConfigSchema>;
export type IntegrationConfig = BridgeConfig['integrations'][number];
export type JiraAuthConfig = IntegrationConfig['jira']['auth'];
export type BacktraceConfig = IntegrationConfig['backtrace'];
export type DisplaySettings = IntegrationConfig['display'];
export type FilterRule = IntegrationConfig['rules'][number];
export type SyncConfig = IntegrationConfig['sync'];
export type StateMapConfig = SyncConfig['stateMap'];
export type JiraTargetConfig = StateMapConfig['toJira']['open'];
export type UserPairConfig = SyncConfig['users'][number];
export type FixVersionsConfig = IntegrationConfig['fixVersions'];
