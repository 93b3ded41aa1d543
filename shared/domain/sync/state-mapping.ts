/**
 * Backtrace fingerprint states <-> Jira statuses. Jira is read by status id and status category key, never by a
 * display name (names are translated and renamed; ids and category keys are stable: jira-rest-v2.md section 3.3).
 * An admin may name a status in the config by id or by name: a configured name is matched against the status's
 * name, never against a transition's name.
 */
import type { FingerprintState } from '../model/backtrace.ts';
import type { JiraStatus, JiraTransition } from '../model/jira.ts';
import type { StateMapConfig } from '../config/index.ts';

export type JiraCategoryKey = 'new' | 'indeterminate' | 'done';

/** Where a Backtrace state sends the Jira issue. */
export type JiraTarget =
  /** Do not move the issue (the default for muted). */
  | { kind: 'leave' }
  /** Any status in this category. */
  | { kind: 'category'; key: JiraCategoryKey }
  /** One status, by id or name as configured. */
  | { kind: 'status'; idOrName: string };

/** The Jira destination for a Backtrace state, from `sync.stateMap.toJira`. */
export function jiraTargetFor(state: FingerprintState, stateMap: StateMapConfig): JiraTarget {
  const configured = stateMap.toJira[state];
  if (configured === 'leave') return { kind: 'leave' };
  if (typeof configured === 'string') return { kind: 'category', key: configured };
  return { kind: 'status', idOrName: configured.status };
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Is a status `idOrName`? The id is compared exactly, the name case-insensitively. */
function isStatus(status: JiraStatus, idOrName: string): boolean {
  return status.id === idOrName.trim() || sameName(status.name, idOrName);
}

/**
 * Is the issue already where the target says? `leave` is always satisfied (nothing to do).
 */
export function statusMatches(status: JiraStatus, target: JiraTarget): boolean {
  switch (target.kind) {
    case 'leave':
      return true;
    case 'category':
      return status.categoryKey === target.key;
    case 'status':
      return isStatus(status, target.idOrName);
  }
}

export function describeTarget(target: JiraTarget): string {
  switch (target.kind) {
    case 'leave':
      return 'leave the issue where it is';
    case 'category':
      return `a status in category "${target.key}"`;
    case 'status':
      return `the status "${target.idOrName}"`;
  }
}

function describeTransitions(transitions: JiraTransition[]): string {
  return transitions.map((t) => `"${t.name}" (${t.id}) -> "${t.to.name}" (status ${t.to.id}, ${t.to.categoryKey})`).join('; ');
}

export type ChooseTransitionResult = { ok: true; transition: JiraTransition } | { ok: false; reason: string };

/**
 * The transition that takes the issue to `target`, judged by where each transition leads (`to`), never by its name.
 * For an explicit status, a transition to that status id wins over one to a status of that name. For a category, the
 * first transition into it wins: Jira lists transitions in the workflow's own order, so that is the main path (e.g.
 * "Done" before "Won't Do"); an admin who wants another names the status in `sync.stateMap.toJira`.
 *
 * Callers check {@link statusMatches} first: a transition that loops to the current status is not excluded here.
 */
export function chooseTransition(transitions: JiraTransition[], target: JiraTarget): ChooseTransitionResult {
  if (target.kind === 'leave') return { ok: false, reason: 'the mapping says to leave the issue where it is; no transition is needed' };
  if (transitions.length === 0) {
    return {
      ok: false,
      reason: `no transition is available from the issue's status (the workflow has none, or the integration's Jira account lacks the "Transition issues" permission); wanted ${describeTarget(target)}`,
    };
  }
  let found: JiraTransition | undefined;
  if (target.kind === 'category') {
    found = transitions.find((transition) => transition.to.categoryKey === target.key);
  } else {
    const wanted = target.idOrName.trim();
    found = transitions.find((transition) => transition.to.id === wanted) ?? transitions.find((transition) => sameName(transition.to.name, wanted));
  }
  if (found) return { ok: true, transition: found };
  const fix = target.kind === 'category' ? 'add a transition to the workflow, or map this state to an explicit status in sync.stateMap.toJira' : 'check the status id or name in sync.stateMap.toJira, or add a transition to it in the workflow';
  return {
    ok: false,
    reason: `no available transition leads to ${describeTarget(target)} (available: ${describeTransitions(transitions)}); ${fix}`,
  };
}

export type ResolutionDecision =
  /** The transition screen has no resolution field: send none (Jira answers 400 to a field not on the screen). */
  | { kind: 'none' }
  | { kind: 'set'; resolution: { name: string } }
  | { kind: 'problem'; reason: string };

/**
 * The resolution to send with a transition. Only when its screen has a resolution field (`expand=transitions.fields`):
 * the configured resolution if the screen allows it (matched by name case-insensitively, or by id), else the first
 * allowed one. A configured resolution the screen does not offer is a problem rather than a silent substitute.
 */
export function resolutionFor(transition: JiraTransition, configured: string | undefined): ResolutionDecision {
  const field = transition.resolution;
  if (!field) return { kind: 'none' };
  const allowed = field.allowedValues;
  if (configured !== undefined) {
    const wanted = configured.trim();
    const match = allowed.find((value) => value.id === wanted || sameName(value.name, wanted));
    if (match) return { kind: 'set', resolution: { name: match.name } };
    return {
      kind: 'problem',
      reason: `the transition "${transition.name}" (${transition.id}) does not offer the resolution "${configured}" set in sync.stateMap.resolution (it offers: ${allowed.map((value) => `"${value.name}"`).join(', ') || 'none'}); pick one of those`,
    };
  }
  const first = allowed[0];
  if (first) return { kind: 'set', resolution: { name: first.name } };
  if (field.required) {
    return {
      kind: 'problem',
      reason: `the transition "${transition.name}" (${transition.id}) requires a resolution but its screen offers none; fix the screen in Jira's workflow settings`,
    };
  }
  return { kind: 'none' };
}

/**
 * The Backtrace state a Jira status means: an override in `sync.stateMap.toBacktrace.statuses` by status id (first)
 * or name (case-insensitive), else by status category. The `undefined` category ("No Category") maps to nothing.
 */
export function backtraceStateFor(status: JiraStatus, stateMap: StateMapConfig): FingerprintState | undefined {
  const { statuses } = stateMap.toBacktrace;
  const entries = Object.entries(statuses);
  const byId = entries.find(([idOrName]) => idOrName.trim() === status.id);
  if (byId) return byId[1];
  const byName = entries.find(([idOrName]) => sameName(idOrName, status.name));
  if (byName) return byName[1];
  switch (status.categoryKey) {
    case 'new':
      return stateMap.toBacktrace.new;
    case 'indeterminate':
      return stateMap.toBacktrace.indeterminate;
    case 'done':
      return stateMap.toBacktrace.done;
    default:
      return undefined;
  }
}

/**
 * The state a fingerprint's state means for sync: Backtrace's automatic in-progress (a linked ticket, nobody
 * assigned; ../shared/reference/backtrace.md section 3.1) is no decision anyone made, and means open. So reopening a
 * linked fingerprint reopens the Jira issue (not "in progress"), and assigning one starts progress in Jira.
 */
export function syncedState(state: FingerprintState, assigned: boolean): FingerprintState {
  return state === 'in-progress' && !assigned ? 'open' : state;
}

/**
 * Do a fingerprint's state and an issue's status agree by the state maps? A state mapped to `leave` agrees with
 * any status; Backtrace's automatic in-progress (a linked ticket, nobody assigned) agrees with an open issue and
 * with one in progress. The poller's reconcile repairs only what disagrees by this test.
 */
export function statesAgree(state: FingerprintState, status: JiraStatus, stateMap: StateMapConfig, assigned: boolean): boolean {
  const target = jiraTargetFor(syncedState(state, assigned), stateMap);
  if (target.kind === 'leave' || statusMatches(status, target)) return true;
  return backtraceStateFor(status, stateMap) === state;
}
