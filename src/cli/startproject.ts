/**
 * `portico startproject NAME`: a new project directory that serves, checks and tests
 * clean at once (Django's `startproject`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PorticoError } from '../tsgi/errors.ts';
import { parseOptions } from './options.ts';
import { projectFiles } from './project-template.ts';

/** `portico startproject --help`. */
export const startprojectHelp = `Usage: portico startproject NAME [--directory DIR] [--portico SPEC]

Creates the directory NAME (or DIR) with a project: settings.ts, urls.ts, views.ts,
app.ts, templates/, tests/, tsconfig.json and a package.json depending on portico.
Then: cd NAME && npm install && npm run dev.

Options:
  --directory DIR   where to create it (default ./NAME); must not exist or be empty
  --portico SPEC    the portico dependency, as npm takes it: a version range, a tarball
                    or a checkout (default: the Portico running this command — its
                    checkout or tarball when it came from one, else ^VERSION)
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
  const options = parseOptions('startproject', args, {
    values: ['directory', 'portico'],
    flags: [],
    positionals: 1,
  });
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
  const pkg = ownPackage();
  const dependency =
    options.values.portico === undefined
      ? porticoDependency(pkg.version)
      : { spec: absoluteSpec(options.values.portico), source: 'the --portico option given to startproject' };
  const files = projectFiles({
    name,
    porticoSpec: dependency.spec,
    porticoSource: dependency.source,
    nodeEngine: pkg.engines.node,
    typescript: pkg.devDependencies.typescript,
    typesNode: pkg.devDependencies['@types/node'],
    secretKey: `dev-insecure-${randomBytes(24).toString('base64url')}`,
  });
  for (const [file, text] of Object.entries(files)) {
    const full = join(target, file);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text, { flag: 'wx' });
  }
  process.stdout.write(
    `portico: created ${name} in ${target} (portico ${dependency.spec})\n` +
      `  cd ${options.values.directory ?? name} && npm install && npm run dev\n`,
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

/** The parts of Portico's own package.json that a project copies. */
interface OwnPackage {
  readonly version: string;
  readonly engines: { readonly node: string };
  readonly devDependencies: { readonly typescript: string; readonly '@types/node': string };
}

/** Portico's package root: the same relative path from src/cli and from dist/cli. */
const OWN_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function ownPackage(): OwnPackage {
  return JSON.parse(readFileSync(join(OWN_ROOT, 'package.json'), 'utf8')) as OwnPackage;
}

/** A relative `file:` spec made absolute (the project lives elsewhere); anything else as given. */
function absoluteSpec(spec: string, base = process.cwd()): string {
  if (spec.startsWith('file:')) return `file:${resolve(base, spec.slice(5))}`;
  if (/^(\.{0,2}\/|~\/)/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec)) return `file:${resolve(base, spec)}`;
  return spec;
}

/**
 * Where the new project gets Portico by default: the Portico running this command. A
 * checkout gives `file:` its path; an install from a tarball or checkout gives what its
 * project's package.json said, made absolute; an install from the registry gives `^VERSION`.
 */
export function porticoDependency(version: string, root = OWN_ROOT): { spec: string; source: string } {
  const real = realpathSync(root);
  const marker = `${sep}node_modules${sep}`;
  const at = real.lastIndexOf(marker);
  if (at === -1) return { spec: `file:${real}`, source: `the Portico checkout at ${real}` };
  // The project that installed it: the folder holding that node_modules.
  const owner = real.slice(0, at);
  try {
    const manifest = JSON.parse(readFileSync(join(owner, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const spec = manifest.dependencies?.portico ?? manifest.devDependencies?.portico;
    if (spec?.startsWith('file:')) {
      const local = absoluteSpec(spec, owner);
      return { spec: local, source: `${local.slice(5)}, as ${join(owner, 'package.json')} has it` };
    }
  } catch {
    // not a project folder (a global or npx install): the registry version
  }
  return { spec: `^${version}`, source: 'the npm registry' };
}
