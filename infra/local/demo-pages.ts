/**
 * The local demo a person clicks through: where the sandboxes' pages are, and the few releases the Jira sandbox's
 * projects get so that Fix Versions has something to pick. Used by `npm start` and `npm run screenshots`.
 */
import type { LocalStack } from './local-stack.ts';

/** Releases given to each sandbox project that has none (as a project admin would add them on the Releases page). */
export const DEMO_VERSIONS = ['1.2.3', '1.3.0', '2.0.0'];

export interface DemoPageUrls {
  /** The Jira sandbox's issue list (each key opens the issue page). */
  jiraIssues?: string;
  /** The Backtrace sandbox's fingerprint list. */
  backtraceFingerprints?: string;
}

export function demoPageUrls(stack: Pick<LocalStack, 'jiraSandbox' | 'backtraceSandbox'>): DemoPageUrls {
  return {
    ...(stack.jiraSandbox ? { jiraIssues: `${stack.jiraSandbox.url}/browse` } : {}),
    ...(stack.backtraceSandbox ? { backtraceFingerprints: `${stack.backtraceSandbox.url}/` } : {}),
  };
}

/** The lines `npm start` prints about the pages (none when both systems are real). */
export function demoPageLines(urls: DemoPageUrls): string[] {
  if (!urls.jiraIssues && !urls.backtraceFingerprints) return [];
  return [
    '',
    'Click through it in a browser (pick who you are on each page):',
    ...(urls.backtraceFingerprints ? [`  Backtrace fingerprints (resolve, mute, reopen, assign): ${urls.backtraceFingerprints}`] : []),
    ...(urls.jiraIssues ? [`  Jira issues (transition, assign, Fix Versions):        ${urls.jiraIssues}`] : []),
  ];
}

/** Gives each Jira sandbox project of the config the demo releases it does not have yet. */
export function seedDemoVersions(stack: Pick<LocalStack, 'jiraSandbox' | 'config'>): void {
  const jira = stack.jiraSandbox;
  if (!jira) return;
  const admin = jira.actAs(jira.users[0]!);
  const keys = new Set(stack.config.integrations.filter((integration) => integration.jira.apiUrl.startsWith(jira.url)).map((integration) => integration.jira.projectKey));
  for (const key of keys) {
    for (const name of DEMO_VERSIONS) {
      try {
        admin.addVersion(key, { name });
      } catch {
        // The project has that release already (a config's own versions): keep it.
      }
    }
  }
}
