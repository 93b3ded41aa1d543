/**
 * Jira Fix Versions -> Backtrace's "resolved until" (../shared/reference/backtrace.md section 3.2): a fingerprint
 * resolved with an invariant `{"type": "version_gt", "field": "<attribute>", "version": "<highest fix version>"}`
 * is reopened by Backtrace when the error comes back in a later version. And the way back: a regression, seen as a
 * higher `invariant_reopen_count`, acted on once per count.
 */
import type { FixVersionsConfig } from '../config/index.ts';
import type { FingerprintState } from '../model/backtrace.ts';
import type { VersionInvariant } from '../model/link.ts';
import { compareVersions, highestVersion, parseVersion, versionFromName, type Version } from './versions.ts';
import type { Versioning } from './version-rules.ts';

export type { VersionInvariant };

export interface ResolvedUntilDecision {
  /** The invariants to set with the resolution: one version invariant, or none (plain resolved). */
  invariants: VersionInvariant[];
  /** Fix Version names no version could be read from, for the log line. */
  skipped: string[];
  /** Why there is no invariant, when there is none. */
  reason?: string;
}

/**
 * The invariants a resolution carries, from the Fix Version names: the highest version the pattern reads,
 * compared as releases sort. Names it cannot read are skipped (never guessed); no name read -> plain resolved.
 */
export function resolvedUntilFor(fixVersions: readonly string[], versioning: Versioning, invariant: FixVersionsConfig['invariant']): ResolvedUntilDecision {
  if (fixVersions.length === 0) return { invariants: [], skipped: [], reason: 'the issue has no Fix Versions' };
  const versions: Version[] = [];
  const skipped: string[] = [];
  for (const name of fixVersions) {
    const read = versionFromName(name, versioning.versionPattern);
    if (read.ok) versions.push(read.version);
    else skipped.push(read.reason);
  }
  const highest = highestVersion(versions);
  if (!highest) return { invariants: [], skipped, reason: `no Fix Version name gives a version (${skipped.join('; ')})` };
  return { invariants: [{ type: invariant, field: versioning.versionAttribute, version: highest.text }], skipped };
}

/** The "resolved until" version invariant among a row's invariants, if any. */
export function versionInvariantOf(invariants: readonly unknown[] | undefined): VersionInvariant | undefined {
  for (const entry of invariants ?? []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { type, field, version } = entry as Record<string, unknown>;
    if ((type === 'version_gt' || type === 'version_ge') && typeof field === 'string' && typeof version === 'string') return { type, field, version };
  }
  return undefined;
}

/** Would an error in `version` reopen a fingerprint resolved until `invariant`? (An older version reopens nothing.) */
export function regresses(version: string, invariant: VersionInvariant): boolean {
  const seen = parseVersion(version);
  const until = parseVersion(invariant.version);
  if (!seen || !until) return false;
  const order = compareVersions(seen, until);
  return invariant.type === 'version_gt' ? order > 0 : order >= 0;
}

/** The highest of a group's values of the version attribute that regresses past `invariant`, if any. */
export function regressedVersion(values: readonly string[], invariant: VersionInvariant): string | undefined {
  const above = values.filter((value) => regresses(value, invariant)).map((value) => parseVersion(value)!);
  return highestVersion(above)?.text;
}

/** Is this reopen count a regression not acted on yet? Once per count, whoever (event or poller) sees it first. */
export function regressionToAct(reopenCount: number, handledReopenCount: number | undefined): boolean {
  return reopenCount > (handledReopenCount ?? 0);
}

const isVersionInvariant = (entry: unknown): boolean =>
  typeof entry === 'object' && entry !== null && ((entry as { type?: unknown }).type === 'version_gt' || (entry as { type?: unknown }).type === 'version_ge');

const sameInvariant = (a: VersionInvariant | undefined, b: VersionInvariant | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.type === b.type && a.field === b.field && a.version === b.version;

export interface InvariantsPlanInput {
  /** The state the bridge writes to the fingerprint in this sync; absent: it leaves the state. */
  newState: FingerprintState | undefined;
  /** The fingerprint's invariants as read. */
  rowInvariants: readonly unknown[] | undefined;
  /** The Fix Version names now. */
  fixVersions: readonly string[];
  versioning: Versioning;
  invariant: FixVersionsConfig['invariant'];
}

export type InvariantsPlan =
  /** Leave the invariants as they are. */
  | { write: false; decision?: ResolvedUntilDecision }
  /** Replace them with `invariants` (the whole list: Backtrace's `set` replaces it). */
  | { write: true; invariants: unknown[]; decision?: ResolvedUntilDecision; cleared?: boolean };

/**
 * The invariants that go with a state the bridge writes from Jira. Resolved: the version invariants become the one
 * the Fix Versions give (none: plain resolved); other kinds (a person's "resolved until seen again") stay. Open or
 * in progress (reopened in Jira): the invariants are cleared, they meant "until". Nothing written when nothing
 * changes.
 */
export function invariantsFor(input: InvariantsPlanInput): InvariantsPlan {
  const current = input.rowInvariants ?? [];
  if (input.newState === 'open' || input.newState === 'in-progress') {
    return current.length > 0 ? { write: true, invariants: [], cleared: true } : { write: false };
  }
  if (input.newState !== 'resolved') return { write: false };
  const decision = resolvedUntilFor(input.fixVersions, input.versioning, input.invariant);
  const wanted = decision.invariants[0];
  if (sameInvariant(versionInvariantOf(current), wanted) && current.filter(isVersionInvariant).length === (wanted ? 1 : 0)) return { write: false, decision };
  return { write: true, invariants: [...current.filter((entry) => !isVersionInvariant(entry)), ...decision.invariants], decision };
}
