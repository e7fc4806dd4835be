import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { envName, FIFO_COMMANDS, OPTIONS } from '../../src/appserver/index.ts';

test('docs/appserver.md lists every option with its environment variable, and every FIFO command', () => {
  const doc = readFileSync(new URL('../../docs/appserver.md', import.meta.url), 'utf8');
  for (const option of OPTIONS) {
    assert.ok(doc.includes(`\`--${option.name}`), `--${option.name} documented`);
    assert.ok(doc.includes(`\`${envName(option.name)}\``), `${envName(option.name)} documented`);
  }
  for (const letter of Object.keys(FIFO_COMMANDS)) assert.ok(doc.includes(`\`${letter}\``), `FIFO ${letter}`);
});
