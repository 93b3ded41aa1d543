/**
 * The few HTML helpers the sandboxes' pages share: escaping, one page frame with a small style sheet, form bodies
 * and the POST-then-redirect answer. Plain server-rendered HTML, no script: a person (or a browser test) clicks
 * buttons in forms, and every answer is a whole page.
 */
import type { ServerResponse } from 'node:http';

/** Escapes text for an element's content or a quoted attribute value. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An `<option>`; `label` and `value` are escaped. */
export const option = (value: string, label: string, selected = false): string =>
  `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#172b4d;background:#f7f8f9}
header{display:flex;align-items:center;gap:16px;padding:10px 24px;color:#fff}
header b{font-size:16px}header a{color:#fff}
main{padding:16px 24px;max-width:1100px}
h1{font-size:20px;margin:8px 0 12px}h2{font-size:15px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #dfe1e6;vertical-align:top}
th{font-size:12px;color:#5e6c84;text-transform:uppercase}
code{font:12px ui-monospace,Menlo,monospace}
.lozenge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;font-weight:600;text-transform:uppercase}
.new,.open{background:#dfe1e6;color:#42526e}.indeterminate,.in-progress{background:#deebff;color:#0747a6}
.done,.resolved{background:#e3fcef;color:#006644}.muted{background:#fff0b3;color:#7a5d00}
.panel{background:#fff;border:1px solid #dfe1e6;border-radius:4px;padding:10px 14px;margin:10px 0}
.facts{display:grid;grid-template-columns:130px 1fr;gap:4px 12px;margin:0}.facts dt{color:#5e6c84}.facts dd{margin:0}
.actions{display:flex;flex-wrap:wrap;gap:10px 24px;align-items:center}
.actions label{display:flex;gap:6px;align-items:center}
button{font:inherit;padding:3px 10px;border:1px solid #c1c7d0;border-radius:3px;background:#f4f5f7;cursor:pointer}
button.primary{background:#0052cc;border-color:#0052cc;color:#fff}
select{font:inherit;padding:2px 4px}
.notice{background:#e3fcef;border:1px solid #79f2c0;padding:6px 10px;border-radius:3px}
.error{background:#ffebe6;border:1px solid #ff8f73;padding:6px 10px;border-radius:3px}
.muted-text{color:#5e6c84;font-size:12px}
pre{white-space:pre-wrap;font:12px/1.4 ui-monospace,Menlo,monospace;margin:0;max-height:220px;overflow:auto}
ul.history{margin:0;padding-left:18px}
`;

/** A whole page: `title` is escaped, `header` and `body` are HTML the caller built (escaped piece by piece). */
export function page(options: { title: string; product: string; color: string; header?: string; body: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head>
<body><header style="background:${options.color}"><b>${escapeHtml(options.product)}</b>${options.header ?? ''}</header><main>${options.body}</main></body></html>`;
}

/** A form body (`application/x-www-form-urlencoded`, what a browser sends for a POST form). */
export const parseForm = (raw: string): URLSearchParams => new URLSearchParams(raw);

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
  res.end(html);
}

/** 303 See Other: after a POST the browser GETs `location`, so a reload does not repeat the action. */
export function redirect(res: ServerResponse, location: string): void {
  if (res.destroyed) return;
  res.writeHead(303, { location, 'content-length': '0' });
  res.end();
}
