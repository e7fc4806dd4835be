/**
 * The technical 500 page (debug mode only): the error, its stack with the source lines
 * around each frame, the request and the settings, with secrets masked. Everything taken
 * from the error or the request is HTML-escaped: a message can contain markup.
 *
 * @module
 */
import type { HttpRequest } from '../../http/request.ts';
import { escapeHtml } from '../../utils/html.ts';
import { safeCookies, safeMeta, safeSettings } from './filter.ts';
import { type Frame, parseStack } from './frames.ts';

/** Causes followed (`error.cause`), so a cycle cannot loop forever. */
const MAX_CAUSES = 5;

function table(title: string, id: string, rows: readonly (readonly [string, string])[]): string {
  const body =
    rows.length === 0
      ? `<p class="empty">No ${escapeHtml(title.toLowerCase())}.</p>`
      : `<table class="vars"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>\n${rows
          .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td><pre>${escapeHtml(v)}</pre></td></tr>`)
          .join('\n')}\n</tbody></table>`;
  return `<h3 id="${id}">${escapeHtml(title)}</h3>\n${body}`;
}

function frameHtml(frame: Frame): string {
  const where = `${escapeHtml(frame.file)}, line ${frame.line}, in ${escapeHtml(frame.functionName ?? '<top level>')}`;
  const source =
    frame.context.length === 0
      ? ''
      : `<ol class="context" start="${frame.context[0]?.number ?? 1}">${frame.context
          .map(
            (l) =>
              `<li${l.number === frame.line ? ' class="current"' : ''}><pre>${escapeHtml(l.text)}</pre></li>`,
          )
          .join('')}</ol>`;
  return `<li class="frame${frame.library ? ' library' : ' user'}"><code class="location">${where}</code>${source}</li>`;
}

function describe(error: unknown): { name: string; message: string; stack: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack ?? '' };
  return { name: typeof error, message: String(error), stack: '' };
}

function traceback(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let i = 0; i <= MAX_CAUSES && current !== undefined && !seen.has(current); i++) {
    seen.add(current);
    const { name, message, stack } = describe(current);
    const frames = parseStack(stack);
    if (i > 0) parts.push('<p class="cause">The above error was caused by:</p>');
    parts.push(
      `<p class="error-line"><strong>${escapeHtml(name)}</strong>: ${escapeHtml(message)}</p>`,
      frames.length === 0
        ? `<pre>${escapeHtml(stack || message)}</pre>`
        : `<ol class="traceback">\n${frames.map(frameHtml).join('\n')}\n</ol>`,
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n');
}

function postRows(request: HttpRequest): [string, string][] {
  // POST needs the body loaded; an error raised before that (or by the loading) leaves it
  // unreadable, which is no reason to fail the error page.
  try {
    if (request.needsLoad) return [['(not loaded)', 'the form body was not read before the error']];
    return [...request.POST.lists()].map(([k, v]) => [k, v.length === 1 ? (v[0] ?? '') : JSON.stringify(v)]);
  } catch {
    return [];
  }
}

function getRows(request: HttpRequest): [string, string][] {
  try {
    return [...request.GET.lists()].map(([k, v]) => [k, v.length === 1 ? (v[0] ?? '') : JSON.stringify(v)]);
  } catch {
    return [['(unreadable)', String(request.META.QUERY_STRING ?? '')]];
  }
}

/** The body of the technical 500 page (inside the shared debug layout). */
export function technical500Body(request: HttpRequest, error: unknown, settings: object): string {
  const { name, message } = describe(error);
  const code = (error as { code?: unknown } | null)?.code;
  const summary = [
    `<tr><th>Request Method:</th><td>${escapeHtml(request.method)}</td></tr>`,
    `<tr><th>Request URL:</th><td>${escapeHtml(request.path)}</td></tr>`,
    `<tr><th>Error type:</th><td>${escapeHtml(name)}</td></tr>`,
    typeof code === 'string' ? `<tr><th>Error code:</th><td>${escapeHtml(code)}</td></tr>` : '',
    request.resolverMatch
      ? `<tr><th>View:</th><td>${escapeHtml(request.resolverMatch.viewName)}</td></tr>`
      : '',
    `<tr><th>Node.js:</th><td>${escapeHtml(process.version)}</td></tr>`,
  ];
  return [
    `<header id="summary">`,
    `<h1>${escapeHtml(name)} at ${escapeHtml(request.path)}</h1>`,
    `<pre class="exception_value">${escapeHtml(message)}</pre>`,
    `<table class="meta">${summary.join('')}</table>`,
    `</header>`,
    `<section id="traceback"><h2>Traceback</h2>\n${traceback(error)}\n</section>`,
    `<section id="request"><h2>Request information</h2>`,
    table('GET', 'get-info', getRows(request)),
    table('POST', 'post-info', postRows(request)),
    table('Cookies', 'cookie-info', safeCookies(request.COOKIES)),
    table('META', 'meta-info', safeMeta(request.META as Record<string, unknown>)),
    `</section>`,
    `<section id="settings"><h2>Settings</h2>`,
    table('Settings', 'settings-info', safeSettings(settings)),
    `</section>`,
  ].join('\n');
}
