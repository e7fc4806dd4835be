import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hasCode } from '../../../src/tsgi/errors.ts';
import {
  type HttpRequest,
  include,
  type MiddlewareFactory,
  path,
  render,
  type SimpleTemplateResponse,
  TemplateDoesNotExist,
  TemplateEngine,
  TemplateResponse,
  templateRendered,
} from '../../../src/web/index.ts';
import { project } from '../app.ts';
import { serve } from '../helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'portico-templates-'));
after(() => rmSync(root, { recursive: true, force: true }));
const app1 = join(root, 'app1');
const app2 = join(root, 'app2');
for (const [dir, name, text] of [
  [
    app1,
    'base.html',
    '<title>{% block title %}Site{% endblock %}</title><main>{% block content %}{% endblock %}</main>',
  ],
  [
    app1,
    'blog/article.html',
    '{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}' +
      '{% block content %}{{ body }}|{{ request.path }}|{{ url("blog:article", slug="hi there") }}|' +
      '{{ url("blog:article", "x") }}|{{ csrfInput() }}|{{ site }}{% endblock %}',
  ],
  [app1, 'alt.html', 'ALT {{ body }} {{ extra }}'],
  [app2, 'alt.html', 'shadowed'],
  [app2, 'only2.html', 'from app2'],
  [app1, 'broken.html', '{% extends "missing-base.html" %}'],
  [app1, 'syntax.html', '{% if %}'],
] as const) {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), text);
}

const settings = {
  dirs: [app1, app2],
  contextProcessors: [
    (request: HttpRequest) => ({ site: `site:${request.getHost()}`, body: 'from processor' }),
  ],
};

function site(
  view: (request: HttpRequest) => ReturnType<typeof render> | TemplateResponse,
  middleware: MiddlewareFactory[] = [],
) {
  return project({
    rootUrlconf: [
      path('page/', view),
      path('blog/', include([path('a/<slug>/', view, { name: 'article' })], { namespace: 'blog' })),
    ],
    templates: settings,
    allowedHosts: ['testserver'],
    middleware,
    debug: true,
  });
}

describe('TemplateResponse with Nunjucks', () => {
  test('inheritance, autoescaping, request, url() bound to reverse, csrfInput, context processors', async () => {
    const view = (request: HttpRequest) =>
      new TemplateResponse(request, 'blog/article.html', { title: 'Hello', body: '<b>&</b>' });
    // A CSRF middleware attaches the token as request state, lazily.
    const csrf: MiddlewareFactory = (getResponse) => (request) => {
      request.setLazy('csrfToken', () => 'tok"en');
      return getResponse(request);
    };
    const served = await serve(site(view, [csrf]), { path: '/page/', scriptName: '/mnt' });
    assert.equal(served.code, 200, served.body);
    assert.equal(
      served.body,
      '<title>Hello</title><main>&lt;b&gt;&amp;&lt;/b&gt;|/mnt/page/|/mnt/blog/a/hi%20there/|/mnt/blog/a/x/|' +
        '<input type="hidden" name="csrfmiddlewaretoken" value="tok&quot;en">|site:testserver</main>',
    );
  });

  test('processTemplateResponse can change the template and the context before rendering', async () => {
    const swap: MiddlewareFactory = (getResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processTemplateResponse(_request: HttpRequest, response: SimpleTemplateResponse) {
          response.template = 'alt.html';
          response.context.extra = 'added';
          return response;
        },
      });
    const view = (request: HttpRequest) => new TemplateResponse(request, 'blog/article.html', { body: 'b' });
    const served = await serve(site(view, [swap]), { path: '/page/' });
    assert.equal(served.body, 'ALT b added');
  });

  test('a list of names renders the first found, searching the directories in order', async () => {
    const served = await serve(
      site((request) => new TemplateResponse(request, ['nope.html', 'alt.html'], { body: 1 })),
      {
        path: '/page/',
      },
    );
    assert.equal(served.body, 'ALT 1 ', 'app1 shadows app2');
    const second = await serve(
      site((request) => render(request, 'only2.html')),
      { path: '/page/' },
    );
    assert.equal(second.body, 'from app2');
  });

  test('render(): rendered at once, with the request', async () => {
    const served = await serve(
      site((request) => render(request, 'alt.html', { body: 'now' }, { status: 201 })),
      {
        path: '/page/',
      },
    );
    assert.equal(served.code, 201);
    assert.equal(served.body, 'ALT now ');
  });

  test('templateRendered reports the name, file and full context', async () => {
    const seen: string[] = [];
    const receiver = ({
      name,
      origin,
      context,
    }: {
      name: string;
      origin: string;
      context: Record<string, unknown>;
    }) => void seen.push(`${name} ${origin.endsWith(join('app1', 'alt.html'))} ${String(context.body)}`);
    templateRendered.connect(receiver);
    try {
      await serve(
        site((request) => render(request, 'alt.html', { body: 'x' })),
        { path: '/page/' },
      );
    } finally {
      templateRendered.disconnect(receiver);
    }
    assert.deepEqual(seen, ['alt.html true x']);
  });
});

describe('errors', () => {
  test('a missing template names every place searched', () => {
    const engine = new TemplateEngine({ dirs: [app1, app2] });
    assert.throws(
      () => engine.getTemplate(['missing.html', 'other.html']),
      (error) => {
        assert.ok(error instanceof TemplateDoesNotExist);
        assert.ok(hasCode(error, 'PORTICO_ERR_TEMPLATE_DOES_NOT_EXIST'));
        assert.deepEqual(error.tried, [
          join(app1, 'missing.html'),
          join(app2, 'missing.html'),
          join(app1, 'other.html'),
          join(app2, 'other.html'),
        ]);
        assert.match(
          error.message,
          /missing\.html, other\.html\nSearched:\n {2}.*app1.missing\.html \(does not exist\)/,
        );
        return true;
      },
    );
  });

  test('a missing parent template, and a syntax error, are clear errors; in debug, a 500 page says which', async () => {
    const engine = new TemplateEngine({ dirs: [app1] });
    assert.throws(
      () => engine.getTemplate('broken.html').render(),
      (e) => {
        assert.ok(e instanceof TemplateDoesNotExist);
        assert.deepEqual(e.tried, [join(app1, 'missing-base.html')]);
        return true;
      },
    );
    assert.throws(
      () => engine.getTemplate('syntax.html'),
      (e) => hasCode(e, 'PORTICO_ERR_TEMPLATE_ERROR'),
    );
    const served = await serve(
      site((request) => new TemplateResponse(request, 'nope.html')),
      { path: '/page/' },
    );
    assert.equal(served.code, 500);
    assert.match(served.body, /TemplateDoesNotExist/);
    assert.match(served.body, /nope\.html/);
  });

  test('names cannot leave the template directories', () => {
    const engine = new TemplateEngine({ dirs: [join(app1, 'blog')] });
    assert.throws(() => engine.getTemplate('../base.html'), TemplateDoesNotExist);
  });

  test('autoescape can be turned off; filters and globals are added', () => {
    const engine = new TemplateEngine({
      autoescape: false,
      filters: { shout: (s: string) => `${s}!` },
      globals: { brand: 'Portico' },
    });
    assert.equal(engine.fromString('{{ x | shout }} {{ brand }}').render({ x: '<i>' }), '<i>! Portico');
  });
});

describe('errors name the template they happen in; every template rendered is reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-templates-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'base.html': '<html>\n<body>\n{% block content %}{% endblock %}\n{{ missingFunction() }}\n</body>\n',
    'page.html': '{% extends "base.html" %}\n{% block content %}page{% endblock %}\n',
    'block.html': '{% extends "layout.html" %}\n{% block content %}\n{{ brokenInBlock() }}{% endblock %}\n',
    'layout.html': '<main>{% block content %}{% endblock %}</main>\n{% include "part.html" %}\n',
    'part.html': 'part\n',
    'ok.html': '{% extends "layout.html" %}\n{% block content %}ok{% endblock %}\n',
    'syntax-base.html': '<p>\n{% if %}\n',
    'syntax.html': '{% extends "syntax-base.html" %}\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const engine = new TemplateEngine({ dirs: [dir] });

  test('an error in the parent is reported at the parent, with its line and column', () => {
    assert.throws(
      () => engine.getTemplate('page.html').render(),
      (e) => {
        assert.ok(hasCode(e, 'PORTICO_ERR_TEMPLATE_ERROR'));
        assert.match(
          (e as Error).message,
          new RegExp(`^${join(dir, 'base.html')}, line 4, column \\d+: .*missingFunction`),
        );
        return true;
      },
    );
  });

  test('an error in a child block is reported at the child; a syntax error in the parent at the parent', () => {
    assert.throws(
      () => engine.getTemplate('block.html').render(),
      (e) => {
        assert.match(
          (e as Error).message,
          new RegExp(`^${join(dir, 'block.html')}, line 3, column \\d+: .*brokenInBlock`),
        );
        return true;
      },
    );
    assert.throws(
      () => engine.getTemplate('syntax.html').render(),
      (e) => {
        assert.match(
          (e as Error).message,
          new RegExp(`^${join(dir, 'syntax-base.html')}, line 2, column \\d+: `),
        );
        return true;
      },
    );
  });

  test('templateRendered is sent for the page, then each template it extends or includes', () => {
    const names: string[] = [];
    const receiver = (event: { name: string }) => void names.push(event.name);
    templateRendered.connect(receiver);
    try {
      assert.equal(engine.getTemplate('ok.html').render(), '<main>ok</main>\npart\n\n');
    } finally {
      templateRendered.disconnect(receiver);
    }
    assert.deepEqual(names, ['ok.html', 'layout.html', 'part.html']);
  });
});
