/**
 * The sandboxes' page rendering, pure: what a person reads is escaped wherever it lands (text, attribute values,
 * option labels), and the forms carry what the handlers read back.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, option } from '../../infra/local/sandboxes/common/html.ts';
import { renderIssueList, renderIssuePage, type IssuePageView } from '../../infra/local/sandboxes/jira/browse-page.ts';
import { renderFingerprintPage, rowKey } from '../../infra/local/sandboxes/backtrace/fingerprint-page.ts';

const EVIL = `<img src=x onerror="alert('x')">&`;

const issuePage = (overrides: Partial<IssuePageView> = {}): IssuePageView => ({
  base: '',
  issue: {
    key: 'CRASH-1',
    summary: EVIL,
    status: { name: 'To Do', category: 'new' },
    fixVersions: [EVIL],
    updated: 0,
    projectKey: 'CRASH',
    issueType: 'Bug',
    labels: [EVIL],
    description: EVIL,
    created: 0,
  },
  people: [{ id: `"><script>`, name: EVIL }],
  transitions: [{ id: '21', name: EVIL, to: 'In Progress', asksResolution: true }],
  resolutions: [EVIL],
  versions: [{ name: EVIL, released: false, checked: true }],
  history: [{ author: EVIL, at: 0, items: [{ field: EVIL, from: EVIL, to: '' }] }],
  comments: [{ author: EVIL, at: 0, body: EVIL }],
  notice: EVIL,
  error: EVIL,
  ...overrides,
});

describe('Function: escapeHtml', () => {
  it.each([
    ['<b>', '&lt;b&gt;'],
    ['a & b', 'a &amp; b'],
    [`"quoted" 'single'`, '&quot;quoted&quot; &#39;single&#39;'],
    ['plain → text', 'plain → text'],
  ])('%s -> %s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('escapes option values and labels', () => {
    expect(option('"x', '<y>', true)).toBe('<option value="&quot;x" selected>&lt;y&gt;</option>');
  });
});

describe('Function: renderIssuePage', () => {
  it('escapes every piece of the issue, the people, the transitions and the history', () => {
    // Act
    const html = renderIssuePage(issuePage());

    // Assess: no raw markup from the data anywhere; the escaped text is there
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain(`onerror="`);
    expect(html.split(escapeHtml(EVIL)).length - 1).toBeGreaterThanOrEqual(12);
  });

  it('asks for a person until one is picked, and pre-selects the one in `as`', () => {
    const people = [{ id: 'a1', name: 'Ana Lima' }, { id: 'h1', name: 'Harper Quinn' }];
    expect(renderIssuePage(issuePage({ people }))).toContain('<option value="" selected>Choose a person</option>');
    const picked = renderIssuePage(issuePage({ people, actorId: 'h1' }));
    expect(picked).not.toContain('Choose a person');
    expect(picked).toContain('<option value="h1" selected>Harper Quinn</option>');
  });

  it('offers a resolution only when a transition asks for one', () => {
    const without = renderIssuePage(issuePage({ transitions: [{ id: '21', name: 'Done', to: 'Done', asksResolution: false }] }));
    expect(without).not.toContain('name="resolution"');
    expect(without).toContain('<option value="21">Done</option>');
  });
});

describe('Function: renderIssueList', () => {
  it('links each key under the context path and escapes the summary', () => {
    const html = renderIssueList({ base: '/jira', issues: [{ key: 'CRASH-1', summary: EVIL, status: { name: 'Done', category: 'done' }, fixVersions: [], updated: 0 }] });
    expect(html).toContain('<a href="/jira/browse/CRASH-1">CRASH-1</a>');
    expect(html).not.toContain('<img');
  });
});

describe('Function: renderFingerprintPage', () => {
  it('names each row in its buttons and escapes the row key in attributes', () => {
    // Prepare
    const row = { universe: 'u"1', project: '<p>', fingerprint: 'f'.repeat(64), state: 'open', assignees: [], tickets: [], until: [], reopenCount: 0 };

    // Act
    const html = renderFingerprintPage({ people: [{ id: '7', name: 'ana' }], rows: [row] });

    // Assess
    expect(html).toContain(`value="${escapeHtml(`resolve:${rowKey(row)}`)}"`);
    expect(html).toContain(`name="${escapeHtml(`assignee:${rowKey(row)}`)}"`);
    expect(html).not.toContain('<p>');
    // An open fingerprint cannot be reopened; it can be resolved or muted.
    expect(html).toMatch(/value="reopen:[^"]*" disabled>Reopen/);
    expect(html).toMatch(/value="resolve:[^"]*">Resolve/);
  });
});
