/**
 * {@link BacktraceIssues} in memory: one `issues` row per fingerprint (state and ticket list), written whole as
 * Backtrace writes them. `calls` logs every call as `<method> <fingerprint>`. The real wire format is the sandbox's
 * job (infra/local/sandboxes/backtrace).
 */
import type { FingerprintIssue, FingerprintRef, FingerprintRow, FingerprintState, Ticket } from '../../../shared/domain/model/backtrace.ts';
import type { BacktraceIssues } from '../../../shared/ports/backtrace-issues.ts';

const keyOf = (ref: FingerprintRef) => `${ref.universe}/${ref.project}/${ref.fingerprint}`;

export class InMemoryBacktrace implements BacktraceIssues {
  readonly rows = new Map<string, FingerprintIssue>();
  readonly calls: string[] = [];
  /** An error the next call of that method throws instead of answering. */
  readonly failNext = new Map<keyof BacktraceIssues, Error>();

  /** The row as a person left it in Backtrace's UI. */
  seed(ref: FingerprintRef, row: Partial<FingerprintIssue>): void {
    this.rows.set(keyOf(ref), { state: 'open', tickets: [], ...structuredClone(row) });
  }

  row(ref: FingerprintRef): FingerprintIssue {
    return structuredClone(this.rows.get(keyOf(ref)) ?? { state: 'open', tickets: [] });
  }

  /** The calls that change Backtrace. */
  writes(): string[] {
    return this.calls.filter((call) => call.startsWith('setTickets') || call.startsWith('updateIssue'));
  }

  async getTickets(ref: FingerprintRef): Promise<Ticket[]> {
    this.#call('getTickets', ref);
    return this.row(ref).tickets;
  }

  async setTickets(ref: FingerprintRef, tickets: Ticket[]): Promise<void> {
    this.#call('setTickets', ref);
    this.rows.set(keyOf(ref), { ...this.row(ref), tickets: structuredClone(tickets) });
  }

  async getIssue(ref: FingerprintRef): Promise<FingerprintIssue> {
    this.#call('getIssue', ref);
    return this.row(ref);
  }

  async readFingerprints(project: { universe: string; project: string }, fingerprints: readonly string[]): Promise<FingerprintRow[]> {
    this.calls.push(`readFingerprints ${fingerprints.length}`);
    const failure = this.failNext.get('readFingerprints');
    if (failure) {
      this.failNext.delete('readFingerprints');
      throw failure;
    }
    return fingerprints.filter((fingerprint) => this.rows.has(keyOf({ ...project, fingerprint }))).map((fingerprint) => ({ fingerprint, ...this.row({ ...project, fingerprint }) }));
  }

  async updateIssue(ref: FingerprintRef, change: { state?: FingerprintState; tickets?: Ticket[]; invariants?: unknown[] }): Promise<void> {
    this.#call('updateIssue', ref);
    const row = this.row(ref);
    this.rows.set(keyOf(ref), {
      ...row,
      state: change.state ?? row.state,
      tickets: structuredClone(change.tickets ?? row.tickets),
      ...(change.invariants === undefined ? {} : { invariants: structuredClone(change.invariants) }),
    });
  }

  #call(method: keyof BacktraceIssues, ref: FingerprintRef): void {
    this.calls.push(`${method} ${ref.fingerprint}`);
    const failure = this.failNext.get(method);
    if (failure) {
      this.failNext.delete(method);
      throw failure;
    }
  }
}
