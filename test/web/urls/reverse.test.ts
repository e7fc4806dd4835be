import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  HttpRequest,
  HttpResponse,
  include,
  NoReverseMatch,
  path,
  registerConverter,
  rePath,
  reverseUnchecked,
  type ViewFunction,
} from '../../../src/web/index.ts';
import { RootResolver } from '../../../src/web/urls/resolver.ts';
import { makeEnviron } from '../helpers.ts';

const ok: ViewFunction = () => new HttpResponse();

registerConverter(
  {
    regex: '[a-z]+',
    toPython: (value: string) => value,
    toUrl(value: string) {
      if (value === 'forbidden') throw new RangeError('no');
      return value;
    },
  },
  'picky',
);

const comments = [path('', ok, { name: 'list' }), path('<int:cid>/', ok, { name: 'detail' })];
const articles = [
  path('', ok, { name: 'index' }),
  path('<int:year>/<slug:slug>/', ok, { name: 'article' }),
  path('<int:year>/<slug:slug>/comments/', include(comments, { namespace: 'comments' })),
];
const resolver = new RootResolver([
  path('', ok, { name: 'home' }),
  path('files/<path:rest>', ok, { name: 'file' }),
  path('say/<str:word>/', ok, { name: 'say' }),
  path('picky/<picky:word>/', ok, { name: 'picky' }),
  path('picky-fallback/<str:word>/', ok, { name: 'picky' }),
  path('dup/first/', ok, { name: 'dup' }),
  path('dup/<int:n>/', ok, { name: 'dup' }),
  path('dup/second/', ok, { name: 'dup' }),
  path('feed/', ok, { name: 'feed', kwargs: { format: 'rss' } }),
  rePath('^archive/(?P<year>[0-9]{4})/$', ok, { name: 'archive' }),
  rePath('^pos/([0-9]+)/([a-z]+)/$', ok, { name: 'positional' }),
  rePath('^class/[abc]+/$', ok, { name: 'unreversible' }),
  path('blog/', include(articles, { namespace: 'blog' })),
  path('en/', include(articles, { appName: 'news', namespace: 'news-en' })),
  path('fr/', include(articles, { appName: 'news', namespace: 'news-fr' })),
  path('users/<int:uid>/', include([path('posts/<int:pid>/', ok, { name: 'post' })], { namespace: 'users' })),
]);

describe('reverse()', () => {
  test('round-trips with resolution', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['home', {}],
      ['say', { word: 'hello' }],
      ['blog:article', { year: 2024, slug: 'hello-world' }],
      ['blog:comments:detail', { year: 2024, slug: 'x', cid: 3 }],
      ['users:post', { uid: 1, pid: 2 }],
      ['archive', { year: '1999' }],
    ];
    for (const [name, kwargs] of cases) {
      const url = resolver.reverse(name, { kwargs });
      const match = resolver.resolve(url);
      assert.equal(match.viewName, name, url);
      assert.deepEqual({ ...match.kwargs }, kwargs, url);
    }
  });

  test('positional arguments fill the parameters in order', () => {
    assert.equal(resolver.reverse('blog:article', { args: [2024, 'hi'] }), '/blog/2024/hi/');
    assert.equal(resolver.reverse('positional', { args: [12, 'ab'] }), '/pos/12/ab/');
    assert.throws(() => resolver.reverse('blog:article', { args: [2024] }), NoReverseMatch);
    assert.throws(
      () => resolver.reverse('say', { args: ['a'], kwargs: { word: 'a' } }),
      /Don't mix args and kwargs/,
    );
  });

  test('percent-encodes, keeping the RFC 3986 sub-delimiters and /~:@', () => {
    assert.equal(
      resolver.reverse('file', { kwargs: { rest: "dir/ä b?c#d%e/~:@!$&'()*+,;=" } }),
      "/files/dir/%C3%A4%20b%3Fc%23d%25e/~:@!$&'()*+,;=",
    );
  });

  test('prepends the script prefix, and never yields a scheme-relative URL', () => {
    assert.equal(resolver.reverse('say', { kwargs: { word: 'x' }, scriptPrefix: '/app' }), '/app/say/x/');
    assert.equal(resolver.reverse('say', { kwargs: { word: 'x' }, scriptPrefix: '/app/' }), '/app/say/x/');
    assert.equal(resolver.reverse('file', { kwargs: { rest: '/evil.com/x' } }), '/files//evil.com/x');
    const rooted = new RootResolver([path('<path:rest>', ok, { name: 'any' })]);
    assert.equal(rooted.reverse('any', { kwargs: { rest: '/evil.com' } }), '/%2Fevil.com');
  });

  test('a value that does not fit the pattern, or that the converter refuses, does not reverse it', () => {
    assert.throws(() => resolver.reverse('say', { kwargs: { word: 'a/b' } }), NoReverseMatch);
    assert.throws(
      () => resolver.reverse('blog:article', { kwargs: { year: -1, slug: 'x' } }),
      NoReverseMatch,
    );
    // The converter refuses, so the other pattern with the same name is used.
    assert.equal(resolver.reverse('picky', { kwargs: { word: 'forbidden' } }), '/picky-fallback/forbidden/');
  });

  test('among patterns with the same name, the last defined that fits wins', () => {
    assert.equal(resolver.reverse('dup'), '/dup/second/');
    assert.equal(resolver.reverse('dup', { kwargs: { n: 4 } }), '/dup/4/');
  });

  test('extra kwargs may be given, but must then equal the pattern’s', () => {
    assert.equal(resolver.reverse('feed'), '/feed/');
    assert.equal(resolver.reverse('feed', { kwargs: { format: 'rss' } }), '/feed/');
    assert.throws(() => resolver.reverse('feed', { kwargs: { format: 'atom' } }), NoReverseMatch);
  });

  test('errors name what was tried', () => {
    assert.throws(
      () => resolver.reverse('nope'),
      /Reverse for 'nope' not found. 'nope' is not a valid pattern name./,
    );
    assert.throws(
      () => resolver.reverse('blog:article', { kwargs: { year: 1 } }),
      /Reverse for 'article' with keyword arguments '\{"year":1\}' not found. 1 pattern\(s\) tried: \["blog\/<int:year>\/<slug:slug>\/"\]/,
    );
    assert.throws(() => resolver.reverse('nope:home'), /'nope' is not a registered namespace/);
    assert.throws(
      () => resolver.reverse('blog:nope:index'),
      /'nope' is not a registered namespace inside 'blog'/,
    );
    assert.throws(() => resolver.reverse('unreversible'), NoReverseMatch);
    const error = (() => {
      try {
        resolver.reverse('nope');
      } catch (e) {
        return e as NoReverseMatch;
      }
    })();
    assert.equal(error?.code, 'PORTICO_ERR_NO_REVERSE_MATCH');
  });
});

describe('namespaces', () => {
  test('an instance namespace selects that instance', () => {
    assert.equal(resolver.reverse('news-en:index'), '/en/');
    assert.equal(resolver.reverse('news-fr:index'), '/fr/');
  });

  test('an app namespace picks the current app, else the default instance, else the last deployed', () => {
    assert.equal(resolver.reverse('news:index'), '/fr/', 'no default instance: the last deployed');
    assert.equal(resolver.reverse('news:index', { currentApp: 'news-en' }), '/en/');
    assert.equal(resolver.reverse('news:index', { currentApp: 'unrelated' }), '/fr/');
    const withDefault = new RootResolver([
      path('main/', include(articles, { namespace: 'news' })),
      path('other/', include(articles, { appName: 'news', namespace: 'other' })),
    ]);
    assert.equal(
      withDefault.reverse('news:index'),
      '/main/',
      'the instance named like the app is the default',
    );
    assert.equal(withDefault.reverse('news:index', { currentApp: 'other' }), '/other/');
  });

  test('nested namespaces, with the current app followed level by level', () => {
    const kwargs = { year: 2024, slug: 's', cid: 1 };
    assert.equal(resolver.reverse('news:comments:detail', { kwargs }), '/fr/2024/s/comments/1/');
    assert.equal(
      resolver.reverse('news:comments:detail', { kwargs, currentApp: 'news-en:comments' }),
      '/en/2024/s/comments/1/',
    );
  });
});

describe('reverse bound to a request, and the module-level one', () => {
  test('request.reverse() uses the request’s script prefix and resolved namespace', () => {
    const request = new HttpRequest(makeEnviron({ scriptName: '/mount', path: '/en/' }), { resolver });
    request.resolverMatch = resolver.resolve('/en/');
    assert.equal(request.resolverMatch?.namespace, 'news-en');
    assert.equal(request.reverseUnchecked('news:index'), '/mount/en/');
    assert.equal(request.reverseUnchecked('news:index', { currentApp: 'news-fr' }), '/mount/fr/');
    request.currentApp = 'news-fr';
    assert.equal(request.reverseUnchecked('news:index'), '/mount/fr/');
  });

  test('two requests with different script prefixes do not interfere (no global prefix)', async () => {
    const a = new HttpRequest(makeEnviron({ scriptName: '/a' }), { resolver });
    const b = new HttpRequest(makeEnviron({ scriptName: '/b/' }), { resolver });
    const [ra, rb] = await Promise.all([
      Promise.resolve().then(() => a.reverseUnchecked('home')),
      Promise.resolve().then(() => b.reverseUnchecked('home')),
    ]);
    assert.deepEqual([ra, rb], ['/a/', '/b/']);
  });

  test('reverseUnchecked() takes the URLconf and script prefix as options', () => {
    const urlconf = [path('x/<int:n>/', ok, { name: 'x' })];
    assert.equal(reverseUnchecked('x', { urlconf, kwargs: { n: 1 }, scriptPrefix: '/p' }), '/p/x/1/');
  });
});
