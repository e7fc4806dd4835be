/**
 * The browsable API (DRF's `BrowsableAPIRenderer`): what a browser gets from an API view —
 * the request line, the response's status, headers and pretty-printed body, the methods
 * the view allows, and a form to send the next request. Server-rendered, every value
 * escaped, one small inline stylesheet and one small script (the form sends any method
 * with `fetch`, which an HTML form cannot), nothing loaded from elsewhere.
 *
 * @module
 */
import { reasonPhraseFor } from '../web/http/status.ts';
import { escapeHtml } from '../web/utils/html.ts';
import { JSONRenderer, type Renderer, type RendererContext } from './renderers.ts';

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#243b53;color:#fff;padding:.8rem 1.5rem;font-weight:600}
main{max-width:70rem;margin:1.5rem auto;padding:0 1.5rem}
h1{font-size:1.5rem;margin:.2rem 0 .4rem}.desc{color:#52606d;margin:0 0 1rem}
.req{font-family:ui-monospace,monospace;background:#fff;border:1px solid #d9e2ec;padding:.5rem .8rem;border-radius:4px}
pre{background:#fff;border:1px solid #d9e2ec;padding:.8rem;border-radius:4px;overflow:auto;white-space:pre-wrap;word-break:break-word}
.status{font-weight:700}.hdr{color:#52606d}.methods span{display:inline-block;background:#e4e7eb;border-radius:3px;padding:0 .4rem;margin-right:.3rem;font-family:ui-monospace,monospace}
form{background:#fff;border:1px solid #d9e2ec;padding:1rem;border-radius:4px;margin-top:1rem}
label{display:block;margin:.4rem 0 .2rem;font-weight:600}textarea{width:100%;min-height:8rem;font-family:ui-monospace,monospace;box-sizing:border-box}
button{margin-top:.6rem;background:#243b53;color:#fff;border:0;padding:.45rem 1.1rem;border-radius:4px;cursor:pointer}`;

// Sends the form with fetch (so PUT, PATCH and DELETE work) asking for HTML again, and
// shows the answer as the new page, as DRF's form does by reloading.
const SCRIPT = `document.getElementById('api-form').addEventListener('submit',async(e)=>{e.preventDefault();
const f=e.target;const m=f.elements.method.value;const ct=f.elements.contentType.value;const b=f.elements.body.value;
const init={method:m,headers:{Accept:'text/html'}};if(m!=='GET'&&m!=='HEAD'&&b!==''){init.headers['Content-Type']=ct;init.body=b;}
const r=await fetch(location.href,init);const html=await r.text();document.open();document.write(html);document.close();});`;

/**
 * Makes the quoted http(s) URLs of escaped JSON clickable (DRF's `urlize_quoted_links`), so
 * a browser follows hyperlinks between resources. Works on the escaped text: the link's
 * href is that same escaped text, which a browser decodes like any attribute.
 */
export function linkUrls(escapedJson: string): string {
  return escapedJson.replace(
    /&quot;(https?:\/\/(?:[^&\s<>]|&amp;)+?)&quot;/g,
    (_whole, url: string) => `&quot;<a href="${url}" rel="nofollow">${url}</a>&quot;`,
  );
}

/** A view's name for the page: its class name without `View`/`ViewSet`, split into words. */
export function viewName(name: string | undefined): string {
  const bare = (name ?? 'Api').replace(/(ViewSet|View)$/, '') || 'Api';
  return bare.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2');
}

/** `text/html`: the page described above. `?format=json` (or `Accept`) gets the raw JSON. */
export class BrowsableAPIRenderer implements Renderer {
  readonly mediaType: string = 'text/html';
  readonly format: string = 'api';
  readonly charset: string | null = 'utf-8';

  render(data: unknown, _acceptedMediaType: string, context: RendererContext): string {
    const json = new JSONRenderer().render(data, 'application/json; indent=2');
    const request = context.request;
    const response = context.response;
    const status = response?.statusCode ?? 200;
    const methods = context.view?.allowedMethods() ?? [];
    const headers: Array<[string, string]> = [];
    if (methods.length > 0) headers.push(['Allow', methods.join(', ')]);
    headers.push(['Content-Type', 'application/json']);
    for (const [name, value] of response?.headers ?? []) {
      const lower = name.toLowerCase();
      if (lower !== 'content-type' && lower !== 'allow') headers.push([name, value]);
    }
    const name = escapeHtml(context.view?.name ?? viewName(undefined));
    const description = context.view?.description ?? '';
    const path = request?.httpRequest.getFullPath() ?? '';
    // The form sends what changes data; reading is what the page itself did.
    const formMethods = methods.filter((m) => m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE');
    const options = formMethods
      .map((m) => `<option${m === 'POST' ? ' selected' : ''}>${escapeHtml(m)}</option>`)
      .join('');
    const form =
      formMethods.length === 0
        ? ''
        : `<form id="api-form"><label for="method">Method</label><select id="method" name="method">${options}</select>
<label for="contentType">Media type</label><select id="contentType" name="contentType"><option>application/json</option><option>application/x-www-form-urlencoded</option></select>
<label for="body">Content</label><textarea id="body" name="body" spellcheck="false"></textarea>
<button type="submit">Send</button></form><script>${SCRIPT}</script>`;
    return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${name} – Portico API</title><meta name="robots" content="noindex,nofollow"><style>${STYLE}</style></head>
<body><header>Portico API</header><main><h1>${name}</h1>${description ? `<p class="desc">${escapeHtml(description)}</p>` : ''}
<div class="req"><strong>${escapeHtml(request?.method ?? 'GET')}</strong> ${escapeHtml(path)}</div>
<p class="methods">Allowed: ${methods.map((m) => `<span>${escapeHtml(m)}</span>`).join('')} · Format: <a href="?format=json">json</a> <a href="?format=api">api</a></p>
<pre id="response"><span class="status">HTTP ${status} ${escapeHtml(reasonPhraseFor(status))}</span>
${headers.map(([k, v]) => `<span class="hdr">${escapeHtml(k)}: ${escapeHtml(v)}</span>`).join('\n')}

${linkUrls(escapeHtml(json))}</pre>${form}</main></body></html>`;
  }
}
