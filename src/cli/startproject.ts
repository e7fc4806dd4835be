/**
 * `portico startproject NAME`: a new project directory that serves, checks and tests
 * clean at once (Django's `startproject`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PorticoError } from '../tsgi/errors.ts';
import { parseOptions } from './options.ts';
import { projectFiles } from './project-template.ts';

/** `portico startproject --help`. */
export const startprojectHelp = `Usage: portico startproject NAME [--directory DIR]

Creates the directory NAME (or DIR) with a project: settings.ts, urls.ts, views.ts,
app.ts, templates/, tests/ and a package.json depending on portico.

Options:
  --directory DIR   where to create it (default ./NAME); must not exist or be empty
  -h, --help        show this help
`;

const NAME = /^[a-z][a-z0-9_-]*$/;

function usage(message: string): PorticoError {
  return new PorticoError(
    'PORTICO_ERR_CLI_USAGE',
    `startproject: ${message} (try portico startproject --help)`,
  );
}

/** Runs `portico startproject`; resolves to the exit code. */
export async function runStartproject(args: string[]): Promise<number> {
  const options = parseOptions('startproject', args, { values: ['directory'], flags: [], positionals: 1 });
  if (options.flags.has('help')) {
    process.stdout.write(startprojectHelp);
    return 0;
  }
  const name = options.positionals[0];
  if (name === undefined) throw usage('a project NAME is required');
  if (!NAME.test(name)) {
    throw usage(
      `'${name}' is not a valid project name (lowercase letters, digits, '-' and '_', starting with a letter)`,
    );
  }
  const target = resolve(options.values.directory ?? name);
  if (existsSync(target) && readdirNonEmpty(target)) {
    throw new PorticoError(
      'PORTICO_ERR_CLI_USAGE',
      `startproject: '${target}' already exists and is not empty`,
    );
  }
  // The same relative path from src/cli and from dist/cli.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const files = projectFiles({
    name,
    porticoVersion: pkg.version,
    secretKey: `dev-insecure-${randomBytes(24).toString('base64url')}`,
  });
  for (const [file, text] of Object.entries(files)) {
    const full = join(target, file);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text, { flag: 'wx' });
  }
  process.stdout.write(
    `portico: created ${name} in ${target}\n  cd ${options.values.directory ?? name} && npm install && npx portico runserver\n`,
  );
  return 0;
}

/** True when `dir` has entries, or is not a directory at all. */
function readdirNonEmpty(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return true;
  }
}
