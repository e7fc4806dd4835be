import assert from 'node:assert/strict';
import { test } from 'node:test';
import { META, metaIndex, slotViews } from '../../../src/appserver/harakiri/layout.ts';
import { HarakiriTable } from '../../../src/appserver/harakiri/table.ts';

test('harakiri table: slots publish and free, and a full table tracks nothing more', () => {
  const table = new HarakiriTable(2);
  const a = table.acquire(10, 'GET', '/a');
  const b = table.acquire(11, 'POST', '/b');
  assert.deepEqual([a >= 0, b >= 0, a !== b], [true, true, true]);
  assert.equal(table.acquire(12, 'GET', '/c'), -1);
  const { meta } = slotViews(table.layout);
  assert.equal((meta[metaIndex(a, META.sequence)] as number) % 2, 1, 'in use: odd sequence');
  table.markHeadersSent(a);
  assert.equal(meta[metaIndex(a, META.headersSent)], 1);
  table.release(a);
  assert.equal((meta[metaIndex(a, META.sequence)] as number) % 2, 0, 'free: even sequence');
  assert.equal(table.acquire(13, 'GET', '/d'), a);
});

test('harakiri layout: what the writer puts in a slot is what a reader of the same layout sees', () => {
  const table = new HarakiriTable(3);
  table.acquire(7, 'GET', '/first');
  const slot = table.acquire(9, 'PATCH', '/ünïcode?q=1');
  // A second set of views over the same buffer, as the watchdog thread builds them.
  const { meta, starts, labels } = slotViews({ ...table.layout });
  assert.equal(meta[metaIndex(slot, META.fd)], 9);
  assert.equal(meta[metaIndex(slot, META.headersSent)], 0);
  const start = slot * table.layout.labelBytes;
  const label = new TextDecoder().decode(
    labels.subarray(start, start + (meta[metaIndex(slot, META.labelLength)] as number)),
  );
  assert.equal(label, 'PATCH /ünïcode?q=1');
  assert.ok(Math.abs((starts[slot] as number) - Date.now()) < 5000);
});

test('harakiri layout: a label longer than its bytes is cut, never spills into the next slot', () => {
  const table = new HarakiriTable(2);
  const a = table.acquire(1, 'GET', `/${'x'.repeat(1000)}`);
  const b = table.acquire(2, 'GET', '/b');
  const { meta, labels } = slotViews(table.layout);
  const bytes = table.layout.labelBytes;
  assert.equal(meta[metaIndex(a, META.labelLength)], bytes);
  const bStart = b * bytes;
  assert.equal(new TextDecoder().decode(labels.subarray(bStart, bStart + 6)), 'GET /b');
});
