/**
 * `GET {site}/browse/{KEY}`: a plain page for the issue, so the links the bridge puts on fingerprints open in a
 * browser when the sandbox stands in for Jira (`npm start`). The real page needs a login; the sandbox's does not.
 */
import type { ServerResponse } from 'node:http';
import type { FakeIssue } from './types.ts';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendBrowsePage(res: ServerResponse, issue: FakeIssue | undefined, key: string): void {
  if (!issue) {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${escape(key)}</title><p>Issue ${escape(key)} does not exist.</p>`);
    return;
  }
  const field = (name: string) => (typeof issue.fields[name] === 'string' ? (issue.fields[name] as string) : '');
  const html = `<!doctype html><meta charset="utf-8"><title>[${escape(issue.key)}] ${escape(field('summary'))}</title>
<h1>${escape(issue.key)}: ${escape(field('summary'))}</h1>
<p>Status: <b>${escape(issue.status.name)}</b>${issue.resolution ? ` (${escape(issue.resolution.name)})` : ''} · Assignee: ${escape(issue.assignee?.displayName ?? 'Unassigned')} · Labels: ${escape(issue.labels.join(', '))}</p>
<pre style="white-space: pre-wrap">${escape(field('description'))}</pre>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}
