/**
 * Jira's refusals of reading, moving and assigning an issue and of searching users, written for the admin: which
 * issue, transition or user, Jira's own words, and the setting or Jira permission that fixes it.
 */
import type { JiraTransition } from '../../domain/model/jira.ts';
import type { HttpFailure } from '../http/http-failure.ts';
import { errorCollection, isLoginLockout, jiraSaid as said, jiraWords, type JiraFailureContext } from './jira-failures.ts';

/**
 * A 404 from an issue resource: Jira's ErrorCollection means the issue is gone (deleted, or hidden from the Jira
 * user); anything else (a proxy page, Jersey's "null for uri") means the API root is wrong.
 */
export function explainIssueNotFound(failure: HttpFailure, issue: string, context: JiraFailureContext): string | undefined {
  if (failure.status !== 404) return undefined;
  const { errorMessages, errors } = errorCollection(failure.body);
  if (errorMessages.length === 0 && Object.keys(errors).length === 0) return undefined;
  return `Jira issue ${issue} does not exist or the Jira user (${context.credentials}) cannot see it (HTTP 404)${said(failure.body)}`;
}

export function explainIssueReadForbidden(failure: HttpFailure, issue: string, context: JiraFailureContext): string | undefined {
  if (failure.status !== 403 || isLoginLockout(failure)) return undefined;
  return `Jira refused to show issue ${issue} (HTTP 403): the Jira user (${context.credentials}) needs Browse Projects in its project${said(failure.body)}`;
}

/** `transition 31 ("Done" -> Done)`, or just the id when the transition was not listed by this client. */
export function describeTransition(id: string, known: JiraTransition | undefined): string {
  return known ? `transition ${id} ("${known.name}" -> ${known.to.name}, category ${known.to.categoryKey})` : `transition ${id}`;
}

/** Jira's answer when the transition is not offered from the issue's current status (any more). */
export function isTransitionNoLongerValid(failure: HttpFailure): boolean {
  return failure.status === 400 && errorCollection(failure.body).errorMessages.some((message) => /transition id .* is not valid/i.test(message));
}

export function explainTransitionRefusal(
  failure: HttpFailure,
  issue: string,
  transitionId: string,
  known: JiraTransition | undefined,
  context: JiraFailureContext,
): string | undefined {
  const what = describeTransition(transitionId, known);
  const status = failure.status;
  if (status === 400) {
    if (isTransitionNoLongerValid(failure)) {
      return `Jira refused ${what} of ${issue} (HTTP 400): the issue is no longer in a status this transition starts from (someone changed it meanwhile); the change is retried after re-reading the issue${said(failure.body)}`;
    }
    const { errors } = errorCollection(failure.body);
    const allowed = known?.resolution?.allowedValues.map((value) => value.name).join(', ');
    if (errors.resolution && /required/i.test(errors.resolution)) {
      return `Jira refused ${what} of ${issue} (HTTP 400): the transition screen requires a resolution; set sync.stateMap.resolution${allowed ? ` to one of: ${allowed}` : ''}${said(failure.body)}`;
    }
    if (errors.resolution && /cannot be set|not on the appropriate screen/i.test(errors.resolution)) {
      return `Jira refused ${what} of ${issue} (HTTP 400): the transition screen has no resolution field, so Jira refuses the resolution (sync.stateMap.resolution); add Resolution to the transition's screen in Jira, or let its post-function set it${said(failure.body)}`;
    }
    if (errors.resolution) {
      return `Jira refused ${what} of ${issue} (HTTP 400): the resolution is not one Jira knows; check sync.stateMap.resolution${allowed ? ` (the screen offers: ${allowed})` : ''}${said(failure.body)}`;
    }
    return `Jira refused ${what} of ${issue} (HTTP 400): check sync.stateMap.toJira and the workflow's transition screen in Jira${said(failure.body)}`;
  }
  if (status === 403 && !isLoginLockout(failure)) {
    return `Jira refused ${what} of ${issue} (HTTP 403): the Jira user (${context.credentials}) needs the Transition Issues permission in the issue's project${said(failure.body)}`;
  }
  if (status === 422) return `Jira refused ${what} of ${issue} (HTTP 422): the workflow configuration rejects it; check the transition in Jira${said(failure.body)}`;
  return explainIssueNotFound(failure, issue, context);
}

export function explainAssignRefusal(failure: HttpFailure, issue: string, user: string, context: JiraFailureContext): string | undefined {
  if (failure.status === 400) {
    const words = jiraWords(failure.body);
    const gdpr = /GDPR|accountId/i.test(words) ? ' (Jira Cloud identifies users by accountId only)' : '';
    return `Jira refused to assign ${issue} to ${user} (HTTP 400)${gdpr}: check sync.users (Jira accountId on Cloud, username on Data Center) and that the user is active and may be assigned issues in the project${said(failure.body)}`;
  }
  if (failure.status === 403 && !isLoginLockout(failure)) {
    return `Jira refused to assign ${issue} (HTTP 403): the Jira user (${context.credentials}) needs the Assign Issues permission in the issue's project${said(failure.body)}`;
  }
  return explainIssueNotFound(failure, issue, context);
}

export function explainUserSearchRefusal(failure: HttpFailure, context: JiraFailureContext): string | undefined {
  if (failure.status === 400) {
    return `Jira refused the user search (HTTP 400): set sync.userLookup to "none" and map users in sync.users if this Jira cannot search users by e-mail${said(failure.body)}`;
  }
  if (failure.status === 403 && !isLoginLockout(failure)) {
    return `Jira refused the user search (HTTP 403): the Jira user (${context.credentials}) needs the Browse users and groups global permission, or set sync.userLookup to "none" and map users in sync.users${said(failure.body)}`;
  }
  return undefined;
}

/** Jira's refusal of a comment (a regression's note): the permission that allows it. */
export function explainCommentRefusal(failure: HttpFailure, issue: string, context: JiraFailureContext): string | undefined {
  if (failure.status === 403 && !isLoginLockout(failure)) {
    return `Jira refused a comment on ${issue} (HTTP 403): the Jira user (${context.credentials}) needs the Add Comments permission in its project${said(failure.body)}`;
  }
  if (failure.status === 400) return `Jira refused a comment on ${issue} (HTTP 400): check fixVersions.onRegression.comment renders to text Jira accepts${said(failure.body)}`;
  return undefined;
}

/** Jira's refusal of an issue link (a regression's new issue "relates to" the old one). */
export function explainIssueLinkRefusal(failure: HttpFailure, type: string, outward: string, inward: string, context: JiraFailureContext): string | undefined {
  const what = `a "${type}" link from ${outward} to ${inward}`;
  if (failure.status === 404) {
    return `Jira refused ${what} (HTTP 404): issue linking is off, the link type "${type}" does not exist, or the Jira user cannot see one of the issues${said(failure.body)}`;
  }
  if (failure.status === 403 && !isLoginLockout(failure)) {
    return `Jira refused ${what} (HTTP 403): the Jira user (${context.credentials}) needs the Link Issues permission${said(failure.body)}`;
  }
  if (failure.status === 400) return `Jira refused ${what} (HTTP 400)${said(failure.body)}`;
  return undefined;
}
