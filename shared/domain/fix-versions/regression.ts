/**
 * Regressions: Backtrace reopens a resolved fingerprint when an error arrives in a version above its "resolved
 * until" invariant, and counts it in `invariant_reopen_count` (../shared/reference/backtrace.md section 3.2). The
 * bridge acts on each count once (`fixVersions.onRegression`), whoever sees it first: the poller or an error-group
 * event. These are the decisions; the sync step does the Jira calls.
 */
import type { FixVersionsConfig } from '../config/index.ts';
import type { BacktraceGroup } from '../backtrace-group.ts';
import type { FingerprintState } from '../model/backtrace.ts';
import type { JiraTarget } from '../sync/state-mapping.ts';
import { renderTemplate } from '../template.ts';
import { regresses, type VersionInvariant } from './resolved-until.ts';

export type RegressionAction = FixVersionsConfig['onRegression']['action'];

export interface RegressionInput {
  /** The fingerprint's state and reopen count now. */
  state: FingerprintState;
  reopenCount: number;
  /** The reopen count when the bridge last saw the fingerprint; absent at link time. */
  seenReopenCount: number | undefined;
  /** The reopen count last acted on. */
  handledCount: number | undefined;
}

export type RegressionDecision =
  /** A reopen count not acted on yet, on a fingerprint that is open again: act once, and record `count`. */
  | { act: true; count: number }
  /** Nothing to act on; `record`: a count to record as seen without acting (see `reason`). */
  | { act: false; reason: string; record?: number };

/**
 * Act on a regression? Once per reopen count: a count above both the one last seen and the one last acted on. At
 * link time the count is a baseline (a regression before the link is no news). A fingerprint someone resolved or
 * muted again before the bridge saw the reopen is left so: the count is recorded, nothing reopened.
 */
export function regressionDecision(input: RegressionInput): RegressionDecision {
  const { reopenCount, seenReopenCount, handledCount } = input;
  if (seenReopenCount === undefined) return { act: false, reason: 'first sight of the fingerprint: its reopen count is the baseline' };
  const known = Math.max(seenReopenCount, handledCount ?? 0);
  if (reopenCount <= known) return { act: false, reason: 'no new reopen' };
  if (input.state === 'resolved' || input.state === 'muted') {
    return { act: false, reason: `reopened by Backtrace, then ${input.state} again before the bridge saw it`, record: reopenCount };
  }
  return { act: true, count: reopenCount };
}

/**
 * The version that regressed, for the comment: the one an error-group event above the resolved-until version
 * brought (noted after that version was set), else the resolved-until version itself.
 */
export function regressionVersion(noted: { version: string; at: number } | undefined, resolvedUntil: (VersionInvariant & { at?: number }) | undefined): string | undefined {
  if (noted && resolvedUntil && regresses(noted.version, resolvedUntil) && noted.at >= (resolvedUntil.at ?? 0)) return noted.version;
  if (noted && !resolvedUntil) return noted.version;
  return resolvedUntil?.version;
}

/** Where `reopen` moves the Jira issue: `onRegression.status`, else the first status of the "new" category. */
export function reopenTarget(onRegression: FixVersionsConfig['onRegression']): JiraTarget {
  return onRegression.status === undefined ? { kind: 'category', key: 'new' } : { kind: 'status', idOrName: onRegression.status };
}

export interface RegressionCommentInput {
  fingerprint: string;
  universe: string;
  project: string;
  /** The version that regressed (absent: unknown, "a later version"). */
  version: string | undefined;
  resolvedUntil: string | undefined;
  groupUrl: string | undefined;
  /** Group attribute values the bridge knows (the rule-set attributes), for `$attribute` in the template. */
  attributes: Readonly<Record<string, string>>;
}

/**
 * The comment `onRegression.comment` renders to: `$version`, `$resolvedUntil`, `$fingerprint`, `$group_url` and
 * the group attributes the bridge knows, in Backtrace's `$attribute` template language.
 */
export function renderRegressionComment(template: string, input: RegressionCommentInput): string {
  const attributes: Record<string, [string, number][]> = {};
  for (const [name, value] of Object.entries(input.attributes)) attributes[name] = [[value, 1]];
  attributes.version = [[input.version ?? 'a later version', 1]];
  attributes.resolvedUntil = [[input.resolvedUntil ?? 'unknown', 1]];
  const group: BacktraceGroup = {
    universe: input.universe,
    project: input.project,
    fingerprint: input.fingerprint,
    ...(input.groupUrl === undefined ? {} : { group_url: input.groupUrl }),
    attributes,
  };
  return renderTemplate(template, group).trim();
}
