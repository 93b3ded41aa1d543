/**
 * {@link LinkStore} in memory, with the contract the DynamoDB store keeps (tested against dynalite in
 * test/integration/store/): a claim never overwrites a link, only the holder completes or releases it, guarded sync
 * updates need a strictly older watermark. `calls` counts each method, so tests can assert what was touched.
 */
import type { Link, LinkedLink } from '../../../shared/domain/model/link.ts';
import type { ClaimResult, LinkStore, SyncGuard, SyncPatch } from '../../../shared/ports/link-store.ts';

const keyOf = (integration: string, fingerprint: string) => `${integration}/${fingerprint}`;

export class InMemoryLinkStore implements LinkStore {
  readonly items = new Map<string, Link>();
  readonly calls: string[] = [];
  /** Runs before `completeClaim` writes: a test may take the claim over here, as a slower worker would see it. */
  beforeComplete?: () => void;

  /** A linked item, as if an earlier delivery had made it. */
  seedLinked(link: Omit<LinkedLink, 'status' | 'createdAt' | 'updatedAt'> & Partial<Link>): LinkedLink {
    const stored: LinkedLink = { createdAt: 0, updatedAt: 0, ticketAttached: true, ...link, status: 'linked' };
    this.items.set(keyOf(link.integration, link.fingerprint), structuredClone(stored));
    return structuredClone(stored);
  }

  async get(integration: string, fingerprint: string): Promise<Link | undefined> {
    this.calls.push('get');
    const item = this.items.get(keyOf(integration, fingerprint));
    return item && structuredClone(item);
  }

  async claim(input: Parameters<LinkStore['claim']>[0]): Promise<ClaimResult> {
    this.calls.push('claim');
    const key = keyOf(input.integration, input.fingerprint);
    const current = this.items.get(key);
    const link: Link = {
      integration: input.integration,
      fingerprint: input.fingerprint,
      universe: input.universe,
      project: input.project,
      status: 'claimed',
      claimToken: input.token,
      leaseUntil: input.now + input.leaseMs,
      createdAt: input.now,
      updatedAt: input.now,
    };
    if (current?.status === 'linked') return { outcome: 'linked', link: structuredClone(current) };
    if (current && (current.leaseUntil ?? 0) > input.now) return { outcome: 'busy', link: structuredClone(current) };
    this.items.set(key, structuredClone(link));
    return current ? { outcome: 'took-over', link, previous: structuredClone(current) } : { outcome: 'claimed', link };
  }

  async completeClaim(input: Parameters<LinkStore['completeClaim']>[0]): Promise<LinkedLink | undefined> {
    this.calls.push('completeClaim');
    this.beforeComplete?.();
    const key = keyOf(input.integration, input.fingerprint);
    const current = this.items.get(key);
    if (current?.status !== 'claimed' || current.claimToken !== input.token) return undefined;
    const { claimToken: _token, leaseUntil: _lease, ...rest } = current;
    const linked: LinkedLink = { ...rest, status: 'linked', issueId: input.issue.id, issueKey: input.issue.key, issueUrl: input.issue.url, updatedAt: input.now };
    this.items.set(key, linked);
    return structuredClone(linked);
  }

  async releaseClaim(input: Parameters<LinkStore['releaseClaim']>[0]): Promise<boolean> {
    this.calls.push('releaseClaim');
    const current = this.items.get(keyOf(input.integration, input.fingerprint));
    if (current?.status !== 'claimed' || current.claimToken !== input.token) return false;
    current.leaseUntil = 0;
    current.updatedAt = input.now;
    return true;
  }

  async markTicketAttached(integration: string, fingerprint: string, now: number): Promise<void> {
    this.calls.push('markTicketAttached');
    const current = this.items.get(keyOf(integration, fingerprint));
    if (current?.status !== 'linked') throw new Error(`no linked item for ${integration}/${fingerprint}`);
    current.ticketAttached = true;
    current.updatedAt = now;
  }

  async findByIssueId(issueId: string): Promise<Link[]> {
    this.calls.push('findByIssueId');
    return [...this.items.values()].filter((item) => item.issueId === issueId).map((item) => structuredClone(item));
  }

  async updateSync(integration: string, fingerprint: string, patch: SyncPatch, guard?: SyncGuard): Promise<boolean> {
    this.calls.push('updateSync');
    const current = this.items.get(keyOf(integration, fingerprint));
    if (current?.status !== 'linked') return false;
    const stored = current.sync?.[guard?.watermark ?? 'backtraceChangeAt'];
    if (guard && stored !== undefined && stored >= guard.value) return false;
    current.sync = { ...current.sync, ...structuredClone(patch.sync), ...(guard ? { [guard.watermark]: guard.value } : {}) };
    if (patch.issueKey !== undefined) current.issueKey = patch.issueKey;
    if (patch.issueUrl !== undefined) current.issueUrl = patch.issueUrl;
    current.updatedAt = patch.now;
    return true;
  }

  async unlink(integration: string, fingerprint: string, issueId?: string): Promise<void> {
    this.calls.push('unlink');
    const key = keyOf(integration, fingerprint);
    if (issueId === undefined || this.items.get(key)?.issueId === issueId) this.items.delete(key);
  }
}
