/**
 * The send-timeout sweep on its own (`src/server/send-timeout.ts`), with stand-in sockets:
 * a stall is measured from the last byte the kernel took, not from the first full buffer.
 * The real-socket tests are in `hardening.test.ts` and `uwsgi/engine.test.ts`.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { SendTimeout } from '../../src/server/send-timeout.ts';
import { memoryErrors } from '../helpers/apps.ts';

class FakeSocket extends EventEmitter {
  writableLength = 0;
  _bytesDispatched = 0;
  _handle = { writeQueueSize: 0 };
  destroyed = false;
  remoteAddress = '127.0.0.1';
  remotePort = 4000;
  resetAndDestroy() {
    this.destroyed = true;
    this.emit('close');
  }
  destroy() {
    this.resetAndDestroy();
  }
}

test('a slow reader that keeps taking bytes is never cut; one that stops is, once, after the timeout', () => {
  const errors = memoryErrors();
  const guard = new SendTimeout(2, errors);
  const slow = new FakeSocket();
  const stuck = new FakeSocket();
  guard.track(slow as unknown as Socket);
  guard.track(stuck as unknown as Socket);
  for (const socket of [slow, stuck]) {
    socket.writableLength = 1 << 20;
    socket._bytesDispatched = 1 << 20;
    socket._handle.writeQueueSize = 1 << 20;
  }
  for (let t = 0; t <= 10_000; t += 500) {
    slow._handle.writeQueueSize -= 1000; // the kernel takes a little each time
    guard.sweep(t);
  }
  guard.stop();
  assert.equal(slow.destroyed, false);
  assert.equal(stuck.destroyed, true);
  assert.equal(errors.text().match(/PORTICO_ERR_SEND_TIMEOUT/g)?.length, 1);
  assert.match(errors.text(), /127\.0\.0\.1:4000 read nothing for 2 s/);
});

test('an idle connection (nothing to send) is never cut, and 0 turns the bound off', () => {
  const guard = new SendTimeout(1, memoryErrors());
  const idle = new FakeSocket();
  guard.track(idle as unknown as Socket);
  for (let t = 0; t <= 5000; t += 500) guard.sweep(t);
  guard.stop();
  assert.equal(idle.destroyed, false);

  const off = new SendTimeout(0, memoryErrors());
  const stuck = new FakeSocket();
  stuck.writableLength = 100;
  off.track(stuck as unknown as Socket);
  off.sweep(0);
  off.sweep(1e9);
  assert.equal(stuck.destroyed, false);
});
