/**
 * {@link LinkStore} in memory, with the contract the DynamoDB store keeps (tested against dynalite in
 * test/integration/store/): a claim never overwrites a link, only the holder completes or releases it, guarded sync
 * updates need a strictly older watermark. `calls` counts each method, so tests can assert what was touched.
 */
import type { Link, LinkedLink, LinkSyncState } from '../../../shared/domain/model/link.ts';
import type { ClaimResult, LinkStore, SyncLeaseResult, SyncRecord } from '../../../shared/ports/link-store.ts';

const keyOf = (integration: string, fingerprint: string) => `${integration}/${fingerprint}`;

export class InMemoryLinkStore implements LinkStore {
  readonly items = new Map<string, Link>();
  /** Sync leases: holder token and expiry, per link. */
  readonly leases = new Map<string, { token: string; until: number }>();
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
    if (input.syncLeaseMs !== undefined) this.leases.set(key, { token: input.token, until: input.now + input.syncLeaseMs });
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

  async *listLinked(integration: string): AsyncIterable<LinkedLink[]> {
    this.calls.push('listLinked');
    const links = [...this.items.values()].filter((item): item is LinkedLink => item.integration === integration && item.status === 'linked');
    // Pages of two, so callers are exercised across pages.
    for (let start = 0; start < links.length; start += 2) yield links.slice(start, start + 2).map((link) => structuredClone(link));
  }

  async acquireSync(input: Parameters<LinkStore['acquireSync']>[0]): Promise<SyncLeaseResult> {
    this.calls.push('acquireSync');
    const key = keyOf(input.integration, input.fingerprint);
    const current = this.items.get(key);
    if (current?.status !== 'linked') return { outcome: 'missing' };
    const lease = this.leases.get(key);
    if (lease && lease.token !== input.token && lease.until > input.now) return { outcome: 'busy', until: lease.until };
    this.leases.set(key, { token: input.token, until: input.now + input.leaseMs });
    return { outcome: 'acquired', link: structuredClone(current) as LinkedLink };
  }

  async recordSync(record: SyncRecord): Promise<boolean> {
    this.calls.push('recordSync');
    const key = keyOf(record.integration, record.fingerprint);
    const current = this.items.get(key);
    if (!current || this.leases.get(key)?.token !== record.token) return false;
    if (record.sync) current.sync = { ...current.sync, ...structuredClone(record.sync) };
    if (record.issueKey !== undefined) current.issueKey = record.issueKey;
    if (record.issueUrl !== undefined) current.issueUrl = record.issueUrl;
    if (record.issueId !== undefined) current.issueId = record.issueId;
    current.updatedAt = record.now;
    if (record.release) this.leases.delete(key);
    return true;
  }

  async noteErrorGroup(integration: string, fingerprint: string, note: Pick<LinkSyncState, 'group' | 'regressedIn'>, now: number): Promise<void> {
    this.calls.push('noteErrorGroup');
    const current = this.items.get(keyOf(integration, fingerprint));
    if (current?.status !== 'linked') return;
    current.sync = { ...current.sync, ...structuredClone(note) };
    current.updatedAt = now;
  }

  async noteDisagreement(integration: string, fingerprint: string, since: number | null, now: number, repairs?: number): Promise<void> {
    this.calls.push('noteDisagreement');
    const current = this.items.get(keyOf(integration, fingerprint));
    if (current?.status !== 'linked') return;
    const { disagreeSince: _dropped, repairs: _count, ...rest } = current.sync ?? {};
    current.sync = since === null ? rest : { ...current.sync, disagreeSince: since, ...(repairs === undefined ? {} : { repairs }) };
    current.updatedAt = now;
  }

  async unlink(integration: string, fingerprint: string, issueId?: string): Promise<void> {
    this.calls.push('unlink');
    const key = keyOf(integration, fingerprint);
    if (issueId === undefined || this.items.get(key)?.issueId === issueId) this.items.delete(key);
  }
}
