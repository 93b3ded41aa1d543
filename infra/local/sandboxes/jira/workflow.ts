/**
 * Statuses, transitions and resolutions (reference section 3). Cloud projects default to the simplified workflow:
 * a global transition into every status, no screens, and a post-function that sets the resolution "Done" on
 * entering a done status. Server/Data Center defaults to the classic workflow: Start/Stop Progress, Resolve Issue
 * (a screen that requires a resolution) and Reopen Issue. Leaving a done status clears the resolution in both.
 */
import type { FakeResolution, FakeStatus, FakeTransitionDef, FakeWorkflowOptions, JiraDeploymentType, StatusCategoryKey } from './types.ts';

/** The real category ids and names (section 3.3). */
export const STATUS_CATEGORIES: Record<StatusCategoryKey, { id: number; key: StatusCategoryKey; colorName: string; name: string }> = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

const TO_DO: FakeStatus = { id: '10000', name: 'To Do', category: 'new' };
const IN_PROGRESS: FakeStatus = { id: '3', name: 'In Progress', category: 'indeterminate' };
const DONE: FakeStatus = { id: '10001', name: 'Done', category: 'done' };

export function defaultResolutions(deployment: JiraDeploymentType): FakeResolution[] {
  if (deployment === 'Cloud') {
    return [
      { id: '10000', name: 'Done' },
      { id: '10001', name: "Won't Do" },
      { id: '10002', name: 'Duplicate' },
    ];
  }
  return [
    { id: '1', name: 'Fixed' },
    { id: '2', name: "Won't Fix" },
    { id: '3', name: 'Duplicate' },
  ];
}

/** Cloud's simplified workflow: transition ids 11, 21, 31 ... as Jira numbers them. */
function simplified(statuses: FakeStatus[]): FakeTransitionDef[] {
  return statuses.map((status, index) => ({
    id: String(11 + index * 10),
    name: status.name,
    to: status.id,
    ...(status.category === 'done' ? { setsResolution: 'Done' } : {}),
  }));
}

/** Jira's classic default workflow, with the transition ids and event types it ships with. */
function classic(extra: FakeStatus[]): FakeTransitionDef[] {
  return [
    { id: '4', name: 'Start Progress', from: [TO_DO.id], to: IN_PROGRESS.id, eventType: 'issue_work_started' },
    { id: '301', name: 'Stop Progress', from: [IN_PROGRESS.id], to: TO_DO.id, eventType: 'issue_work_stopped' },
    { id: '5', name: 'Resolve Issue', from: [TO_DO.id, IN_PROGRESS.id], to: DONE.id, screen: { resolution: 'required' }, eventType: 'issue_resolved' },
    { id: '3', name: 'Reopen Issue', from: [DONE.id, ...extra.filter((s) => s.category === 'done').map((s) => s.id)], to: TO_DO.id, eventType: 'issue_reopened' },
    ...extra.map((status, index): FakeTransitionDef => ({
      id: String(711 + index * 10),
      name: status.name,
      to: status.id,
      ...(status.category === 'done' ? { screen: { resolution: 'required' as const } } : {}),
    })),
  ];
}

export class Workflow {
  readonly statuses: FakeStatus[];
  readonly transitions: FakeTransitionDef[];
  readonly resolutions: FakeResolution[];
  readonly initial: FakeStatus;

  constructor(deployment: JiraDeploymentType, options: FakeWorkflowOptions = {}, resolutions?: FakeResolution[]) {
    this.resolutions = resolutions ?? defaultResolutions(deployment);
    if (options.statuses || options.transitions) {
      if (!options.statuses?.length || !options.transitions) throw new Error('Jira fake: workflow.statuses and workflow.transitions replace the default workflow together');
      this.statuses = options.statuses;
      this.transitions = options.transitions;
    } else {
      const extra = options.extraStatuses ?? [];
      this.statuses = [TO_DO, IN_PROGRESS, DONE, ...extra];
      this.transitions = deployment === 'Cloud' ? simplified(this.statuses) : classic(extra);
    }
    const initial = this.status(options.initialStatusId ?? this.statuses[0]!.id);
    if (!initial) throw new Error(`Jira fake: workflow.initialStatusId '${options.initialStatusId}' is not a status of the workflow`);
    this.initial = initial;
    for (const transition of this.transitions) {
      if (!this.status(transition.to)) throw new Error(`Jira fake: transition ${transition.id} leads to unknown status '${transition.to}'`);
      if (transition.setsResolution && !this.resolution({ name: transition.setsResolution })) {
        throw new Error(`Jira fake: transition ${transition.id} sets unknown resolution '${transition.setsResolution}'`);
      }
    }
  }

  status(id: string): FakeStatus | undefined {
    return this.statuses.find((s) => s.id === id);
  }

  statusByName(name: string): FakeStatus | undefined {
    return this.statuses.find((s) => s.name.toLowerCase() === name.toLowerCase());
  }

  /** Transitions offered from `status`: a global transition is not offered into the status the issue is in. */
  available(status: FakeStatus): FakeTransitionDef[] {
    return this.transitions.filter((t) => (t.from === undefined ? t.to !== status.id : t.from.includes(status.id)));
  }

  /** By id, else by name (case-insensitive), as Jira accepts `{"id"}` or `{"name"}`. */
  resolution(ref: { id?: unknown; name?: unknown }): FakeResolution | undefined {
    if (typeof ref.id === 'string' || typeof ref.id === 'number') return this.resolutions.find((r) => r.id === String(ref.id));
    if (typeof ref.name === 'string') return this.resolutions.find((r) => r.name.toLowerCase() === (ref.name as string).toLowerCase());
    return undefined;
  }
}

/** `StatusDetails` as Jira renders it in issues, transitions and webhooks. */
export function renderStatus(status: FakeStatus, apiUrl: string, siteUrl: string): Record<string, unknown> {
  const category = STATUS_CATEGORIES[status.category];
  return {
    self: `${apiUrl}status/${status.id}`,
    description: '',
    iconUrl: `${siteUrl}/images/icons/statuses/generic.png`,
    name: status.name,
    id: status.id,
    statusCategory: { self: `${apiUrl}statuscategory/${category.id}`, id: category.id, key: category.key, colorName: category.colorName, name: category.name },
  };
}

export function renderResolution(resolution: FakeResolution, apiUrl: string): Record<string, unknown> {
  return { self: `${apiUrl}resolution/${resolution.id}`, id: resolution.id, description: '', name: resolution.name };
}

/** One entry of `GET issue/{key}/transitions`; `fields` only with `expand=transitions.fields`. */
export function renderTransition(
  transition: FakeTransitionDef,
  workflow: Workflow,
  context: { apiUrl: string; siteUrl: string; deployment: JiraDeploymentType; expandFields: boolean },
): Record<string, unknown> {
  const resolution = transition.screen?.resolution;
  const fields: Record<string, unknown> = {};
  if (resolution) {
    fields.resolution = {
      required: resolution === 'required',
      schema: { type: 'resolution', system: 'resolution' },
      name: 'Resolution',
      key: 'resolution',
      hasDefaultValue: false,
      operations: ['set'],
      allowedValues: workflow.resolutions.map((r) => renderResolution(r, context.apiUrl)),
    };
  }
  return {
    id: transition.id,
    name: transition.name,
    to: renderStatus(workflow.status(transition.to)!, context.apiUrl, context.siteUrl),
    hasScreen: transition.screen !== undefined,
    isGlobal: transition.from === undefined,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    // Cloud answers carry isLooped (the spec calls it `looped`), Data Center does not.
    ...(context.deployment === 'Cloud' ? { isLooped: false } : {}),
    ...(context.expandFields ? { fields } : {}),
  };
}
