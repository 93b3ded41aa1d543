/**
 * Issue links and their types. The reference is silent on links; the shapes are the OpenAPI document's
 * (`IssueLinkType`, `IssueLink`, `LinkedIssue`) and its examples, the direction is what public reports of real Jira
 * agree on (below), and the default types are Jira's shipped ones [GUESS on their ids: 10000-10003 as on a young
 * site].
 *
 * Direction: a link has a source and a destination. `POST issueLink {inwardIssue: A, outwardIssue: B}` makes A the
 * source, so with "Blocks" A blocks B: A's `issuelinks` show `{type, outwardIssue: B}` ("A blocks B", the type's
 * `outward` phrase) and B's show `{type, inwardIssue: A}` ("B is blocked by A"). The spec's own wording suggests
 * the opposite; several clients found otherwise on real sites and swapped their calls (mozilla/jira-bugzilla-
 * integration#1285, atlassian/atlassian-mcp-server#112, sooperset/mcp-atlassian#1274, b1ff/atlassian-dc-mcp#74).
 */
import type { FakeIssue } from './types.ts';

export interface LinkType {
  id: string;
  name: string;
  inward: string;
  outward: string;
}

export interface IssueLinkRecord {
  id: string;
  type: LinkType;
  /** The issue the link goes from (POST's `inwardIssue`), by issue id: keys change on moves, ids do not. */
  sourceId: string;
  /** The issue the link goes to (POST's `outwardIssue`). */
  destinationId: string;
}

/** Jira's default link types. */
export const DEFAULT_LINK_TYPES: LinkType[] = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
];

const FIRST_LINK_ID = 10_000;

export class IssueLinks {
  readonly types: LinkType[] = DEFAULT_LINK_TYPES;
  readonly links: IssueLinkRecord[] = [];
  #nextId = FIRST_LINK_ID;

  /** By id, else by name (exactly, as the type's `name`) [GUESS: whether Jira matches names case-insensitively]. */
  type(ref: { id?: string; name?: string }): LinkType | undefined {
    if (ref.id !== undefined) return this.types.find((t) => t.id === ref.id);
    return this.types.find((t) => t.name === ref.name);
  }

  /**
   * Links `source` to `destination`. The same link again creates nothing (the spec: "If the link request duplicates
   * a link, the response indicates that the issue link was created").
   */
  link(type: LinkType, source: FakeIssue, destination: FakeIssue): IssueLinkRecord {
    const existing = this.links.find((l) => l.type.id === type.id && l.sourceId === source.id && l.destinationId === destination.id);
    if (existing) return existing;
    const record: IssueLinkRecord = { id: String(this.#nextId++), type, sourceId: source.id, destinationId: destination.id };
    this.links.push(record);
    return record;
  }

  /** The links the issue is on either end of, oldest first. */
  of(issue: FakeIssue): IssueLinkRecord[] {
    return this.links.filter((l) => l.sourceId === issue.id || l.destinationId === issue.id);
  }

  /** A deleted issue takes its links with it. */
  forget(issue: FakeIssue): void {
    for (let i = this.links.length - 1; i >= 0; i--) {
      if (this.links[i]!.sourceId === issue.id || this.links[i]!.destinationId === issue.id) this.links.splice(i, 1);
    }
  }

  reset(): void {
    this.links.length = 0;
    this.#nextId = FIRST_LINK_ID;
  }
}

/** `IssueLinkType` as `GET issueLinkType` and the `type` of a link show it. */
export function renderLinkType(type: LinkType, apiUrl: string): Record<string, unknown> {
  return { id: type.id, name: type.name, inward: type.inward, outward: type.outward, self: `${apiUrl}issueLinkType/${type.id}` };
}
