/**
 * Jira API URL forms accepted in `jira.apiUrl`, matching what Backtrace's own Jira page accepts: the REST API v2
 * base of a Cloud site or of a Server/Data Center instance, with or without a context path and trailing slash.
 */
export type JiraUrlResult =
  | { ok: true; apiUrl: string; siteUrl: string }
  | { ok: false; problem: string };

const EXAMPLES = 'e.g. https://your-domain.atlassian.net/rest/api/2/ (Cloud) or https://jira.example.com/jira/rest/api/2/ (Data Center with a context path)';

/**
 * Normalise a configured Jira API URL to `https://host[/ctx]/rest/api/2/` and derive the site URL used for browse
 * links. Refuses API v3 (its description format is ADF, not wiki markup) with the v2 URL to use instead.
 */
export function parseJiraApiUrl(raw: string): JiraUrlResult {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, problem: `"${raw}" is not a URL; give the Jira REST API v2 base, ${EXAMPLES}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: `"${raw}" must use https (or http for a local Jira); ${EXAMPLES}` };
  }
  if (url.username || url.password) {
    return { ok: false, problem: 'credentials must not be part of the URL; put them in jira.auth (secret names)' };
  }
  if (url.search || url.hash) {
    return { ok: false, problem: `"${raw}" must not carry a query string or fragment; ${EXAMPLES}` };
  }
  const path = url.pathname.replace(/\/+$/, '');
  const match = /^(.*?)\/rest\/api\/([^/]+)$/.exec(path);
  const origin = `${url.protocol}//${url.host}`;
  if (!match) {
    const site = `${origin}${path}`;
    return {
      ok: false,
      problem: `"${raw}" is not a Jira REST API v2 URL; it must end in /rest/api/2/, for this site probably ${site}/rest/api/2/ (${EXAMPLES})`,
    };
  }
  const [, contextPath, version] = match;
  const siteUrl = `${origin}${contextPath}`;
  if (version !== '2') {
    const v3 = version === '3' ? 'Jira REST API v3 is not supported (Backtrace and this bridge write wiki-markup descriptions, which only v2 takes)' : `Jira REST API "${version}" is not supported`;
    return { ok: false, problem: `${v3}; use the v2 endpoint ${siteUrl}/rest/api/2/` };
  }
  return { ok: true, apiUrl: `${siteUrl}/rest/api/2/`, siteUrl };
}
