/**
 * What the bridge does when Backtrace reopened a linked fingerprint for a regression (`fixVersions.onRegression`):
 *
 * - `reopen`: move the Jira issue to `onRegression.status` (default: the first status of the "new" category the
 *   workflow offers) and comment, naming the version that regressed;
 * - `comment`: only the comment (the issue stays done; the pair is then taken to agree, see the poller);
 * - `new-issue`: file a new issue that "relates to" the old one, comment on it, and move the link to it.
 *
 * Called once per reopen count, under the pair's sync lease. Each Jira write is found again before it is repeated,
 * so a retry after a crash does not comment twice (the comment is looked for among the issue's comments by the
 * integration's own account) or file a second issue (the new issue carries a label unique to the group and the
 * reopen count, searched before creating).
 */
import type { BacktraceGroup } from '../../domain/backtrace-group.ts';
import { buildIssueFields } from '../../domain/build-issue-fields.ts';
import type { IntegrationConfig } from '../../domain/config/index.ts';
import { renderRegressionComment, reopenTarget, type RegressionAction } from '../../domain/fix-versions/regression.ts';
import type { IssueRef, JiraDeployment, JiraIssueState, JiraUser } from '../../domain/model/jira.ts';
import type { LinkedLink } from '../../domain/model/link.ts';
import { madeByUs } from '../../domain/sync/sync-plan.ts';
import { SUMMARY_MAX_LENGTH } from '../../domain/summary.ts';
import { cutText } from '../../domain/text-cut.ts';
import { PermanentError } from '../../ports/errors.ts';
import type { IssueTracker } from '../../ports/issue-tracker.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { writeToIssue } from './write-to-issue.ts';

/** Jira's stock link type for "relates to" (../shared/reference/jira-rest-v2.md: present on Cloud and Data Center). */
const RELATES = 'Relates';

export interface RegressionActInput {
  integration: IntegrationConfig;
  /** The integration's path in the config, for refusals (e.g. `integrations[0]`). */
  configPath: string;
  link: LinkedLink;
  issue: JiraIssueState;
  deployment: JiraDeployment;
  self: JiraUser | undefined;
  /** The reopen count acted on. */
  count: number;
  /** The version that regressed, and the resolved-until one (absent when unknown). */
  version: string | undefined;
  resolvedUntil: string | undefined;
  /** The version field's id, to read the new issue with. */
  versionFieldId: string;
  context: Record<string, unknown>;
}

export interface RegressionActResult {
  /** What was done, for the log and the result. */
  actions: string[];
  /** How it was acted on (a `new-issue` Jira refused falls back to `comment`). */
  action: RegressionAction;
  /** The old issue's status and assignee after the writes. */
  after: Pick<JiraIssueState, 'status' | 'assignee'>;
  /** The new issue (`new-issue`), read back: the link moves to it. */
  newIssue?: { ref: IssueRef; state: JiraIssueState };
}

export async function actOnRegression(deps: { tracker: IssueTracker; log: Logger; metrics?: Metrics }, input: RegressionActInput): Promise<RegressionActResult> {
  const { integration, issue, context } = input;
  const { onRegression } = integration.fixVersions;
  const group = input.link.sync?.group;
  const comment = renderRegressionComment(onRegression.comment, {
    fingerprint: input.link.fingerprint,
    universe: input.link.universe,
    project: input.link.project,
    version: input.version,
    resolvedUntil: input.resolvedUntil,
    groupUrl: group?.url,
    attributes: group?.values ?? {},
  });
  const actions: string[] = [];
  let after: RegressionActResult['after'] = { status: issue.status, assignee: issue.assignee };

  if (onRegression.action === 'new-issue') {
    const filed = await fileRegressionIssue(deps, input);
    if (filed.ok) {
      actions.push(filed.created ? `filed ${filed.ref.key} (relates to ${issue.key})` : `found ${filed.ref.key}, filed for this regression before`);
      if (await commentOnce(deps.tracker, filed.ref.key, comment, input.self)) actions.push(`commented on ${filed.ref.key}`);
      const state = await deps.tracker.getIssueState(filed.ref.id, { versionField: input.versionFieldId });
      return { actions, action: 'new-issue', after, newIssue: { ref: filed.ref, state } };
    }
    // Losing the regression is worse than a comment in the wrong place: say so on the old issue.
    deps.log.error(`Cannot file a new Jira issue for the regression of ${issue.key}; commenting on ${issue.key} instead`, { ...context, reason: filed.reason });
    if (await commentOnce(deps.tracker, issue.key, comment, input.self)) actions.push(`commented on ${issue.key}`);
    return { actions, action: 'comment', after };
  }

  if (onRegression.action === 'reopen') {
    const written = await writeToIssue(deps, { integration, issue, deployment: input.deployment, target: reopenTarget(onRegression), context });
    after = written.after;
    actions.push(...written.actions);
  }
  if (await commentOnce(deps.tracker, issue.key, comment, input.self)) actions.push(`commented on ${issue.key}`);
  return { actions, action: onRegression.action, after };
}

/** Posts `body` unless the integration's account already did (a retry after a crash between comment and record). */
async function commentOnce(tracker: IssueTracker, issueKey: string, body: string, self: JiraUser | undefined): Promise<boolean> {
  const existing = await tracker.listComments(issueKey);
  if (existing.some((comment) => comment.body.trim() === body && (self === undefined || madeByUs(comment.author, self)))) return false;
  await tracker.addComment(issueKey, body);
  return true;
}

type Filed = { ok: true; ref: IssueRef; created: boolean } | { ok: false; reason: string };

/**
 * The regression's new issue: built as the integration builds any (type, labels, custom fields), from what the
 * bridge knows of the group, with the summary "Regression in <version>: <old summary>" and, instead of the group's
 * dedupe label, one for this reopen count, so a crashed attempt's issue is found rather than filed twice.
 */
async function fileRegressionIssue(deps: { tracker: IssueTracker }, input: RegressionActInput): Promise<Filed> {
  const { integration, link, issue } = input;
  const known = link.sync?.group;
  const attributes: NonNullable<BacktraceGroup['attributes']> = {};
  for (const [name, value] of Object.entries(known?.values ?? {})) attributes[name] = [[value, 1]];
  if (input.version !== undefined) attributes[integration.fixVersions.versionAttribute] = [[input.version, 1]];
  const group: BacktraceGroup = {
    universe: link.universe,
    project: link.project,
    fingerprint: link.fingerprint,
    ...(known?.url === undefined ? {} : { group_url: known.url }),
    attributes,
  };
  const built = buildIssueFields({ group, integration, fields: await deps.tracker.listFields(), deployment: input.deployment, configPath: input.configPath });
  if (!built.ok) return { ok: false, reason: built.problems.join('; ') };
  const label = `${built.dedupeLabel}-r${input.count}`;
  const fields = { ...built.fields };
  const labels = fields[built.labelsFieldId];
  fields[built.labelsFieldId] = Array.isArray(labels) ? labels.map((entry) => (entry === built.dedupeLabel ? label : entry)) : [label];
  const summary = `Regression${input.version === undefined ? '' : ` in ${input.version}`}: ${issue.summary ?? String(built.fields.summary ?? '')}`;
  fields.summary = cutText(summary, SUMMARY_MAX_LENGTH, { wordBoundaryMinShare: 0.6 });

  const found = await deps.tracker.findIssuesByLabel(integration.jira.projectKey, label, built.labelsFieldId);
  if (found[0]) return { ok: true, ref: found[0], created: false };
  let ref: IssueRef;
  try {
    ref = await deps.tracker.createIssue(fields);
  } catch (error) {
    if (error instanceof PermanentError) return { ok: false, reason: error.message };
    throw error;
  }
  await deps.tracker.linkIssues(RELATES, ref.key, issue.key);
  return { ok: true, ref, created: true };
}
