/**
 * A client over real HTTP (fetch) that keeps cookies between requests as a browser does,
 * and posts forms the way a browser does: the form's page first, for its CSRF token. For
 * tests that drive a served project (the demo) through sockets, proxies included.
 */
import assert from 'node:assert/strict';

export class WebClient {
  /** The cookies kept, by name. */
  readonly cookies = new Map<string, string>();
  /** Where requests go (may be changed between requests: another host of the same site). */
  base: string;

  constructor(base: string) {
    this.base = base;
  }

  /** One request, redirects not followed; the response's cookies are kept (or deleted). */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('Cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(`${this.base}${path}`, {
      ...init,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(20_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0\b/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** A GET; resolves to the response and its body text. */
  async get(path: string): Promise<{ response: Response; html: string }> {
    const response = await this.request(path);
    return { response, html: await response.text() };
  }

  /**
   * Submits a form as a browser would: `page` is loaded first (its CSRF token read from the
   * form), then `fields` are posted to `action` (default: the page itself).
   */
  async submit(page: string, fields: Record<string, string>, action = page): Promise<Response> {
    const { html } = await this.get(page);
    const token = /name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"/.exec(html)?.[1];
    assert.ok(token !== undefined, `${page} has a form with a CSRF token`);
    return this.request(action, {
      method: 'POST',
      body: new URLSearchParams({ ...fields, csrfmiddlewaretoken: token }),
    });
  }

  /** Logs in through the login page; asserts it worked (a redirect). */
  async login(username: string, password: string): Promise<Response> {
    const response = await this.submit('/accounts/login/', { username, password });
    assert.equal(response.status, 302, `login as ${username}`);
    return response;
  }
}
