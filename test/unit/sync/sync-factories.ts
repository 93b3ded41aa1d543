/**
 * Factories for the sync domain tests: Jira webhook bodies from test/fixtures/jira-webhooks/ (real Server captures and
 * Cloud-shaped bodies, see its SOURCE.md), sync config parsed by the real config schema, and Jira statuses,
 * transitions and users as the ports describe them.
 */
import { readFileSync } from 'node:fs';
import { parseConfig, type SyncConfig } from '../../../shared/domain/config/index.ts';
import type { JiraStatus, JiraTransition, JiraUser } from '../../../shared/domain/model/jira.ts';

/** A webhook fixture, a fresh copy each call. */
export function webhookFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/jira-webhooks/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** `sync` as parseConfig gives it for an integration whose `sync` document is `sync` (defaults filled in). */
export function syncConfig(sync: Record<string, unknown> = {}): SyncConfig {
  const config = parseConfig(
    {
      integrations: [
        {
          name: 'jira-prod',
          backtrace: { url: 'https://acme.sp.backtrace.io', universe: 'acme', project: 'game', tokenSecret: 'bt-token' },
          ingest: { basicAuthSecret: 'ingest-basic' },
          jira: {
            apiUrl: 'https://acme.atlassian.net/rest/api/2/',
            auth: { type: 'api-token', email: 'bot@acme.com', tokenSecret: 'jira-token' },
            projectKey: 'CRASH',
            subject: '$classifiers',
          },
          sync,
          jiraWebhook: { secret: 'jira-webhook-secret' },
        },
      ],
    },
    'sync-factories',
  );
  return config.integrations[0].sync;
}

export const TO_DO: JiraStatus = { id: '10000', name: 'To Do', categoryKey: 'new' };
export const IN_PROGRESS: JiraStatus = { id: '3', name: 'In Progress', categoryKey: 'indeterminate' };
export const IN_REVIEW: JiraStatus = { id: '10002', name: 'In Review', categoryKey: 'indeterminate' };
export const DONE: JiraStatus = { id: '10001', name: 'Done', categoryKey: 'done' };
export const WONT_FIX: JiraStatus = { id: '10003', name: "Won't Fix", categoryKey: 'done' };
export const NO_CATEGORY: JiraStatus = { id: '10004', name: 'Limbo', categoryKey: 'undefined' };

export function transition(id: string, name: string, to: JiraStatus, resolution?: JiraTransition['resolution']): JiraTransition {
  return { id, name, to, ...(resolution ? { resolution } : {}) };
}

export const CLOUD_ALICE: JiraUser = { accountId: '712020:f1ad7cfd-2f8c-4d7e-9a3b-8d1f5c2e6a10', displayName: 'Alice Example', active: true };
export const CLOUD_BOB: JiraUser = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Bob Example', active: true };
export const CLOUD_BOT: JiraUser = { accountId: '712020:0b0b0b0b-1111-4222-8333-944444444444', displayName: 'Backtrace Bridge', active: true };
export const DC_ADMIN: JiraUser = { name: 'admin', key: 'admin', displayName: 'admin', emailAddress: 'admin@example.com', active: true };
export const DC_JDOE: JiraUser = { name: 'jdoe', key: 'JIRAUSER10100', displayName: 'Jdoe', emailAddress: 'jdoe@example.com', active: true };
