/**
 * The link-time race, end to end on the local stack (Jira Cloud dialect): a new error group becomes a Jira issue,
 * and right after the bridge creates it, while its link-time sync reads the issue and pushes the fingerprint's
 * state, a person moves the issue in Jira. The fingerprint was resolved (or assigned) in Backtrace beforehand, so the
 * link-time sync has something to push and the person's move contradicts it.
 *
 * Each run starts the person's action when the issue appears in the Jira sandbox, after a random 0-50 ms delay, and
 * notes where it fell: before the bridge's read of the issue, between that read and the bridge's write, or after.
 * After quiet, in every run both sides must agree by the default state map, and the person's change must survive:
 * made after the bridge's read, it is newer than anything the bridge decided on (a write that overwrote it puts it
 * back); made before, the issue's changelog shows it and it wins over `sync.onLink`.
 *
 * The delays are seeded: LINK_RACE_SEED=<n> replays a failing set, and every failure names its seed and run.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import type { FakeIssue, JiraFake } from '../../infra/local/sandboxes/jira/jira-fake.ts';
import type { BacktraceFake } from '../../infra/local/sandboxes/backtrace/backtrace-fake.ts';
import { agreeByDefaultMap, DEFAULT_TO_BACKTRACE } from './support/default-state-map.ts';

const sample = JSON.parse(readFileSync(new URL('../../infra/local/sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, any>;
const secrets = JSON.parse(readFileSync(new URL('../../infra/local/local.secrets.json', import.meta.url), 'utf8')) as Record<string, string>;
const groupCredentials = JSON.parse(secrets['local/webhook-basic-auth']) as { username: string; password: string };
const authorization = `Basic ${Buffer.from(`${groupCredentials.username}:${groupCredentials.password}`).toString('base64')}`;
const UNIVERSE = 'my_universe';
const PROJECT = 'my_project';

const RUNS = 50;
const MAX_DELAY_MS = 50;
/** Between the starts of two runs: longer than a link takes to be made and synced, so the races hardly overlap. */
const STAGGER_MS = 250;
const SEED = Number(process.env.LINK_RACE_SEED ?? 20261201);

const ana = { id: 7, username: 'ana', email: 'ana@example.com' };
const ANA_ACCOUNT = '5b10ac8d82e05b22cc7d4ef5';

/** mulberry32: a small, fast, seedable PRNG; each run gets its own stream, so one run can be replayed alone. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What Backtrace held before the group was posted, and what the person then does in Jira. */
interface Scenario {
  name: string;
  seed(backtrace: BacktraceFake, fingerprint: string): void;
  /** The status the person moves the issue to. */
  personMovesTo: string;
  /** Where the person's change leaves the two sides. */
  expected: { category: string; state: string; jiraAssignee: string | null; backtraceAssignees: number[] };
}

const SCENARIOS: Scenario[] = [
  {
    name: 'resolved in Backtrace; the person starts work in Jira',
    seed: (backtrace, fingerprint) => backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { state: 'resolved' }),
    personMovesTo: 'In Progress',
    expected: { category: 'indeterminate', state: 'in-progress', jiraAssignee: null, backtraceAssignees: [] },
  },
  {
    name: 'assigned to Ana in Backtrace; the person closes the issue in Jira',
    seed: (backtrace, fingerprint) =>
      backtrace.setIssue(UNIVERSE, PROJECT, fingerprint, { state: 'in-progress', tickets: [{ watcher: '_backtrace', assignees: [ana] }] }),
    personMovesTo: 'Done',
    expected: { category: 'done', state: 'resolved', jiraAssignee: ANA_ACCOUNT, backtraceAssignees: [ana.id] },
  },
];

type Moment = 'before the bridge read the issue' | 'after the read, before the bridge wrote it' | 'after the bridge wrote it';

interface RunResult {
  run: number;
  scenario: string;
  delayMs: number;
  moment: Moment;
  issueKey: string;
  jira: { status: string; category: string; assignee: string | null };
  backtrace: { state: string; assignees: number[]; ticketState?: string };
  agree: boolean;
  survived: boolean;
  /** The Backtrace assignment (when there was one) reached Jira, and nobody's assignment was lost. */
  assignmentKept: boolean;
}

let stack: LocalStack;
let jira: JiraFake;
let backtrace: BacktraceFake;

beforeAll(async () => {
  // No poll timer: the polls run in settled(), after the race, so the race is between the link-time sync and the person.
  stack = await startLocalStack({ pollTimers: false, log: () => undefined });
  jira = stack.jiraSandbox!;
  backtrace = stack.backtraceSandbox!;
});

afterAll(async () => {
  await stack?.stop();
});

const issueOf = (fingerprint: string): FakeIssue | undefined => jira.issues.find((issue) => String(issue.fields.description ?? '').includes(fingerprint));
const bridgeRead = (issue: FakeIssue) => jira.requests.some((request) => request.method === 'GET' && request.path.endsWith(`/issue/${issue.id}`) && request.query.expand === 'changelog');
const bridgeWrote = (issue: FakeIssue) =>
  jira.requests.some((request) => (request.method === 'POST' || request.method === 'PUT') && (request.path.endsWith(`/issue/${issue.id}/transitions`) || request.path.endsWith(`/issue/${issue.id}/assignee`)));

/** Resolves with the issue once the bridge has created it, checking on every turn of the event loop. */
async function issueAppears(fingerprint: string, timeoutMs = 10_000): Promise<FakeIssue> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const issue = issueOf(fingerprint);
    if (issue) return issue;
    if (Date.now() > deadline) throw new Error(`no Jira issue for ${fingerprint} after ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A run under way: its scenario and delay, and the person's action once it is done. */
interface Started {
  run: number;
  scenario: Scenario;
  delayMs: number;
  fingerprint: string;
  acted: Promise<{ issue: FakeIssue; moment: Moment }>;
}

/** Seeds the fingerprint, posts its group and arms the person, who acts `delayMs` after the issue appears. */
async function startRun(run: number): Promise<Started> {
  const next = random(SEED * 1000 + run);
  const delayMs = Math.floor(next() * (MAX_DELAY_MS + 1));
  const scenario = SCENARIOS[Math.floor(next() * SCENARIOS.length)]!;
  const fingerprint = randomBytes(32).toString('hex');
  scenario.seed(backtrace, fingerprint);

  // The person watches the project and acts as soon as the new issue shows up (after their own reaction time).
  const acted = issueAppears(fingerprint).then(async (issue) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const moment: Moment = !bridgeRead(issue) ? 'before the bridge read the issue' : !bridgeWrote(issue) ? 'after the read, before the bridge wrote it' : 'after the bridge wrote it';
    jira.actAs('Ana Lima').transition(issue.key, scenario.personMovesTo);
    return { issue, moment };
  });
  acted.catch(() => undefined); // awaited after all runs started; a failure is reported there, not as unhandled
  const response = await fetch(`${stack.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ ...sample, fingerprint }),
  });
  expect(response.status).toBe(202);
  return { run, scenario, delayMs, fingerprint, acted };
}

/** Where a run ended, read after quiet. */
async function outcome(started: Started): Promise<RunResult> {
  const { issue, moment } = await started.acted;
  const now = jira.findIssue(issue.id)!;
  const row = backtrace.getIssue(UNIVERSE, PROJECT, started.fingerprint)!;
  const assignees = (row.tickets.find((ticket) => ticket.watcher === '_backtrace')?.assignees ?? []).map((assignee) => assignee.id);
  const ticketState = row.tickets.find((ticket) => ticket.watcher === 'local-jira')?.state;
  const { expected } = started.scenario;
  return {
    run: started.run,
    scenario: started.scenario.name,
    delayMs: started.delayMs,
    moment,
    issueKey: now.key,
    jira: { status: now.status.name, category: now.status.category, assignee: now.assignee?.accountId ?? null },
    backtrace: { state: row.state, assignees, ...(ticketState === undefined ? {} : { ticketState }) },
    agree: agreeByDefaultMap(row.state, now.status.category, row.tickets) && ticketState === DEFAULT_TO_BACKTRACE[now.status.category] && (now.assignee === null) === (assignees.length === 0),
    survived: now.status.category === expected.category && row.state === expected.state,
    assignmentKept: (now.assignee?.accountId ?? null) === expected.jiraAssignee && assignees.join() === expected.backtraceAssignees.join(),
  };
}

describe('Link-time race: a person moves the new issue while the bridge syncs it', () => {
  it(`ends with both sides agreeing, the person's change kept, in each of ${RUNS} seeded runs (seed ${SEED})`, { timeout: 300_000 }, async () => {
    // Prepare / Act: a run every STAGGER_MS, so each race is nearly alone, then quiet for all of them at once
    const runs: Started[] = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push(await startRun(run));
      await new Promise((resolve) => setTimeout(resolve, STAGGER_MS));
    }
    await Promise.all(runs.map((started) => started.acted));
    await stack.settled({ timeoutMs: 240_000 });
    const results = await Promise.all(runs.map(outcome));

    // Assess: every run, whatever the moment; a failure names the seed and the run to replay
    const describeRun = (result: RunResult) =>
      `seed ${SEED} run ${result.run} ${result.issueKey} (${result.scenario}, +${result.delayMs} ms, ${result.moment}): ${JSON.stringify({ jira: result.jira, backtrace: result.backtrace })}`;
    expect(results.filter((result) => !result.agree).map(describeRun), 'runs whose two sides disagree').toEqual([]);
    expect(results.filter((result) => !result.survived).map(describeRun), "runs where the person's change was undone").toEqual([]);
    expect(results.filter((result) => !result.assignmentKept).map(describeRun), 'runs where an assignment was lost').toEqual([]);
    // The runs covered the race: some of the person's changes came after the bridge's read of the issue.
    expect(results.filter((result) => result.moment !== 'before the bridge read the issue').length).toBeGreaterThan(0);
  });
});
