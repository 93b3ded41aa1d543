import type { BacktraceConfig, JiraAuthConfig } from './schema.ts';

/** The secret names `jira.auth` refers to (the values the Jira adapter needs), in a stable order. */
export function jiraSecretNames(auth: JiraAuthConfig): string[] {
  switch (auth.type) {
    case 'api-token':
    case 'pat':
      return [auth.tokenSecret];
    case 'password':
      return [auth.passwordSecret];
    case 'oauth1':
      return [auth.privateKeySecret, auth.accessTokenSecret];
  }
}

/** The secret names `backtrace` refers to: the API token, or the service user's password. */
export function backtraceSecretNames(backtrace: Pick<BacktraceConfig, 'tokenSecret' | 'login'>): string[] {
  return backtrace.login ? [backtrace.login.passwordSecret] : backtrace.tokenSecret ? [backtrace.tokenSecret] : [];
}
