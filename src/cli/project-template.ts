/**
 * The files `portico startproject` writes. Kept as strings in a module (not as files on
 * disk) so the compiled package carries them without a copy step.
 */

/** What the template fills in. */
export interface ProjectValues {
  readonly name: string;
  /** The `portico` dependency as package.json writes it: `^0.1.0`, `file:/path/portico-0.1.0.tgz`. */
  readonly porticoSpec: string;
  /** Where that dependency comes from, in words, for the project's README. */
  readonly porticoSource: string;
  /** Portico's own `engines.node`, so the project asks for the same Node. */
  readonly nodeEngine: string;
  /** TypeScript and @types/node, as Portico itself is built with. */
  readonly typescript: string;
  readonly typesNode: string;
  readonly secretKey: string;
}

/** The project's files, by path relative to the project directory. */
export function projectFiles(v: ProjectValues): Record<string, string> {
  return {
    'package.json': `${JSON.stringify(
      {
        name: v.name,
        version: '0.1.0',
        private: true,
        type: 'module',
        engines: { node: v.nodeEngine },
        scripts: {
          start: 'portico serve app.ts:application --http 127.0.0.1:8000',
          dev: 'portico runserver',
          test: 'node --test "tests/**/*.test.ts"',
          check: 'portico check',
          typecheck: 'tsc',
          routes: 'portico routes',
        },
        dependencies: { portico: v.porticoSpec },
        devDependencies: { '@types/node': v.typesNode, typescript: v.typescript },
      },
      null,
      2,
    )}\n`,
    // Node runs the .ts files as they are, without checking types: "npm run typecheck" does.
    'tsconfig.json': `{
  "compilerOptions": {
    "target": "ES2023",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2023"],
    "types": ["node"],
    "strict": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "erasableSyntaxOnly": true,
    "verbatimModuleSyntax": true,
    "skipLibCheck": true
  },
  "exclude": ["node_modules"]
}
`,
    'settings.ts': `/**
 * The settings of ${v.name}. \`portico check\`, \`routes\` and \`runserver\` find the project
 * through this file (or \`--settings PATH\`).
 */
import { fileURLToPath } from 'node:url';
import { CommonMiddleware, type Settings } from 'portico/web';
import * as urls from './urls.ts';

export default {
  rootUrlconf: urls,
  // Development defaults; set DEBUG=0 and SECRET_KEY in production.
  debug: process.env.DEBUG !== '0',
  allowedHosts: process.env.ALLOWED_HOSTS?.split(',') ?? ['localhost', '127.0.0.1', 'testserver'],
  // A key for development only: keep the real one out of version control.
  secretKey: process.env.SECRET_KEY ?? '${v.secretKey}',
  middleware: [CommonMiddleware],
  templates: { dirs: [fileURLToPath(new URL('./templates/', import.meta.url))] },
} satisfies Settings;
`,
    'urls.ts': `/** The URLconf: which view answers which path. */
import { path } from 'portico/web';
import { home } from './views.ts';

export const urlpatterns = [path('', home, { name: 'home' })];
`,
    'views.ts': `/** The views: each takes the request and returns a response. */
import { type HttpRequest, type HttpResponse, render } from 'portico/web';

export function home(request: HttpRequest): HttpResponse {
  return render(request, 'home.html', { project: '${v.name}' });
}
`,
    'app.ts': `/** The TSGI application, for \`portico serve app.ts:application\` (production). */
import { getTsgiApplication } from 'portico/web';
import settings from './settings.ts';

export const application = getTsgiApplication(settings);
`,
    'templates/base.html': `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{% block title %}{{ project }}{% endblock %}</title>
</head>
<body>
  <main>{% block content %}{% endblock %}</main>
</body>
</html>
`,
    'templates/home.html': `{% extends "base.html" %}
{% block content %}
<h1>{{ project }} is running</h1>
<p>Edit <code>views.ts</code> and <code>templates/home.html</code>; <code>portico runserver</code> reloads on save.</p>
<p>This page is <a href="{{ url('home') }}">{{ url('home') }}</a>.</p>
{% endblock %}
`,
    'tests/home.test.ts': `/** The home page, through the whole application without a socket. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'portico/web/test';
import settings from '../settings.ts';

test('the home page renders its template', async () => {
  const client = new Client(settings);
  const response = await client.get('/');
  assert.equal(response.status, 200);
  assert.match(response.text(), /<h1>${v.name} is running<\\/h1>/);
  // Every template rendered, as in Django: the page, then the layout it extends.
  assert.deepEqual(response.templates, ['home.html', 'base.html']);
});
`,
    '.gitignore': 'node_modules/\n',
    'README.md': `# ${v.name}

A [Portico](https://www.npmjs.com/package/portico) project.

\`\`\`sh
npm install
npm run dev              # portico runserver: http://127.0.0.1:8000, reloads on changes
npm test                 # tests through the test client
npm run typecheck        # tsc: Node runs the .ts files without checking their types
npm run check            # portico check: configuration problems, before serving
npm start                # portico serve: the production server (master and workers)
\`\`\`

Portico comes from ${v.porticoSource} (\`"portico": "${v.porticoSpec}"\` in package.json); change
that line to change where it comes from, then run \`npm install\` again.
`,
  };
}
