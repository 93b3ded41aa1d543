/**
 * Echo recognition from the delivery alone: which Jira deliveries are the echoes of the bridge's own create and
 * writes (dropped before any read), and which must be synced. Deliveries are real captures (Cloud-shaped and Server,
 * test/fixtures/jira-webhooks/) parsed by the real parser, changed only where a row says so.
 */
import { describe, expect, it } from 'vitest';
import { parseJiraWebhook, type JiraIssueEvent } from '../../../shared/domain/jira/jira-webhook.ts';
import type { JiraUser } from '../../../shared/domain/model/jira.ts';
import type { LinkSyncState } from '../../../shared/domain/model/link.ts';
import { ECHO_CLOCK_SKEW_MS, needsOwnAccount, recognizeEcho, type EchoVerdict } from '../../../shared/domain/sync/echo.ts';
import { jiraUserKey } from '../../../shared/domain/sync/user-mapping.ts';
import { CLOUD_ALICE, CLOUD_BOT, DC_ADMIN, DC_JDOE, webhookFixture } from './sync-factories.ts';

function delivery(fixture: string, changes: Partial<JiraIssueEvent> & { author?: JiraUser | undefined } = {}): JiraIssueEvent {
  const parsed = parseJiraWebhook(webhookFixture(fixture));
  if (parsed.kind !== 'issue') throw new Error(`${fixture} is not an issue event`);
  const result = { ...parsed, ...changes };
  if ('author' in changes && changes.author === undefined) delete result.author;
  return result;
}

const TO_DONE = 'cloud_issue_updated_status_to_done.json'; // Alice moves the issue to status 10001 (with a resolution)
const ASSIGNED = 'cloud_issue_updated_assignee_changed.json'; // Bob assigns it to himself
const DONE_AT = delivery(TO_DONE).updatedAt!;
const ASSIGNED_AT = delivery(ASSIGNED).updatedAt!;
const BOB_KEY = delivery(ASSIGNED).changelog.assignee!;

/** The bridge's last Jira write, as the link records it. */
const pushed = (write: Partial<NonNullable<LinkSyncState['pushedToJira']>>): Pick<LinkSyncState, 'pushedToJira'> => ({ pushedToJira: { at: DONE_AT, basedOn: DONE_AT - 1_000, ...write } });
const cloudKey = (user: JiraUser) => jiraUserKey(user, 'Cloud');
const ECHO = (reason: string): EchoVerdict => ({ echo: true, reason } as EchoVerdict);
const NOT_ECHO: EchoVerdict = { echo: false };

describe('Function: recognizeEcho (echo recognition from the delivery alone)', () => {
  it.each([
    // The create's delivery: no account needed, whoever Jira names.
    ['the linked issue\'s creation, by our account', delivery('cloud_issue_created.json', { author: CLOUD_BOT }), CLOUD_BOT, undefined, ECHO('our-create')],
    ['the linked issue\'s creation, Jira naming a person (an adopted issue: read at link time all the same)', delivery('cloud_issue_created.json'), CLOUD_BOT, undefined, ECHO('our-create')],
    ['the linked issue\'s creation, our account not fetched yet', delivery('cloud_issue_created.json', { author: CLOUD_BOT }), undefined, undefined, ECHO('our-create')],
    ['the linked issue\'s creation, as Jira Server sends it', delivery('issue_created.json'), undefined, undefined, ECHO('our-create')],
    // By author.
    ['a status change by our own account', delivery(TO_DONE, { author: CLOUD_BOT }), CLOUD_BOT, undefined, ECHO('our-account')],
    ['an assignment by our own Data Center account', delivery('server_issue_updated_assignee_changed.json'), DC_ADMIN, undefined, ECHO('our-account')],
    ['a status change by a person', delivery(TO_DONE), CLOUD_BOT, undefined, NOT_ECHO],
    ['a status change by a person, to exactly what we wrote at that time', delivery(TO_DONE), CLOUD_BOT, pushed({ statusId: '10001' }), NOT_ECHO],
    ['a status change by our account before we know who we are', delivery(TO_DONE, { author: CLOUD_BOT }), undefined, undefined, NOT_ECHO],
    ['a Data Center assignment by someone else', delivery('server_issue_updated_assignee_changed.json'), DC_JDOE, undefined, NOT_ECHO],
    // No author: by what the link recorded of our last write.
    ['no author, the status we wrote, at our write\'s time', delivery(TO_DONE, { author: undefined }), undefined, pushed({ statusId: '10001' }), ECHO('our-recorded-write')],
    ['no author, the status we wrote, within the clock skew', delivery(TO_DONE, { author: undefined }), undefined, pushed({ statusId: '10001', at: DONE_AT - ECHO_CLOCK_SKEW_MS }), ECHO('our-recorded-write')],
    ['no author, the assignee we wrote', delivery(ASSIGNED, { author: undefined }), undefined, pushed({ assignee: BOB_KEY, at: ASSIGNED_AT }), ECHO('our-recorded-write')],
    ['no author, the assignee we wrote, read from the changelog only', delivery(ASSIGNED, { author: undefined, assignee: undefined } as Partial<JiraIssueEvent>), undefined, pushed({ assignee: BOB_KEY, at: ASSIGNED_AT }), ECHO('our-recorded-write')],
    ['no author, another status than we wrote', delivery(TO_DONE, { author: undefined }), undefined, pushed({ statusId: '3' }), NOT_ECHO],
    ['no author, another assignee than we wrote', delivery(ASSIGNED, { author: undefined }), undefined, pushed({ assignee: CLOUD_ALICE.accountId!, at: ASSIGNED_AT }), NOT_ECHO],
    ['no author, a status change where we wrote only the assignee', delivery(TO_DONE, { author: undefined }), undefined, pushed({ assignee: null }), NOT_ECHO],
    ['no author, the status we wrote, but later than our write', delivery(TO_DONE, { author: undefined }), undefined, pushed({ statusId: '10001', at: DONE_AT - ECHO_CLOCK_SKEW_MS - 1 }), NOT_ECHO],
    ['no author, no write recorded', delivery(TO_DONE, { author: undefined }), undefined, {}, NOT_ECHO],
    ['no author, nothing synced changed (a comment, a summary edit)', delivery(TO_DONE, { author: undefined, changed: { status: false, resolution: false, assignee: false } }), undefined, pushed({ statusId: '10001' }), NOT_ECHO],
    ['no author, no time in the delivery', delivery(TO_DONE, { author: undefined, updatedAt: undefined, timestamp: undefined } as Partial<JiraIssueEvent>), undefined, pushed({ statusId: '10001' }), NOT_ECHO],
    // Deletions are never ours.
    ['a deletion by our own account', delivery('cloud_issue_deleted.json', { author: CLOUD_BOT }), CLOUD_BOT, pushed({ statusId: '10001' }), NOT_ECHO],
  ] as const)('%s', (_case, change, self, sync, expected) => {
    // Act
    const verdict = recognizeEcho({ delivery: change, ...(self ? { self } : {}), ...(sync ? { sync } : {}), assigneeKey: cloudKey });

    // Assess
    expect(verdict).toEqual(expected);
  });

  it.each([
    ['an update with an author', delivery(TO_DONE), true],
    ['an update without one', delivery(TO_DONE, { author: undefined }), false],
    ['a creation', delivery('cloud_issue_created.json'), false],
    ['a deletion', delivery('cloud_issue_deleted.json'), false],
  ] as const)('needs the integration\'s own account only for %s', (_case, change, expected) => {
    // Act / Assess
    expect(needsOwnAccount(change)).toBe(expected);
  });
});
