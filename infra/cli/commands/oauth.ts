/**
 * `oauth init` and `oauth authorize`: Jira Data Center's OAuth 1.0a application link from nothing (reference
 * section 7). init makes the RSA key pair and stores the private key under `jira.auth.privateKeySecret`;
 * authorize runs request token -> authorize URL -> verifier -> access token, checks the token with one signed
 * `GET myself`, and only then stores it under `jira.auth.accessTokenSecret`.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { describeJiraAuth } from '../../../shared/adapters/jira/jira-auth.ts';
import { loadAuthContext, type AuthContext, type GlobalOptions } from '../auth-context.ts';
import { CliError } from '../cli-error.ts';
import { commandOutput, runAction, type CommandOutput } from '../command-output.ts';
import { httpRequest, jiraCall, jiraCredentials, jiraMessage } from '../jira-http.ts';
import { applicationLinkSteps } from '../oauth/application-link-steps.ts';
import { explainOAuthProblem, parseOAuthAnswer } from '../oauth/oauth-answers.ts';
import { oauthAuthorizationHeader } from '../oauth/oauth-signing.ts';
import { generateKeyPair, MIN_KEY_BITS, normalisePem, publicKeyOf } from '../oauth/rsa-keys.ts';

type OAuth1Auth = Extract<AuthContext['integration']['jira']['auth'], { type: 'oauth1' }>;

/** How the verifier is asked for on a terminal; tests never reach it (they pass `--verifier`). */
export type VerifierPrompt = (question: string) => Promise<string>;

const terminalPrompt: VerifierPrompt = async (question) => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
};

export interface OauthCommandOptions {
  /** Asked for the verifier when stdin is a terminal and `--verifier` is absent; default a readline prompt. */
  prompt?: VerifierPrompt;
  /** Whether to prompt; default `process.stdin.isTTY`. */
  interactive?: () => boolean;
}

/** Adds `oauth init` and `oauth authorize` to the root program. */
export function registerOauthCommands(program: Command, options: OauthCommandOptions = {}): void {
  const oauth = program.command('oauth').description('Jira Data Center OAuth 1.0a (application link): key pair and access token');

  oauth
    .command('init')
    .description('make the RSA key pair, store the private key as the jira.auth.privateKeySecret secret, print the public key and the Application Link steps')
    .option('--force', 'replace an existing private key (the application link must then get the new public key)')
    .option('--key-size <bits>', `RSA key size in bits, at least ${MIN_KEY_BITS}`, String(MIN_KEY_BITS))
    .option('--consumer-name <name>', 'the Consumer Name to give the application link', 'Backtrace Jira bridge')
    .action(async (flags: { force?: boolean; keySize: string; consumerName: string }, command: Command) => {
      const globals = program.opts<GlobalOptions>();
      await runAction(command, () => oauthInit(globals, flags, commandOutput(command, globals.json === true)));
    });

  oauth
    .command('authorize')
    .description('request token -> authorize URL -> verifier -> access token, stored as the jira.auth.accessTokenSecret secret and proven with a signed GET myself')
    .option('--verifier <code>', 'the verification code Jira showed after Allow (default: asked for on a terminal)')
    .option('--request-token <token>', 'the request token of an earlier run that printed the authorize URL (with --verifier)')
    .action(async (flags: { verifier?: string; requestToken?: string }, command: Command) => {
      const globals = program.opts<GlobalOptions>();
      await runAction(command, () => oauthAuthorize(globals, flags, commandOutput(command, globals.json === true), options));
    });
}

function oauth1Of(context: AuthContext): OAuth1Auth {
  const auth = context.integration.jira.auth;
  if (auth.type !== 'oauth1') {
    throw new CliError(
      `integration "${context.integration.name}" uses jira.auth type "${auth.type}" (${context.configFile}): OAuth needs jira.auth {"type": "oauth1", "consumerKey": "...", "privateKeySecret": "...", "accessTokenSecret": "..."}`,
    );
  }
  return auth;
}

async function oauthInit(globals: GlobalOptions, flags: { force?: boolean; keySize: string; consumerName: string }, out: CommandOutput): Promise<void> {
  const bits = Number(flags.keySize);
  if (!Number.isInteger(bits) || bits < MIN_KEY_BITS) throw new CliError(`--key-size must be a whole number of bits, at least ${MIN_KEY_BITS} (got "${flags.keySize}")`);
  const context = await loadAuthContext(globals);
  const auth = oauth1Of(context);
  const where = context.secrets.describe(auth.privateKeySecret);
  const existing = await context.secrets.find(auth.privateKeySecret);

  let status: 'created' | 'kept' | 'replaced';
  let publicKeyPem: string;
  let keyBits: number;
  if (existing !== undefined && !flags.force) {
    // Idempotent: a second init shows the link's key again instead of breaking the link with a new one.
    const current = publicKeyOf(existing);
    if (!current.ok) throw new CliError(`${where} holds no usable RSA private key (${current.problem}): pass --force to replace it with a new key pair`);
    status = 'kept';
    publicKeyPem = current.publicKeyPem;
    keyBits = current.bits;
  } else {
    const pair = generateKeyPair(bits);
    await context.secrets.put(auth.privateKeySecret, pair.privateKeyPem, `RSA private key of the Jira application link (consumer ${auth.consumerKey}) of the Backtrace Jira bridge`);
    status = existing === undefined ? 'created' : 'replaced';
    publicKeyPem = pair.publicKeyPem;
    keyBits = bits;
  }

  const steps = applicationLinkSteps({ siteUrl: context.integration.jira.siteUrl, consumerKey: auth.consumerKey, publicKeyPem, consumerName: flags.consumerName });
  const said = {
    created: `Stored a new ${keyBits}-bit RSA private key as ${where}.`,
    replaced: `Replaced the private key in ${where} with a new ${keyBits}-bit one: paste the new public key into the application link.`,
    kept: `${where} already holds a ${keyBits}-bit private key: kept it (pass --force for a new pair). Its public key is below.`,
  }[status];
  out.line(said);
  out.line();
  out.line(`Consumer key: ${auth.consumerKey}`);
  out.line();
  out.line('In Jira:');
  steps.forEach((step, index) => out.line(index < steps.length - 2 ? `  ${index + 1}. ${step}` : step));
  out.json({ integration: context.integration.name, status, consumerKey: auth.consumerKey, consumerName: flags.consumerName, privateKeySecret: auth.privateKeySecret, stored: where, keyBits, publicKeyPem });
}

async function oauthAuthorize(globals: GlobalOptions, flags: { verifier?: string; requestToken?: string }, out: CommandOutput, options: OauthCommandOptions): Promise<void> {
  if (flags.verifier !== undefined && flags.requestToken === undefined) {
    throw new CliError('--verifier belongs to a request token: pass --request-token TOKEN too (the token the first "oauth authorize" printed), or run "oauth authorize" on a terminal to be asked for the code');
  }
  const context = await loadAuthContext(globals);
  const auth = oauth1Of(context);
  const storedKey = await context.secrets.find(auth.privateKeySecret);
  if (storedKey === undefined) throw new CliError(`no private key in ${context.secrets.describe(auth.privateKeySecret)}: run "oauth init" first and add the public key to the application link`);
  const key = publicKeyOf(storedKey);
  if (!key.ok) throw new CliError(`${context.secrets.describe(auth.privateKeySecret)} holds no usable RSA private key (${key.problem}): run "oauth init --force"`);
  const privateKeyPem = normalisePem(storedKey);
  const servlet = (name: string) => `${context.integration.jira.siteUrl}/plugins/servlet/oauth/${name}`;
  const sign = (url: string, token?: string, protocolParams?: Record<string, string>) =>
    oauthAuthorizationHeader({ method: 'POST', url, consumerKey: auth.consumerKey, privateKeyPem, ...(token === undefined ? {} : { token }), ...(protocolParams ? { protocolParams } : {}) });
  const oauthPost = async (name: 'request-token' | 'access-token', token?: string, protocolParams?: Record<string, string>) => {
    const url = servlet(name);
    // Signed afresh here, per attempt: a fresh nonce and timestamp every time.
    const answer = await httpRequest(url, { method: 'POST', headers: { authorization: sign(url, token, protocolParams), 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const parsed = parseOAuthAnswer(answer.status === 200 ? answer.text : answer.text.includes('oauth_problem') ? answer.text : '', answer.headers.get('www-authenticate') ?? undefined);
    if (!parsed.ok) {
      const problem = parsed.problem === 'unexpected_answer' ? `HTTP ${answer.status}` : parsed.problem;
      const fix = parsed.problem === 'unexpected_answer'
        ? `check jira.apiUrl (${context.integration.jira.apiUrl}): ${url} is not Jira's OAuth servlet, or OAuth is off`
        : explainOAuthProblem(parsed.problem, { consumerKey: auth.consumerKey, step: name });
      throw new CliError(`${name} step refused (${problem}): ${fix}`);
    }
    return parsed;
  };

  let requestToken = flags.requestToken;
  let verifier = flags.verifier;
  if (requestToken === undefined) {
    const granted = await oauthPost('request-token', undefined, { oauth_callback: 'oob' });
    requestToken = granted.token;
    const authorizeUrl = `${servlet('authorize')}?oauth_token=${encodeURIComponent(requestToken)}`;
    out.line(`1. Open this URL as the Jira user the bridge should act as, and click Allow:`);
    out.line(`   ${authorizeUrl}`);
    const interactive = (options.interactive ?? (() => process.stdin.isTTY === true))();
    if (!interactive) {
      out.line('2. Then run, with the verification code Jira shows:');
      out.line(`   npx bridge oauth authorize --request-token ${requestToken} --verifier CODE`);
      out.json({ integration: context.integration.name, status: 'awaiting-verifier', authorizeUrl, requestToken });
      return;
    }
    verifier = await (options.prompt ?? terminalPrompt)('2. Verification code: ');
  } else if (verifier === undefined) {
    throw new CliError('--request-token needs --verifier CODE (the verification code Jira showed after Allow)');
  }
  if (!verifier) throw new CliError('no verification code given: copy it from the page Jira showed after Allow');

  const access = await oauthPost('access-token', requestToken, { oauth_verifier: verifier });
  const storedToken = JSON.stringify({ token: access.token, secret: access.tokenSecret });

  // Proven before it is stored: a token Jira does not take must not replace a working one.
  const headers = await jiraCredentials(context, { [auth.privateKeySecret]: storedKey, [auth.accessTokenSecret]: storedToken });
  const myselfUrl = `${context.integration.jira.apiUrl}myself`;
  const me = await jiraCall(headers, 'GET', myselfUrl);
  if (me.status !== 200) {
    const problem = /oauth_problem="?([a-z_]+)/.exec(`${me.text} ${me.headers.get('www-authenticate') ?? ''}`)?.[1];
    const fix = problem ? explainOAuthProblem(problem, { consumerKey: auth.consumerKey, step: 'api' }) : 'check the application link';
    throw new CliError(`Jira handed out an access token, but a signed GET ${myselfUrl} answered ${jiraMessage(me)}: ${fix}; nothing was stored`);
  }
  await context.secrets.put(auth.accessTokenSecret, storedToken, `OAuth 1.0a access token of the Backtrace Jira bridge (consumer ${auth.consumerKey})`);
  const user = me.json as { name?: string; accountId?: string; displayName?: string };
  const who = `${user.displayName ?? '?'} (${user.name ?? user.accountId ?? '?'})`;
  out.line(`Stored the access token as ${context.secrets.describe(auth.accessTokenSecret)}.`);
  out.line(`Signed GET myself: ${who}, with ${describeJiraAuth(auth)}.`);
  out.json({
    integration: context.integration.name,
    status: 'authorized',
    accessTokenSecret: auth.accessTokenSecret,
    stored: context.secrets.describe(auth.accessTokenSecret),
    myself: { status: me.status, displayName: user.displayName ?? null, name: user.name ?? null, accountId: user.accountId ?? null },
  });
}
