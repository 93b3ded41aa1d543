/**
 * Use-case behind the worker: make sure a Backtrace error group has exactly one Jira issue per integration, and
 * that the fingerprint's ticket list points at it.
 *
 * Exactly once, by construction:
 * - The link store's conditional claim is the lock: one worker at a time may create the issue for
 *   (integration, fingerprint); the others get `busy` and are told to retry after the holder's lease.
 * - A crash between `createIssue` and `completeClaim` leaves a claim behind and an issue in Jira. When the lease
 *   has expired, the next delivery takes the claim over and first searches Jira for the dedupe label that every
 *   created issue carries, adopting what it finds. The lease must therefore be longer than the worker's own run
 *   (Lambda timeout) plus Jira Cloud's search lag (reference/jira-rest-v2.md section 11), or the search can miss
 *   the issue a crashed worker created.
 *
 * - Exactly once without the table: a worker holding a fresh claim first reads the fingerprint's row in Backtrace
 *   (the attach step needs it anyway) and, when our integration's ticket entry names an issue Jira still has,
 *   adopts that issue instead of creating one. A lost, restored or re-created link table, or a second stack on the
 *   same projects, therefore makes no second issue.
 *
 * Idempotent: calling it again for a linked fingerprint makes no Jira request; it only re-attaches the Backtrace
 * ticket when an earlier attempt failed to. Safe under any number of concurrent and repeated deliveries.
 *
 * Retried (by the caller, through the queue): every {@link RetryableError}, with `retryAfterMs` when a wait is known
 * (a busy claim's lease, Jira's Retry-After, or the lease of a claim kept after an ambiguous create).
 * Not retried: {@link PermanentError} (fields Jira refuses, missing config); the claim is released first, so a
 * redrive after the fix creates the issue at once.
 */
import { randomUUID } from 'node:crypto';
import type { BacktraceIssues } from '../ports/backtrace-issues.ts';
import { stateAfterTicketWrite, type FingerprintIssue, type FingerprintRef } from '../domain/model/backtrace.ts';
import type { IssueRef, JiraDeployment, JiraField } from '../domain/model/jira.ts';
import type { Link, LinkedLink } from '../domain/model/link.ts';
import type { Clock } from '../ports/clock.ts';
import { ClaimBusyError, PermanentError, RetryableError } from '../ports/errors.ts';
import type { IssueTracker } from '../ports/issue-tracker.ts';
import type { LinkStore } from '../ports/link-store.ts';
import type { Logger } from '../ports/logger.ts';
import { attachTicket } from './attach-ticket.ts';

/** Shortest wait suggested for a busy fingerprint: the holder is usually done within a second. */
export const MIN_BUSY_RETRY_MS = 1_000;
/**
 * How long after linking the creator is taken to be still attaching the ticket (one Backtrace write, plus the
 * inline retries `settings.maxInlineRetryWaitSeconds` allows). A repeat delivery within it waits instead of reading
 * and writing the ticket list again; after it, a ticket still not attached is attached by whoever comes next.
 */
export const ATTACH_GRACE_MS = 10_000;

export interface CreateIssueDeps {
  tracker: IssueTracker;
  links: LinkStore;
  backtrace: BacktraceIssues;
  clock: Clock;
  log: Logger;
  /** Claim token generator; default `crypto.randomUUID`. */
  newToken?: () => string;
  /** How long a claim protects a creation in progress (`settings.claimLeaseSeconds` in ms). */
  leaseMs: number;
}

/** What the use-case needs of an integration's config (an `IntegrationConfig` fits). */
export interface IssueIntegration {
  name: string;
  jira: { projectKey: string; siteUrl: string };
}

/** A problem of the built fields, as text or as an object with a message (and maybe the config path). */
export type FieldProblem = string | { message: string; path?: string };

export type BuildFieldsResult =
  | { ok: true; fields: Record<string, unknown>; dedupeLabel: string; labelsFieldId?: string }
  | { ok: false; problems: readonly FieldProblem[] };

/** Shapes the `fields` of the create request from Jira's field list (`buildIssueFields` in shared/domain). */
export type BuildFields = (fields: JiraField[], deployment: JiraDeployment) => BuildFieldsResult;

export interface CreateIssueInput {
  integration: IssueIntegration;
  /**
   * Take the link's sync lease with the link (token = the claim token, in the result), for the link-time sync that
   * follows, so no webhook about the new issue is applied before that sync has read both sides.
   */
  syncLeaseMs?: number;
  /** The error group (a `BacktraceGroup` fits): which fingerprint, in which universe and project. */
  group: FingerprintRef;
  buildFields: BuildFields;
}

/** A link made by this delivery: the link, the lease token (when `syncLeaseMs` was given), the row after attaching. */
interface NewLink {
  link: LinkedLink;
  token: string;
  /** The fingerprint's row as the attach left it (Backtrace's automatic in-progress applied). */
  row: FingerprintIssue;
}

export type CreateIssueResult =
  /** We created the issue and linked it; `link` is the link we made. */
  | ({ outcome: 'created'; issueKey: string; issueId: string } & NewLink)
  /** A crashed attempt had created it; we found it by its dedupe label and linked it. */
  | ({ outcome: 'recovered'; issueKey: string; issueId: string; duplicates: string[] } & NewLink)
  /** The fingerprint's ticket entry named an issue Jira still has (the link table was lost, or another stack made it). */
  | ({ outcome: 'adopted'; issueKey: string; issueId: string } & NewLink)
  /** It was linked before this delivery; no Jira request was made. */
  | { outcome: 'already-linked'; issueKey: string; issueId: string; link: Link }
  /**
   * Our claim was taken over before we could link the issue we created (we outran the lease). The new holder
   * searches for it; if it was created after their search, `issueKey` is a duplicate to delete (logged as error).
   */
  | { outcome: 'superseded'; issueKey: string; issueId: string };

/** @see the module comment for what is idempotent and what is retried. */
export async function createIssueForGroup(deps: CreateIssueDeps, input: CreateIssueInput): Promise<CreateIssueResult> {
  const { integration, group } = input;
  const ref: FingerprintRef = { universe: group.universe, project: group.project, fingerprint: group.fingerprint };
  const context = { integration: integration.name, fingerprint: group.fingerprint };

  const existing = await deps.links.get(integration.name, group.fingerprint);
  if (existing?.status === 'linked') return alreadyLinked(deps, integration, ref, existing);

  const token = (deps.newToken ?? randomUUID)();
  const claim = await deps.links.claim({
    integration: integration.name,
    fingerprint: group.fingerprint,
    universe: group.universe,
    project: group.project,
    token,
    now: deps.clock.now(),
    leaseMs: deps.leaseMs,
  });

  switch (claim.outcome) {
    case 'linked':
      return alreadyLinked(deps, integration, ref, claim.link);
    case 'busy': {
      // A live holder finishes within seconds, a crashed one only frees the fingerprint when its lease ends: come
      // back after as long as the claim has existed (1 s, 2 s, 4 s ...), never later than the lease's end.
      const now = deps.clock.now();
      const leaseLeftMs = (claim.link.leaseUntil ?? 0) - now;
      const claimAgeMs = now - claim.link.updatedAt;
      const waitMs = Math.max(MIN_BUSY_RETRY_MS, Math.min(leaseLeftMs, claimAgeMs));
      deps.log.debug('Another worker is creating the Jira issue; retrying later', { ...context, retryAfterMs: waitMs });
      throw new ClaimBusyError(
        `The Jira issue for fingerprint ${group.fingerprint} (integration ${integration.name}) is being created by another worker`,
        { retryAfterMs: waitMs },
      );
    }
    case 'claimed':
    case 'took-over':
      return createOrRecover(deps, input, ref, token, claim.outcome === 'took-over' ? claim.previous : undefined, claim.link.leaseUntil);
  }
}

async function createOrRecover(
  deps: CreateIssueDeps,
  input: CreateIssueInput,
  ref: FingerprintRef,
  token: string,
  previous: Link | undefined,
  leaseUntil: number | undefined,
): Promise<CreateIssueResult> {
  const { integration } = input;
  const context = { integration: integration.name, fingerprint: ref.fingerprint };

  // Until createIssue is sent, nothing exists in Jira because of us: on any failure, hand the claim back.
  let fields: Record<string, unknown>;
  let dedupeLabel: string;
  let labelsFieldId: string | undefined;
  let row: FingerprintIssue;
  let found: IssueRef[] = [];
  let ours: IssueRef | undefined;
  try {
    const [jiraFields, deployment, fingerprintRow] = await Promise.all([deps.tracker.listFields(), deps.tracker.deploymentType(), deps.backtrace.getIssue(ref)]);
    row = fingerprintRow;
    const built = input.buildFields(jiraFields, deployment);
    if (!built.ok) {
      throw new PermanentError(
        `Cannot build the Jira issue for fingerprint ${ref.fingerprint} (integration ${integration.name}): ${built.problems.map(describeProblem).join('; ')}`,
      );
    }
    ({ fields, dedupeLabel, labelsFieldId } = built);
    ours = await issueOfOurTicket(deps, integration, row, context);
    if (!ours && previous) {
      deps.log.warn('Took over an expired claim; searching Jira for an issue a crashed attempt may have created', {
        ...context,
        dedupeLabel,
        previousLeaseUntil: previous.leaseUntil,
      });
      found = await deps.tracker.findIssuesByLabel(integration.jira.projectKey, dedupeLabel, labelsFieldId);
    }
  } catch (error) {
    await release(deps, ref, integration.name, token);
    throw error;
  }

  if (ours) {
    const linked = await link(deps, input, ref, token, ours, leaseUntil);
    if (!linked) return superseded(deps, ref, integration.name, ours, false);
    deps.log.info("Adopted the Jira issue the fingerprint's ticket names (no link was recorded for it)", { ...context, issueKey: ours.key });
    const attached = await attachNewTicket(deps, integration.name, ref, ours, row);
    return { outcome: 'adopted', issueKey: ours.key, issueId: ours.id, link: { ...linked, ticketAttached: true }, token, row: attached };
  }

  if (found.length > 0) {
    const [adopted, ...duplicates] = found as [IssueRef, ...IssueRef[]];
    if (duplicates.length > 0) {
      deps.log.error('Duplicate Jira issues carry the same dedupe label; keeping the oldest', {
        ...context,
        dedupeLabel,
        kept: adopted.key,
        duplicates: duplicates.map((issue) => issue.key),
      });
    }
    const linked = await link(deps, input, ref, token, adopted, leaseUntil);
    if (!linked) return superseded(deps, ref, integration.name, adopted, false);
    deps.log.info('Recovered the Jira issue of a crashed attempt', { ...context, issueKey: adopted.key });
    const attached = await attachNewTicket(deps, integration.name, ref, adopted, row);
    return { outcome: 'recovered', issueKey: adopted.key, issueId: adopted.id, duplicates: duplicates.map((issue) => issue.key), link: { ...linked, ticketAttached: true }, token, row: attached };
  }

  let issue: IssueRef;
  try {
    issue = await deps.tracker.createIssue(fields);
  } catch (error) {
    if (error instanceof PermanentError || (error instanceof RetryableError && error.notApplied)) {
      // Jira refused the request (a field error, or a 429/503 before doing any work), so no issue exists: release
      // the claim, so the retry (or the redrive after a config fix) goes ahead without waiting out the lease.
      await release(deps, ref, integration.name, token);
      throw error;
    }
    // A timeout or a dropped connection may hide a created issue: keep the claim, so that the next attempt waits
    // for the lease and then searches the dedupe label instead of creating a second issue.
    const leaseLeftMs = (leaseUntil ?? 0) - deps.clock.now();
    const retryAfterMs = Math.max(error instanceof RetryableError ? (error.retryAfterMs ?? 0) : 0, leaseLeftMs, MIN_BUSY_RETRY_MS);
    deps.log.warn('Jira issue creation failed in a way that may have created it; keeping the claim until its lease ends', {
      ...context,
      retryAfterMs,
      error: error instanceof Error ? error.message : String(error),
    });
    throw new RetryableError(
      `Creating the Jira issue for fingerprint ${ref.fingerprint} (integration ${integration.name}) failed: ${error instanceof Error ? error.message : String(error)}`,
      { retryAfterMs, cause: error },
    );
  }

  const linked = await link(deps, input, ref, token, issue, leaseUntil);
  if (!linked) return superseded(deps, ref, integration.name, issue, true);
  deps.log.info('Created Jira issue', { ...context, issueKey: issue.key });
  const attached = await attachNewTicket(deps, integration.name, ref, issue, row);
  return { outcome: 'created', issueKey: issue.key, issueId: issue.id, link: { ...linked, ticketAttached: true }, token, row: attached };
}

/** completeClaim; a failure to write is retryable after the lease, when the label search will adopt the issue. */
async function link(deps: CreateIssueDeps, input: CreateIssueInput, ref: FingerprintRef, token: string, issue: IssueRef, leaseUntil: number | undefined): Promise<LinkedLink | undefined> {
  const integration = input.integration.name;
  try {
    return await deps.links.completeClaim({ integration, fingerprint: ref.fingerprint, token, issue, now: deps.clock.now(), ...(input.syncLeaseMs === undefined ? {} : { syncLeaseMs: input.syncLeaseMs }) });
  } catch (error) {
    const retryAfterMs = Math.max((leaseUntil ?? 0) - deps.clock.now(), MIN_BUSY_RETRY_MS);
    deps.log.error('Created a Jira issue but could not record the link; a retry after the lease will adopt it by its label', {
      integration,
      fingerprint: ref.fingerprint,
      issueKey: issue.key,
      retryAfterMs,
      error: error instanceof Error ? error.message : String(error),
    });
    throw new RetryableError(`Recording the link of ${issue.key} for fingerprint ${ref.fingerprint} failed`, { retryAfterMs, cause: error });
  }
}

/** Our claim was taken over before we linked `issue`; say what that means for the admin, and stop. */
async function superseded(deps: CreateIssueDeps, ref: FingerprintRef, integration: string, issue: IssueRef, createdByUs: boolean): Promise<CreateIssueResult> {
  const now = await deps.links.get(integration, ref.fingerprint).catch(() => undefined);
  const context = { integration, fingerprint: ref.fingerprint, issueKey: issue.key, linkedKey: now?.issueKey };
  if (now?.status === 'linked' && now.issueId === issue.id) {
    deps.log.warn('Our claim was taken over, and the new holder linked the same issue', context);
  } else if (now?.status === 'linked') {
    deps.log.error(
      `Duplicate Jira issue: ${issue.key} carries this group's dedupe label, and ${now.issueKey} is linked instead; delete ${issue.key}` +
        (createdByUs ? ' (it was created after our claim expired: raise settings.claimLeaseSeconds above the worker timeout plus Jira search lag)' : ''),
      context,
    );
  } else {
    deps.log.error(`Our claim expired before ${issue.key} was linked; the new holder will find it by its dedupe label or create a duplicate`, context);
  }
  return { outcome: 'superseded', issueKey: issue.key, issueId: issue.id };
}

async function alreadyLinked(deps: CreateIssueDeps, integration: IssueIntegration, ref: FingerprintRef, link: Link): Promise<CreateIssueResult> {
  const issueKey = link.issueKey ?? '';
  const linkAgeMs = deps.clock.now() - link.updatedAt;
  if (!link.ticketAttached && linkAgeMs < ATTACH_GRACE_MS) {
    // Linked moments ago: its creator is attaching the ticket right now. A repeat delivery (the usual case: Backtrace
    // and the queue redeliver) comes back once that is done, rather than spending a Backtrace read on it.
    // As for a busy claim: come back after as long as the link has existed (the attach takes one round trip), never
    // later than the grace's end.
    const retryAfterMs = Math.max(MIN_BUSY_RETRY_MS, Math.min(ATTACH_GRACE_MS - linkAgeMs, linkAgeMs));
    deps.log.debug('The Jira issue was linked moments ago and its ticket is being attached; retrying later', { integration: integration.name, fingerprint: ref.fingerprint, issueKey, retryAfterMs });
    throw new ClaimBusyError(`The ticket of ${issueKey} is being attached to fingerprint ${ref.fingerprint} (integration ${integration.name}) by another worker`, { retryAfterMs });
  }
  if (!link.ticketAttached && link.issueKey && link.issueUrl) {
    deps.log.info('Linked Jira issue has no Backtrace ticket yet; attaching it', {
      integration: integration.name,
      fingerprint: ref.fingerprint,
      issueKey,
    });
    await attachNewTicket(deps, integration.name, ref, { key: link.issueKey, url: link.issueUrl });
  }
  return { outcome: 'already-linked', issueKey, issueId: link.issueId ?? '', link };
}

/** Our ticket entry on the fingerprint; the row as Backtrace holds it afterwards (from `row` when given, else read). */
async function attachNewTicket(deps: CreateIssueDeps, integration: string, ref: FingerprintRef, issue: { key: string; url: string }, row?: FingerprintIssue): Promise<FingerprintIssue> {
  const { tickets } = await attachTicket(deps, { integration, ref, issue, state: 'open', ...(row ? { current: row.tickets } : {}) });
  const before = row ?? { state: 'open' as const, tickets };
  return { ...before, tickets, state: stateAfterTicketWrite(before.state, tickets) };
}

/**
 * The issue our integration's ticket entry on the fingerprint names, when Jira still has it (read by the entry's
 * key; Jira answers with the issue's current key and id). A 404 means the entry is stale: nothing to adopt.
 */
async function issueOfOurTicket(deps: CreateIssueDeps, integration: IssueIntegration, row: FingerprintIssue, context: Record<string, unknown>): Promise<IssueRef | undefined> {
  const entry = row.tickets.find((ticket) => ticket.watcher === integration.name && typeof ticket.short === 'string' && ticket.short !== '');
  if (!entry?.short) return undefined;
  try {
    const issue = await deps.tracker.getIssueState(entry.short);
    return { id: issue.id, key: issue.key, url: `${integration.jira.siteUrl}/browse/${issue.key}` };
  } catch (error) {
    if (error instanceof PermanentError && error.status === 404) {
      deps.log.info(`The fingerprint's ticket names ${entry.short}, which Jira no longer has; creating a new issue`, context);
      return undefined;
    }
    throw error;
  }
}

/** Best effort: a claim we fail to release simply expires with its lease. */
async function release(deps: CreateIssueDeps, ref: FingerprintRef, integration: string, token: string): Promise<void> {
  try {
    await deps.links.releaseClaim({ integration, fingerprint: ref.fingerprint, token, now: deps.clock.now() });
  } catch (error) {
    deps.log.warn('Could not release the claim; it will expire with its lease', {
      integration,
      fingerprint: ref.fingerprint,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function describeProblem(problem: FieldProblem): string {
  if (typeof problem === 'string') return problem;
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}
