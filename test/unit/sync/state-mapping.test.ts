import { describe, expect, it } from 'vitest';
import type { FingerprintState } from '../../../shared/domain/model/backtrace.ts';
import type { JiraStatus } from '../../../shared/domain/model/jira.ts';
import {
  backtraceStateFor,
  chooseTransition,
  jiraTargetFor,
  resolutionFor,
  statusMatches,
  type JiraTarget,
} from '../../../shared/domain/sync/state-mapping.ts';
import { DONE, IN_PROGRESS, IN_REVIEW, NO_CATEGORY, syncConfig, TO_DO, transition, WONT_FIX } from './sync-factories.ts';

const defaults = syncConfig().stateMap;
const custom = syncConfig({
  stateMap: {
    toJira: { resolved: { status: "Won't Fix" }, muted: { status: '10003' }, 'in-progress': 'indeterminate' },
    toBacktrace: { statuses: { "won't fix": 'muted', '10002': 'open' } },
  },
}).stateMap;

describe('Function: jiraTargetFor', () => {
  it.each<[string, FingerprintState, typeof defaults, JiraTarget]>([
    ['open -> category new by default', 'open', defaults, { kind: 'category', key: 'new' }],
    ['in-progress -> category indeterminate by default', 'in-progress', defaults, { kind: 'category', key: 'indeterminate' }],
    ['resolved -> category done by default', 'resolved', defaults, { kind: 'category', key: 'done' }],
    ['muted -> leave by default', 'muted', defaults, { kind: 'leave' }],
    ['resolved -> a status named in the config', 'resolved', custom, { kind: 'status', idOrName: "Won't Fix" }],
    ['muted -> a status id in the config', 'muted', custom, { kind: 'status', idOrName: '10003' }],
  ])('maps %s', (_case, state, stateMap, expected) => {
    // Act
    const target = jiraTargetFor(state, stateMap);

    // Assess
    expect(target).toEqual(expected);
  });
});

describe('Function: statusMatches', () => {
  it.each<[string, JiraStatus, JiraTarget, boolean]>([
    ['leave is always satisfied', TO_DO, { kind: 'leave' }, true],
    ['a status in the wanted category', IN_REVIEW, { kind: 'category', key: 'indeterminate' }, true],
    ['a status in another category', TO_DO, { kind: 'category', key: 'done' }, false],
    ['a status whose NAME sounds right but whose category is not', { id: '9', name: 'Done', categoryKey: 'indeterminate' }, { kind: 'category', key: 'done' }, false],
    ['an explicit status by id', WONT_FIX, { kind: 'status', idOrName: '10003' }, true],
    ['an explicit status by name, case-insensitively', WONT_FIX, { kind: 'status', idOrName: "won't fix" }, true],
    ['another status in the same category', DONE, { kind: 'status', idOrName: "Won't Fix" }, false],
  ])('%s', (_case, status, target, expected) => {
    // Act
    const matches = statusMatches(status, target);

    // Assess
    expect(matches).toBe(expected);
  });
});

describe('Function: chooseTransition', () => {
  const workflow = [
    transition('11', 'Start work', IN_PROGRESS),
    transition('21', 'Send to review', IN_REVIEW),
    transition('41', "Won't do", WONT_FIX),
    transition('31', 'Close', DONE),
  ];

  it.each<[string, JiraTarget, string]>([
    ['the first transition into a category', { kind: 'category', key: 'indeterminate' }, '11'],
    ['the first transition into done, in workflow order', { kind: 'category', key: 'done' }, '41'],
    ['the transition to an explicit status id', { kind: 'status', idOrName: '10001' }, '31'],
    ['the transition to an explicit status name', { kind: 'status', idOrName: 'in review' }, '21'],
  ])('picks %s', (_case, target, expectedId) => {
    // Act
    const result = chooseTransition(workflow, target);

    // Assess
    expect(result.ok && result.transition.id).toBe(expectedId);
  });

  it('prefers a status-id match over a status named like that id', () => {
    // Prepare
    const transitions = [transition('1', 'Odd', { id: '77', name: '10001', categoryKey: 'done' }), transition('2', 'Close', DONE)];

    // Act
    const result = chooseTransition(transitions, { kind: 'status', idOrName: '10001' });

    // Assess
    expect(result.ok && result.transition.id).toBe('2');
  });

  it('never picks by the transition name', () => {
    // Prepare
    const transitions = [transition('5', 'Done', IN_PROGRESS)];

    // Act
    const result = chooseTransition(transitions, { kind: 'status', idOrName: 'Done' });

    // Assess
    expect(result.ok).toBe(false);
  });

  it.each<[string, JiraTarget, typeof workflow, string]>([
    ['leave', { kind: 'leave' }, workflow, 'the mapping says to leave the issue where it is'],
    ['no transitions at all', { kind: 'category', key: 'done' }, [], 'no transition is available from the issue\'s status (the workflow has none, or the integration\'s Jira account lacks the "Transition issues" permission); wanted a status in category "done"'],
    [
      'no transition into the category',
      { kind: 'category', key: 'new' },
      workflow.slice(0, 2),
      'no available transition leads to a status in category "new" (available: "Start work" (11) -> "In Progress" (status 3, indeterminate); "Send to review" (21) -> "In Review" (status 10002, indeterminate)); add a transition to the workflow, or map this state to an explicit status in sync.stateMap.toJira',
    ],
    ['no transition to the named status', { kind: 'status', idOrName: 'Triage' }, workflow, 'no available transition leads to the status "Triage" ('],
  ])('explains why for %s', (_case, target, transitions, reason) => {
    // Act
    const result = chooseTransition(transitions, target);

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('Function: resolutionFor', () => {
  const resolutions = [
    { id: '10000', name: 'Done' },
    { id: '1', name: 'Fixed' },
  ];

  it.each([
    ['no resolution field on the screen', undefined, 'Fixed', { kind: 'none' }],
    ['the configured one, matched by name case-insensitively', { required: true, allowedValues: resolutions }, 'fixed', { kind: 'set', resolution: { name: 'Fixed' } }],
    ['the configured one, matched by id', { required: false, allowedValues: resolutions }, '1', { kind: 'set', resolution: { name: 'Fixed' } }],
    ['the first allowed when none is configured and it is required', { required: true, allowedValues: resolutions }, undefined, { kind: 'set', resolution: { name: 'Done' } }],
    ['the first allowed when none is configured and the screen offers it', { required: false, allowedValues: resolutions }, undefined, { kind: 'set', resolution: { name: 'Done' } }],
    ['nothing when an optional field offers no value', { required: false, allowedValues: [] }, undefined, { kind: 'none' }],
  ])('sends %s', (_case, field, configured, expected) => {
    // Prepare
    const close = transition('31', 'Close', DONE, field);

    // Act
    const decision = resolutionFor(close, configured);

    // Assess
    expect(decision).toEqual(expected);
  });

  it.each([
    [
      'a configured resolution the screen does not offer',
      { required: true, allowedValues: resolutions },
      "Won't Fix",
      `the transition "Close" (31) does not offer the resolution "Won't Fix" set in sync.stateMap.resolution (it offers: "Done", "Fixed"); pick one of those`,
    ],
    [
      'a configured resolution on a screen offering none',
      { required: false, allowedValues: [] },
      'Fixed',
      'does not offer the resolution "Fixed" set in sync.stateMap.resolution (it offers: none)',
    ],
    [
      'a required resolution with no allowed value',
      { required: true, allowedValues: [] },
      undefined,
      'the transition "Close" (31) requires a resolution but its screen offers none',
    ],
  ])('reports %s', (_case, field, configured, reason) => {
    // Act
    const decision = resolutionFor(transition('31', 'Close', DONE, field), configured);

    // Assess
    expect(decision).toEqual({ kind: 'problem', reason: expect.stringContaining(reason) });
  });
});

describe('Function: backtraceStateFor', () => {
  it.each<[string, JiraStatus, typeof defaults, FingerprintState | undefined]>([
    ['category new -> open', TO_DO, defaults, 'open'],
    ['category indeterminate -> in-progress', IN_PROGRESS, defaults, 'in-progress'],
    ['category done -> resolved', DONE, defaults, 'resolved'],
    ['a done status by category when no override names it', WONT_FIX, defaults, 'resolved'],
    ['"No Category" -> nothing', NO_CATEGORY, defaults, undefined],
    ['an override by name, case-insensitively', WONT_FIX, custom, 'muted'],
    ['an override by id', IN_REVIEW, custom, 'open'],
    ['a status no override names, by category', IN_PROGRESS, custom, 'in-progress'],
  ])('maps %s', (_case, status, stateMap, expected) => {
    // Act
    const state = backtraceStateFor(status, stateMap);

    // Assess
    expect(state).toBe(expected);
  });

  it('lets an id override win over a name override', () => {
    // Prepare
    const stateMap = syncConfig({ stateMap: { toBacktrace: { statuses: { Done: 'muted', '10001': 'open' } } } }).stateMap;

    // Act
    const state = backtraceStateFor(DONE, stateMap);

    // Assess
    expect(state).toBe('open');
  });

  it('uses the category mapping the admin changed', () => {
    // Prepare
    const stateMap = syncConfig({ stateMap: { toBacktrace: { indeterminate: 'open' } } }).stateMap;

    // Act
    const state = backtraceStateFor(IN_REVIEW, stateMap);

    // Assess
    expect(state).toBe('open');
  });
});
