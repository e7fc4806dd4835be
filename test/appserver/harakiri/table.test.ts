import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HarakiriTable } from '../../../src/appserver/harakiri/table.ts';

test('harakiri table: slots publish and free, and a full table tracks nothing more', () => {
  const table = new HarakiriTable(2);
  const a = table.acquire(10, 'GET', '/a');
  const b = table.acquire(11, 'POST', '/b');
  assert.deepEqual([a >= 0, b >= 0, a !== b], [true, true, true]);
  assert.equal(table.acquire(12, 'GET', '/c'), -1);
  const meta = new Int32Array(table.layout.buffer, 0, 8);
  assert.equal((meta[a * 4] as number) % 2, 1, 'in use: odd sequence');
  table.markHeadersSent(a);
  assert.equal(meta[a * 4 + 2], 1);
  table.release(a);
  assert.equal((meta[a * 4] as number) % 2, 0, 'free: even sequence');
  assert.equal(table.acquire(13, 'GET', '/d'), a);
});
