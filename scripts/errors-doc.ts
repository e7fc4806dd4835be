/**
 * Writes docs/errors.md from every layer's error registry (`npm run docs:errors`);
 * `test/tsgi/errors.test.ts` fails when the file and the registries differ.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorLayers, type ErrorSpec } from '../src/tsgi/errors.ts';
import '../src/server/errors.ts';
import '../src/appserver/errors.ts';
import '../src/web/errors.ts';
import '../src/db/errors.ts';
import '../src/contrib/errors.ts';
import '../src/api/errors.ts';
import '../src/cli/errors.ts';

/** Each layer's heading, in the order a request meets them. */
const TITLES: Readonly<Record<string, string>> = {
  tsgi: 'The gateway (`src/tsgi/`), and codes every layer shares',
  server: 'The server (`src/server/`)',
  appserver: 'The application server (`src/appserver/`)',
  web: 'The web framework (`src/web/`)',
  db: 'The database layer (`src/db/`)',
  contrib: 'Sessions, auth, CSRF, messages, cache and security middleware (`src/contrib/`)',
  api: 'The API layer (`src/api/`)',
  cli: 'The `portico` command (`src/cli/`)',
};

/** The text of docs/errors.md. */
export function errorsDoc(): string {
  const parts = [
    '# Error codes',
    '',
    'Every error Portico raises or reports carries a stable code. Branch on `error.code`, search logs for',
    'it; a published code keeps its meaning. Each layer declares its own codes, with their meaning and, when',
    'the error answers a request, its HTTP status, in its `errors.ts` (`defineErrors`); this page is',
    'generated from them by `npm run docs:errors`.',
  ];
  for (const [layer, specs] of errorLayers()) {
    parts.push('', `## ${TITLES[layer] ?? layer}`, '', '| code | status | meaning |', '|---|---|---|');
    for (const [code, spec] of Object.entries(specs) as [string, ErrorSpec][]) {
      parts.push(`| \`${code}\` | ${spec.status ?? ''} | ${spec.message} |`);
    }
  }
  return `${parts.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsDoc());
}
