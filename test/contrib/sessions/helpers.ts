/** A small project for the session tests: views that read, write, flush and cycle the session. */
import type { Settings } from '../../../src/web/index.ts';
import { HttpResponse, type HttpRequest, path } from '../../../src/web/index.ts';
import { SessionMiddleware } from '../../../src/contrib/sessions/index.ts';

export const SECRET = 'portico-tests-a-long-enough-secret-key-for-signing-sessions-0123456789';

const session = (request: HttpRequest) => {
  if (request.session === undefined) throw new Error('no request.session');
  return request.session;
};

export const urlpatterns = [
  path('none/', () => new HttpResponse('no session')),
  path(
    'get/',
    async (request: HttpRequest) => new HttpResponse(String((await session(request).get('n')) ?? 'none')),
  ),
  path('set/', async (request: HttpRequest) => {
    const s = session(request);
    const n = ((await s.get<number>('n')) ?? 0) + 1;
    await s.set('n', n);
    return new HttpResponse(String(n));
  }),
  path('big/', async (request: HttpRequest) => {
    await session(request).set('text', 'abc'.repeat(500));
    return new HttpResponse('big');
  }),
  path('flush/', async (request: HttpRequest) => {
    await session(request).flush();
    return new HttpResponse('flushed');
  }),
  path('cycle/', async (request: HttpRequest) => {
    const s = session(request);
    const before = s.sessionKey;
    await s.cycleKey();
    return new HttpResponse(JSON.stringify({ before, after: s.sessionKey }));
  }),
  path('browser/', async (request: HttpRequest) => {
    await session(request).setExpiry(0);
    return new HttpResponse('until the browser closes');
  }),
  path('fail/', async (request: HttpRequest) => {
    await session(request).set('n', 99);
    return new HttpResponse('broken', { status: 500 });
  }),
];

/** Settings with the session middleware and these `sessions` options. */
export function sessionSettings(
  extra: Record<string, unknown> = {},
  sessions: Record<string, unknown> = {},
): Settings {
  return {
    rootUrlconf: urlpatterns,
    allowedHosts: ['testserver'],
    secretKey: SECRET,
    middleware: [SessionMiddleware],
    sessions,
    ...extra,
  } as Settings;
}

/** The attributes of the `sessionid` Set-Cookie, or undefined. */
export function sessionCookie(headers: Headers, name = 'sessionid'): string | undefined {
  return headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}
