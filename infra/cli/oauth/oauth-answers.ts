/**
 * What Jira's OAuth servlets answer: a form-encoded body (`oauth_token=...&oauth_token_secret=...`, reference
 * section 7) or a refusal with `oauth_problem=...` (the OAuth Problem Reporting extension; which problems Jira sends
 * is a [GUESS], the reference names none), turned into a message that says what to change.
 */

export type OAuthAnswer = { ok: true; token: string; tokenSecret: string } | { ok: false; problem: string };

/** Parses an answer body; a body without `oauth_token` is a problem (the `oauth_problem`, or `unexpected_answer`). */
export function parseOAuthAnswer(body: string, wwwAuthenticate?: string): OAuthAnswer {
  const params = new URLSearchParams(body.trim());
  const token = params.get('oauth_token');
  if (token) return { ok: true, token, tokenSecret: params.get('oauth_token_secret') ?? '' };
  const fromHeader = /oauth_problem="([^"]+)"/.exec(wwwAuthenticate ?? '')?.[1];
  return { ok: false, problem: params.get('oauth_problem') ?? fromHeader ?? 'unexpected_answer' };
}

/** The fix for each problem, in the admin's terms. */
export function explainOAuthProblem(problem: string, context: { consumerKey: string; step: 'request-token' | 'access-token' | 'api' }): string {
  switch (problem) {
    case 'signature_invalid':
      return `Jira could not verify the RSA-SHA1 signature with the public key of the application link: paste the public key that "oauth init" printed into the link's Incoming Authentication (consumer key "${context.consumerKey}"), or run "oauth init --force" and paste the new one`;
    case 'consumer_key_unknown':
      return `Jira has no application link with consumer key "${context.consumerKey}": set jira.auth.consumerKey to the link's Consumer Key, or create the link (see "oauth init")`;
    case 'timestamp_refused':
      return "Jira refused the request's timestamp: this machine's clock is off; synchronise it (NTP) and try again";
    case 'nonce_used':
      return 'Jira saw this nonce before (a replay); run the command again, every attempt signs with a fresh nonce';
    case 'permission_unknown':
      return 'the request token is not approved yet: open the authorize URL, click Allow, then give the verification code';
    case 'permission_denied':
      return 'access was denied on the authorize page: run "oauth authorize" again and click Allow';
    case 'verifier_invalid':
      return 'the verification code does not match: copy it again from the page Jira showed after Allow';
    case 'token_rejected':
    case 'token_expired':
      return context.step === 'api'
        ? 'Jira does not know the access token: run "oauth authorize" again to get a new one'
        : 'the request token is unknown, expired or already used: run "oauth authorize" again from the start';
    case 'signature_method_rejected':
      return 'Jira does not accept RSA-SHA1 for this link: check that the application link uses OAuth with a public key (Incoming Authentication)';
    default:
      return `Jira refused the OAuth request (${problem}): check the application link's Incoming Authentication`;
  }
}
