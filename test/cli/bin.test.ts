/**
 * `bin/portico.js` before anything loads: the Node floor (engines.node, stated once),
 * checked with a one-line message naming the version found and the one needed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bin, cleanEnv, root } from '../appserver/helpers.ts';

const floor = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } })
  .engines.node;

test('engines.node is one plain floor, and the docs do not state another', () => {
  assert.match(floor, /^>=\d+\.\d+\.\d+$/);
  const version = floor.slice(2);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes(`Node ${version}`), 'README states the floor');
  for (const other of readme.matchAll(/Node (?:≥ ?|>= ?)?(\d+(?:\.\d+)*)/g))
    assert.ok(['24', version].includes(other[1] as string), `README mentions Node ${other[1]}`);
});

test('a Node without type stripping: one line, the version found and the one needed', () => {
  const result = spawnSync(process.execPath, ['--no-experimental-strip-types', bin, 'check'], {
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 1);
  assert.equal(
    result.stderr,
    `portico: error: this Node (${process.versions.node}) does not strip TypeScript types; ` +
      `Node ${floor.slice(2)} or later does by default [PORTICO_ERR_NODE_VERSION]\n`,
  );
});

// An older Node is on many machines as the system one; the message is checked when it is.
const old = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const version = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).stdout.trim();
  return (
    /^v\d+/.test(version) && Number(version.slice(1).split('.')[0]) < Number(floor.slice(2).split('.')[0])
  );
});

test(
  'an older Node: one line before anything loads',
  { skip: old === undefined && 'no older Node here' },
  () => {
    const result = spawnSync(old as string, [bin, 'runserver'], {
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 20_000,
    });
    const version = spawnSync(old as string, ['-p', 'process.versions.node'], {
      encoding: 'utf8',
    }).stdout.trim();
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `portico: error: Node ${floor.slice(2)} or later is needed (this is Node ${version}) [PORTICO_ERR_NODE_VERSION]\n`,
    );
  },
);
