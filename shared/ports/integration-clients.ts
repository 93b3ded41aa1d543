/** The adapters one integration talks through: its Jira and its Backtrace, secrets resolved. */
import type { IntegrationConfig } from '../domain/config/index.ts';
import type { BacktraceIssues } from './backtrace-issues.ts';
import type { IssueTracker } from './issue-tracker.ts';

export interface IntegrationClients {
  tracker: IssueTracker;
  backtrace: BacktraceIssues;
}

/** The clients of an integration, built once and kept for a few minutes by the runtime (secrets resolved on first use). */
export type ClientsFor = (integration: IntegrationConfig) => Promise<IntegrationClients>;
