#!/usr/bin/env node
// The `portico` command. This file is plain JavaScript that any Node parses, so that it can
// say which Node is needed before anything that needs it loads.
//
// One Portico per process: the command and the project it loads must use the same copy of
// the framework, or their classes fail each other's `instanceof`.
// - Installed from a tarball or the registry (under node_modules, where Node will not strip
//   types), it runs the compiled dist/, which is what `import 'portico/web'` gives too.
// - In a checkout (run there, or linked into a project by `file:`), it runs src/, and adds
//   the `portico-source` export condition so the project's `import 'portico/web'` gives
//   src/ as well, here and in every child process (workers, runserver's server).
// - Run from elsewhere inside a project that has its own Portico, it hands over to that one.
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// The floor is engines.node in package.json, stated nowhere else.
const floor = /(\d+)\.(\d+)\.(\d+)/.exec(pkg.engines.node).slice(1).map(Number);
const found = process.versions.node.split('.').map(Number);
const older = found[0] - floor[0] || found[1] - floor[1] || found[2] - floor[2];
const needed = floor.join('.');
if (older < 0 || !process.features.typescript) {
  const why =
    older < 0
      ? `Node ${needed} or later is needed (this is Node ${process.versions.node})`
      : `this Node (${process.versions.node}) does not strip TypeScript types; Node ${needed} or later does by default`;
  process.stderr.write(`portico: error: ${why} [PORTICO_ERR_NODE_VERSION]\n`);
  process.exit(1);
}

// Node warns "Failed to load the ES module: … set "type": "module"" before the error itself
// arrives; the error's own hint says so, under the error, so that one warning is dropped.
// So is the experimental notice some Node 22 releases print for type stripping, which the
// floor above makes a given.
const printers = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.message.startsWith('Failed to load the ES module')) return;
  if (warning.name === 'ExperimentalWarning' && /type stripping/i.test(warning.message)) return;
  for (const print of printers) print(warning);
});

/** The root of the Portico that the current directory's project would import, if any. */
function projectPortico() {
  try {
    const main = createRequire(join(process.cwd(), 'package.json')).resolve('portico/web');
    let dir = dirname(main);
    for (let i = 0; i < 8 && dir !== dirname(dir); i++, dir = dirname(dir)) {
      try {
        if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'portico') return dir;
      } catch {
        // not the package root yet
      }
    }
  } catch {
    // no project here, or it does not depend on portico
  }
  return undefined;
}

const handedOver = Symbol.for('portico.bin.handedOver');
const local = globalThis[handedOver] ? undefined : projectPortico();
// Only to a copy installed in the project's node_modules: a checkout's own folder finds
// itself by name, and is no project's dependency.
if (
  local !== undefined &&
  /[/\\]node_modules[/\\]/.test(local) &&
  realpathSync(local) !== realpathSync(root)
) {
  // Once only: the other copy's command does not look further.
  globalThis[handedOver] = true;
  await import(pathToFileURL(join(local, 'bin/portico.js')).href);
} else {
  const self = realpathSync(fileURLToPath(import.meta.url));
  const installed = /[/\\]node_modules[/\\]/.test(self);
  if (!installed && !import.meta.resolve('portico/web').endsWith('.ts')) {
    const { registerHooks } = await import('node:module');
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier !== 'portico' && !specifier.startsWith('portico/')) return next(specifier, context);
        return next(specifier, { ...context, conditions: [...context.conditions, 'portico-source'] });
      },
    });
    // Child processes (cluster workers, runserver's server) start with these flags.
    process.execArgv.push('--conditions=portico-source');
  }
  const { main } = await import(installed ? '../dist/cli/main.js' : '../src/cli/main.ts');
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
}
