/**
 * Compile-time checks of the typed URL API: `npm run typecheck` fails if a line marked
 * `@ts-expect-error` compiles, or if an unmarked line does not. The tests also run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createReverse,
  HttpResponse,
  include,
  path,
  registerConverter,
  rePath,
  reverse,
  type RouteArgs,
  type RouteParams,
  type UrlName,
} from '../../../src/web/index.ts';

declare module '../../../src/web/urls/types.ts' {
  interface ConverterTypes {
    year4: number;
  }
}
registerConverter({ regex: '[0-9]{4}', toPython: Number, toUrl: (v: number) => String(v) }, 'year4');

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(value: T) => value;

// Route parameters are parsed from the route text.
expectType<Equal<RouteParams<'a/<int:year>/<slug:slug>/<x>/'>, { year: number; slug: string; x: string }>>(
  true,
);
expectType<Equal<RouteArgs<'a/<int:year>/<slug:slug>/'>, [number, string]>>(true);
expectType<Equal<keyof RouteParams<'static/'>, never>>(true);
expectType<Equal<RouteParams<'<year4:y>/'>, { y: number }>>(true);
expectType<Equal<RouteParams<string>, Record<string, unknown>>>(true);

const ok = () => new HttpResponse();

const comments = [path('', ok, { name: 'list' }), path('<int:cid>/', ok, { name: 'detail' })];
const blog = [
  path('', ok, { name: 'index' }),
  path(
    '<int:year>/<slug:slug>/',
    (_request, { year, slug }) => new HttpResponse(`${year.toFixed(0)} ${slug.length}`),
    {
      name: 'article',
    },
  ),
  path('<int:year>/<slug:slug>/comments/', include(comments, { namespace: 'comments' })),
  rePath('^archive/(?P<y>[0-9]{4})/(?<m>[0-9]{2})/$', (_request, { y, m }) => new HttpResponse(y + m), {
    name: 'archive',
  }),
  path('unnamed/', ok),
];
const urlconf = {
  urlpatterns: [
    path('', ok, { name: 'home' }),
    path('y/<year4:y>/', ok, { name: 'by-year' }),
    path('blog/', include(blog, { appName: 'blog', namespace: 'blog-main' })),
    path(
      'users/<int:uid>/',
      include([path('posts/<int:pid>/', ok, { name: 'post' })], { namespace: 'users' }),
    ),
  ],
};

const r = createReverse(urlconf);

test('the typed reverse accepts every valid call', () => {
  assert.equal(r('home'), '/');
  assert.equal(r('by-year', { kwargs: { y: 2024 } }), '/y/2024/');
  assert.equal(r('blog:article', { kwargs: { year: 2024, slug: 'hi' } }), '/blog/2024/hi/');
  assert.equal(r('blog-main:article', { args: [2024, 'hi'] }), '/blog/2024/hi/');
  assert.equal(
    r('blog:comments:detail', { kwargs: { year: 1, slug: 's', cid: 2 } }),
    '/blog/1/s/comments/2/',
  );
  assert.equal(r('blog:archive', { kwargs: { y: 2024, m: '05' } }), '/blog/archive/2024/05/');
  assert.equal(r('users:post', { kwargs: { uid: 1, pid: 2 } }), '/users/1/posts/2/');
  assert.equal(r('blog:index', { currentApp: 'blog-main', scriptPrefix: '/app/' }), '/app/blog/');
});

test('mistakes are compile errors (checked by npm run typecheck)', () => {
  // Never called: these lines exist for the type checker.
  const mistakes = () => {
    // @ts-expect-error an unknown name
    r('nope');
    // @ts-expect-error a name from an include needs its namespace
    r('article', { kwargs: { year: 2024, slug: 'hi' } });
    // @ts-expect-error parameters are required
    r('blog:article');
    // @ts-expect-error a missing parameter
    r('blog:article', { kwargs: { year: 2024 } });
    // @ts-expect-error a mistyped parameter
    r('blog:article', { kwargs: { year: '2024', slug: 'hi' } });
    // @ts-expect-error an unknown parameter
    r('home', { kwargs: { page: 1 } });
    // @ts-expect-error the include's prefix parameter is required too
    r('users:post', { kwargs: { pid: 2 } });
    // @ts-expect-error positional arguments are typed in order
    r('blog:article', { args: ['hi', 2024] });
    // @ts-expect-error a custom converter's declared type
    r('by-year', { kwargs: { y: 'twenty' } });
    // @ts-expect-error an unnamed pattern cannot be reversed
    r('unnamed');
    // @ts-expect-error a view whose parameters do not fit the route
    path('<int:n>/', (_request, params: { n: string }) => new HttpResponse(params.n));
    // @ts-expect-error a parameter the route does not have
    path('<int:n>/', (_request, params: { m: number }) => new HttpResponse(String(params.m)));
  };
  assert.equal(typeof mistakes, 'function');
});

test('names are listed by UrlName, and the unregistered global reverse() is loose', () => {
  type Names = UrlName<typeof urlconf>;
  expectType<Equal<'blog:index' extends Names ? true : false, true>>(true);
  expectType<Equal<'index' extends Names ? true : false, false>>(true);
  // No URLconf is registered in this repository, so any name type-checks (and is checked at run time).
  const loose = () => reverse('anything', { kwargs: { a: 1 } });
  assert.equal(typeof loose, 'function');
});
