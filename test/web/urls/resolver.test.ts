import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  HttpResponse,
  ImproperlyConfigured,
  include,
  path,
  registerConverter,
  rePath,
  Resolver404,
  type URLEntry,
  View,
  type ViewFunction,
} from '../../../src/web/index.ts';
import { getResolver, RootResolver } from '../../../src/web/urls/resolver.ts';

function view(name: string): ViewFunction {
  const fn = () => new HttpResponse(name);
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

function resolved(resolver: RootResolver, pathInfo: string) {
  const match = resolver.match(pathInfo);
  return match === null
    ? null
    : { view: match.func.name, kwargs: { ...match.kwargs }, args: [...match.args] };
}

registerConverter(
  {
    regex: '[0-9]+',
    toPython(value: string) {
      const n = Number(value);
      if (n % 2 !== 0) throw new RangeError('odd');
      return n;
    },
    toUrl: (value: number) => String(value),
  },
  'even',
);
registerConverter(
  { regex: '[a-z]+(?:/[a-z]+)*', toPython: (v: string) => v.split('/'), toUrl: (v: string[]) => v.join('/') },
  'words',
);

describe('path() and converters', () => {
  const resolver = new RootResolver([
    path('', view('home')),
    path('articles/<int:year>/', view('year')),
    path('articles/<int:year>/<slug:slug>/', view('article')),
    path('users/<str:name>/', view('user')),
    path('things/<uuid:id>/', view('thing')),
    path('files/<path:rest>', view('file')),
    path('n/<even:n>/', view('even')),
    path('n/<int:n>/', view('odd')),
    path('w/<words:parts>/end/', view('words')),
    path('page-<int:n>.html', view('page')),
  ]);

  test('values are converted and typed', () => {
    assert.deepEqual(resolved(resolver, '/'), { view: 'home', kwargs: {}, args: [] });
    assert.deepEqual(resolved(resolver, '/articles/2024/'), {
      view: 'year',
      kwargs: { year: 2024 },
      args: [],
    });
    assert.deepEqual(resolved(resolver, '/articles/2024/hello-world/'), {
      view: 'article',
      kwargs: { year: 2024, slug: 'hello-world' },
      args: [],
    });
    assert.deepEqual(resolved(resolver, '/users/Ann Lee/')?.kwargs, { name: 'Ann Lee' });
    assert.deepEqual(resolved(resolver, '/things/123e4567-e89b-12d3-a456-426614174000/')?.kwargs, {
      id: '123e4567-e89b-12d3-a456-426614174000',
    });
    assert.deepEqual(resolved(resolver, '/files/a/b/c.txt')?.kwargs, { rest: 'a/b/c.txt' });
    assert.deepEqual(resolved(resolver, '/page-3.html')?.kwargs, { n: 3 });
    assert.deepEqual(resolved(resolver, '/w/a/b/c/end/')?.kwargs, { parts: ['a', 'b', 'c'] });
  });

  test('a path must match entirely, trailing slash included', () => {
    assert.equal(resolver.match('/articles/2024'), null);
    assert.equal(resolver.match('/articles/2024/x/y/'), null);
    assert.equal(resolver.match('/articles/abc/'), null);
    assert.equal(resolver.match('/users//'), null);
    assert.equal(resolver.match('articles/2024/'), null, 'pathInfo starts with /');
  });

  test('a converter that rejects a value means no match, and resolution continues', () => {
    assert.equal(resolved(resolver, '/n/4/')?.view, 'even');
    assert.deepEqual(resolved(resolver, '/n/5/'), { view: 'odd', kwargs: { n: 5 }, args: [] });
    assert.equal(
      resolver.match('/articles/99999999999999999999/'),
      null,
      'int beyond safe range is rejected',
    );
  });

  test('malformed routes are rejected when path() runs', () => {
    assert.throws(() => path('<nope:x>/', view('x')), /invalid converter 'nope'/);
    assert.throws(() => path('< int:x>/', view('x')), /whitespace/);
    assert.throws(() => path('<int:2x>/', view('x')), /valid identifier/);
    assert.throws(() => path('<a>/<a>/', view('x')), /twice/);
    assert.throws(() => path('x/', 'not a view' as never), ImproperlyConfigured);
    class SomeView extends View {}
    assert.throws(() => path('x/', SomeView as never), /Did you mean SomeView.asView\(\)/);
  });
});

describe('first match wins, in URLconf order', () => {
  test('a parameter pattern defined first shadows a literal defined later', () => {
    const r = new RootResolver([path('users/<str:name>/', view('byName')), path('users/me/', view('me'))]);
    assert.equal(resolved(r, '/users/me/')?.view, 'byName');
  });

  test('a literal defined first wins over a later parameter pattern', () => {
    const r = new RootResolver([path('users/me/', view('me')), path('users/<str:name>/', view('byName'))]);
    assert.equal(resolved(r, '/users/me/')?.view, 'me');
    assert.equal(resolved(r, '/users/ann/')?.view, 'byName');
  });

  test('duplicates: the first one', () => {
    const r = new RootResolver([path('a/', view('first')), path('a/', view('second'))]);
    assert.equal(resolved(r, '/a/')?.view, 'first');
  });

  test('a regex defined first wins over a later literal', () => {
    const r = new RootResolver([
      rePath('^x/(?P<any>.*)$', view('regex')),
      path('x/literal/', view('literal')),
    ]);
    assert.equal(resolved(r, '/x/literal/')?.view, 'regex');
  });

  test('a literal path answered from the startup map still gets fresh extra kwargs each time', () => {
    const r = new RootResolver([
      path('n/<int:n>/', view('int')),
      path('n/x/', view('literal'), { kwargs: { page: 1 } }),
    ]);
    const a = r.match('/n/x/');
    const b = r.match('/n/x/');
    assert.equal(a?.func.name, 'literal');
    assert.deepEqual(a?.kwargs, { page: 1 });
    assert.notEqual(a?.kwargs, b?.kwargs);
    assert.equal(resolved(r, '/n/3/')?.view, 'int');
  });

  test('"//x" and "/x" are different paths', () => {
    const r = new RootResolver([path('x', view('x')), path('/x', view('slashx'))]);
    assert.equal(resolved(r, '/x')?.view, 'x');
    assert.equal(resolved(r, '//x')?.view, 'slashx');
  });
});

describe('rePath()', () => {
  const r = new RootResolver([
    rePath('^archive/(?P<year>[0-9]{4})/(?<month>[0-9]{2})/$', view('month')),
    rePath('^positional/([0-9]+)/([a-z]+)/$', view('positional')),
    rePath('^mixed/(?P<named>[0-9]+)/([a-z]+)/$', view('mixed')),
    rePath('^optional/(?:(?P<page>[0-9]+)/)?$', view('optional')),
    rePath('^prefix', view('prefix')),
    rePath('^(?P<a>x)-(?P=a)/$', view('backref')),
  ]);

  test('named groups are keyword values (strings); unnamed ones positional only without named ones', () => {
    assert.deepEqual(resolved(r, '/archive/2024/05/'), {
      view: 'month',
      kwargs: { year: '2024', month: '05' },
      args: [],
    });
    assert.deepEqual(resolved(r, '/positional/12/ab/'), {
      view: 'positional',
      kwargs: {},
      args: ['12', 'ab'],
    });
    assert.deepEqual(resolved(r, '/mixed/12/ab/'), { view: 'mixed', kwargs: { named: '12' }, args: [] });
  });

  test('groups that did not take part are left out', () => {
    assert.deepEqual(resolved(r, '/optional/')?.kwargs, {});
    assert.deepEqual(resolved(r, '/optional/3/')?.kwargs, { page: '3' });
  });

  test('without $, an endpoint regex matches a prefix of the path', () => {
    assert.equal(resolved(r, '/prefix/and/more')?.view, 'prefix');
  });

  test('back-references survive joining', () => {
    assert.equal(resolved(r, '/x-x/')?.view, 'backref');
  });

  test('inline flags are rejected with a clear error', () => {
    assert.throws(() => rePath('(?i)^abc/$', view('x')), /inline flags/);
  });
});

describe('include()', () => {
  const detail = view('detail');
  const comments = [
    path('', view('comments')),
    path('<int:comment>/', view('comment'), { kwargs: { depth: 2 } }),
  ];
  const articles = [
    path('', view('articles'), { name: 'index' }),
    path('<int:id>/', detail, { name: 'detail', kwargs: { source: 'leaf' } }),
    path('<int:id>/comments/', include(comments), { kwargs: { source: 'include', id: 'overridden?' } }),
  ];
  const root = [
    path('blog/<slug:blog>/', include(articles, { namespace: 'blog' })),
    rePath('^api/v(?P<version>[0-9])/', include(articles, { appName: 'blog', namespace: 'api' })),
  ];
  const r = new RootResolver(root);

  test('prefixes nest and parameters from every level are merged', () => {
    assert.deepEqual(resolved(r, '/blog/news/'), { view: 'articles', kwargs: { blog: 'news' }, args: [] });
    assert.deepEqual(resolved(r, '/blog/news/7/')?.kwargs, { blog: 'news', id: 7, source: 'leaf' });
    assert.deepEqual(resolved(r, '/api/v2/7/')?.kwargs, { version: '2', id: 7, source: 'leaf' });
  });

  test('precedence: parent captured < include kwargs < child captured < child extra kwargs', () => {
    // The include's kwargs override the captured id, the child's captured and extra values override the include's.
    assert.deepEqual(resolved(r, '/blog/news/7/comments/'), {
      view: 'comments',
      kwargs: { blog: 'news', id: 'overridden?', source: 'include' },
      args: [],
    });
    assert.deepEqual(resolved(r, '/blog/news/7/comments/3/')?.kwargs, {
      blog: 'news',
      id: 'overridden?',
      source: 'include',
      comment: 3,
      depth: 2,
    });
  });

  test('ResolverMatch carries where it was found', () => {
    const match = r.resolve('/api/v1/5/');
    assert.equal(match.func, detail);
    assert.equal(match.urlName, 'detail');
    assert.equal(match.route, '^api/v(?P<version>[0-9])/<int:id>/');
    assert.deepEqual(match.appNames, ['blog']);
    assert.equal(match.appName, 'blog');
    assert.deepEqual(match.namespaces, ['api']);
    assert.equal(match.namespace, 'api');
    assert.equal(match.viewName, 'api:detail');
    const unnamed = r.resolve('/blog/x/1/comments/2/');
    assert.equal(unnamed.viewName, 'blog:comment');
    assert.equal(unnamed.urlName, null);
  });

  test('an unmatched path raises Resolver404 listing the chains tried, the way Django does', () => {
    let caught: Resolver404 | undefined;
    try {
      r.resolve('/blog/news/x/');
    } catch (e) {
      caught = e as Resolver404;
    }
    assert.ok(caught instanceof Resolver404);
    assert.equal(caught.code, 'PORTICO_ERR_RESOLVER_404');
    assert.equal(caught.path, '/blog/news/x/');
    assert.deepEqual(caught.tried, [
      ["blog/<slug:blog>/ [namespace='blog']", "[name='index']"],
      ["blog/<slug:blog>/ [namespace='blog']", "<int:id>/ [name='detail']"],
      ["blog/<slug:blog>/ [namespace='blog']", '<int:id>/comments/'],
      ["^api/v(?P<version>[0-9])/ [namespace='api']"],
    ]);
  });

  test('getResolver compiles a URLconf once', () => {
    assert.equal(getResolver(root), getResolver(root));
  });
});

describe('the compiled matcher agrees with a pattern-by-pattern scan', () => {
  // A small deterministic generator of URLconfs and paths over the same vocabulary.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const words = ['a', 'b', 'c', '1', '22'];
  const routeSegments = [
    'a',
    'b',
    'c',
    '<int:n>',
    '<str:s>',
    '<slug:g>',
    '<even:e>',
    'p<int:m>',
    '<path:rest>',
  ];
  let counter = 0;
  // Parameter names get a position suffix: a route may not repeat a name.
  const route = (depth: number) =>
    Array.from({ length: 1 + Math.floor(random() * depth) }, (_, i) =>
      pick(routeSegments).replace('>', `${i}>`),
    ).join('/') + (random() < 0.6 ? '/' : '');
  const patterns = (level: number): URLEntry[] =>
    Array.from({ length: 3 + Math.floor(random() * 5) }, (): URLEntry => {
      const choice = random();
      if (level < 2 && choice < 0.2)
        return path(route(2).replace(/<path:rest>\/?/, 'z/'), include(patterns(level + 1)));
      if (choice < 0.3)
        return rePath(
          pick(['^a/(?P<x>[0-9]+)/$', '^(?P<y>[a-c])/', '^b/c$', '^([0-9]+)/(c)/$']),
          view(`v${counter++}`),
        );
      return path(route(3), view(`v${counter++}`));
    });

  test('on random URLconfs and paths', () => {
    let matched = 0;
    let viaTree = 0;
    for (let round = 0; round < 60; round++) {
      const resolver = new RootResolver(patterns(0));
      for (let i = 0; i < 150; i++) {
        const segments = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          pick([...words, 'z', 'p3', '4']),
        );
        const pathInfo = `/${segments.join('/')}${random() < 0.5 ? '/' : ''}`;
        const fast = resolver.match(pathInfo);
        const slow = resolver.scan(pathInfo);
        if (slow !== null) matched++;
        if (slow !== null && Object.keys(slow.kwargs).length > 0) viaTree++;
        assert.deepEqual(
          fast && [fast.func, fast.kwargs, fast.args],
          slow && [slow.func, slow.kwargs, slow.args],
          `round ${round}, ${pathInfo}`,
        );
      }
    }
    // The comparison is only meaningful if many paths match, many with parameters.
    assert.ok(matched > 1500, `only ${matched} of 9000 paths matched`);
    assert.ok(viaTree > 500, `only ${viaTree} matches had parameters`);
  });
});
