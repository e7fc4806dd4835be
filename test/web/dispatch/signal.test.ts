import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Signal } from '../../../src/web/dispatch/signal.ts';

test('send calls receivers in connection order with the sender, the signal and the arguments', () => {
  const signal = new Signal<string, { n: number }>();
  const seen: unknown[] = [];
  const first = (e: { sender: string; n: number; signal: unknown }) => {
    seen.push(['first', e.sender, e.n, e.signal === signal]);
    return 1;
  };
  signal.connect(first);
  signal.connect((e) => {
    seen.push(['second', e.sender, e.n]);
    return 2;
  });
  const results = signal.send('me', { n: 7 });
  assert.deepEqual(seen, [
    ['first', 'me', 7, true],
    ['second', 'me', 7],
  ]);
  assert.deepEqual(
    results.map(([, r]) => r),
    [1, 2],
  );
  assert.equal(results[0]?.[0], first);
});

test('a sender filter restricts a receiver to sends from that sender', () => {
  const signal = new Signal<object>();
  const a = {};
  const b = {};
  const calls: string[] = [];
  signal.connect(() => calls.push('any'));
  signal.connect(() => calls.push('only a'), { sender: a });
  signal.send(a, {});
  signal.send(b, {});
  assert.deepEqual(calls, ['any', 'only a', 'any']);
  assert.ok(signal.hasListeners(a));
  assert.ok(signal.hasListeners());
});

test('connecting twice (same receiver, or same dispatchUid) is a no-op', () => {
  const signal = new Signal();
  let count = 0;
  const receiver = () => count++;
  signal.connect(receiver);
  signal.connect(receiver);
  signal.connect(() => count++, { dispatchUid: 'uid' });
  signal.connect(() => count++, { dispatchUid: 'uid' });
  signal.send(null, {});
  assert.equal(count, 2);
});

test('disconnect by receiver or dispatchUid; reports whether something was removed', () => {
  const signal = new Signal();
  const calls: string[] = [];
  const receiver = () => calls.push('r');
  signal.connect(receiver);
  signal.connect(() => calls.push('u'), { dispatchUid: 'uid' });
  assert.equal(signal.disconnect(receiver), true);
  assert.equal(signal.disconnect(receiver), false);
  assert.equal(signal.disconnect(undefined, { dispatchUid: 'uid' }), true);
  signal.send(null, {});
  assert.deepEqual(calls, []);
  assert.equal(signal.hasListeners(), false);
});

test('send propagates a receiver error; sendRobust collects it and runs the others', async () => {
  const signal = new Signal();
  const boom = new Error('boom');
  const calls: string[] = [];
  signal.connect(() => {
    throw boom;
  });
  signal.connect(async () => {
    throw new Error('async boom');
  });
  signal.connect(() => calls.push('after'));
  assert.throws(() => signal.send(null, {}), /boom/);
  assert.deepEqual(calls, []);
  const results = signal.sendRobust(null, {});
  assert.deepEqual(calls, ['after']);
  assert.equal(results[0]?.[1], boom);
  assert.match(String(await results[1]?.[1]), /async boom/);
});

test('asend awaits async receivers', async () => {
  const signal = new Signal();
  signal.connect(async () => 'later');
  signal.connect(() => 'now');
  const results = await signal.asend(null, {});
  assert.deepEqual(
    results.map(([, r]) => r),
    ['later', 'now'],
  );
});

test('a receiver connected during a send is not called by that send', () => {
  const signal = new Signal();
  const calls: string[] = [];
  signal.connect(() => {
    calls.push('first');
    signal.connect(() => calls.push('late'));
  });
  signal.send(null, {});
  assert.deepEqual(calls, ['first']);
});
