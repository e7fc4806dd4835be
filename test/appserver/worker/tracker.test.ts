import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import type { AccessRecord } from '../../../src/appserver/logging/access-log.ts';
import { HarakiriTable } from '../../../src/appserver/harakiri/table.ts';
import { META, metaIndex, slotViews } from '../../../src/appserver/harakiri/layout.ts';
import { RequestTracker } from '../../../src/appserver/worker/tracker.ts';
import type { CloseWatcher, Exchange, RequestHead } from '../../../src/server/index.ts';

/** An exchange that records what reaches it; `socket` set makes it a uwsgi-like one. */
function fakeExchange(target: string, socket?: Socket) {
  const calls: string[] = [];
  let abortCallback: (() => void) | undefined;
  const head: RequestHead = {
    method: 'GET',
    target,
    protocol: 'HTTP/1.1',
    rawHeaders: ['Host', 'x', 'Accept', 'a', 'accept', 'b'],
    remoteAddress: '10.0.0.1',
    remotePort: 1,
    localAddress: '127.0.0.1',
    localPort: 2,
    secure: false,
  };
  const exchange: Exchange = {
    head,
    socket,
    body: (async function* () {})(),
    rawTrailers: [],
    expectsContinue: false,
    isHead: false,
    aborted: false,
    sendContinue: () => calls.push('continue'),
    writeHead: (status) => calls.push(`head ${status}`),
    write: (chunk) => (calls.push(`write ${String(chunk)}`), true),
    drained: () => Promise.resolve(),
    end: (chunk) => calls.push(`end ${String(chunk)}`),
    abort: () => calls.push('abort'),
    onAbort: (callback) => (abortCallback = callback),
  };
  return { exchange, calls, gone: () => abortCallback?.() };
}

test('tracker: counts, the in-flight list oldest first, harakiri slots, max-requests', () => {
  const harakiri = new HarakiriTable(4);
  const counts: number[] = [];
  const tracker = new RequestTracker({ workerId: 1, harakiri, afterRequest: (n) => counts.push(n) });
  const pending: Exchange[] = [];
  const handler = tracker.follow((exchange) => {
    if (exchange.head.target === '/sync') {
      exchange.writeHead(200, 'OK', ['Content-Type', 'text/plain']);
      exchange.end('hello');
    } else pending.push(exchange);
  });
  const a = fakeExchange('/slow-a');
  const b = fakeExchange('/slow-b');
  handler(a.exchange);
  handler(b.exchange);
  assert.equal(tracker.inFlight, 2);
  assert.equal(tracker.current()?.uri, '/slow-a', 'the oldest in flight');
  const { meta } = slotViews(harakiri.layout);
  const inUse = () =>
    [0, 1, 2, 3].filter((slot) => (meta[metaIndex(slot, META.sequence)] as number) % 2 === 1);
  assert.equal(inUse().length, 2);

  const sync = fakeExchange('/sync');
  handler(sync.exchange);
  assert.deepEqual(sync.calls, ['head 200', 'end hello']);
  assert.deepEqual(counts, [1]);
  assert.equal(tracker.tx, 17 + 2 + 'Content-Type'.length + 'text/plain'.length + 4 + 5);

  // The oldest ends: the next becomes the current request; a client leaving ends the other.
  (pending[0] as Exchange).end();
  assert.equal(tracker.current()?.uri, '/slow-b');
  b.gone();
  assert.equal(tracker.inFlight, 0);
  assert.equal(tracker.current(), null);
  assert.deepEqual(inUse(), [], 'every harakiri slot released');
  assert.deepEqual(counts, [1, 2, 3]);
  // Ending twice counts once.
  (pending[1] as Exchange).end();
  assert.equal(tracker.requests, 3);
});

test('tracker: a uwsgi exchange counts when its connection closes; the access log gets the record', () => {
  const records: AccessRecord[] = [];
  const tracker = new RequestTracker({ workerId: 3, accessLog: (record) => records.push(record) });
  const socket = Object.assign(new EventEmitter(), { bytesWritten: 0 }) as unknown as Socket & {
    bytesWritten: number;
  };
  const handler = tracker.follow((exchange) => {
    exchange.writeHead(404, 'Not Found', []);
    (socket as { bytesWritten: number }).bytesWritten = 42;
    exchange.end();
  });
  handler(fakeExchange('/u?q=1', socket).exchange);
  assert.equal(tracker.inFlight, 0, 'the response ended');
  assert.equal(tracker.requests, 0, 'not counted before the close');
  socket.emit('close');
  assert.equal(tracker.requests, 1);
  assert.equal(records.length, 1);
  const [record] = records as [AccessRecord];
  assert.deepEqual(
    [record.method, record.uri, record.status, record.addr, record.rsize, record.wid],
    ['GET', '/u?q=1', 404, '10.0.0.1', 42, 3],
  );
  assert.deepEqual(record.headers, { host: 'x', accept: 'a, b' });
  assert.equal(tracker.tx, 42, 'exact bytes with the access log on');
});

test('tracker: an exchange that offers watchClose is counted through it, with no listener of its own', () => {
  const counts: number[] = [];
  const tracker = new RequestTracker({ workerId: 2, afterRequest: (n) => counts.push(n) });
  const socket = Object.assign(new EventEmitter(), { bytesWritten: 0 }) as unknown as Socket;
  const { exchange } = fakeExchange('/w', socket);
  let watcher: CloseWatcher | undefined;
  const watched: Exchange = { ...exchange, watchClose: (w) => (watcher = w) };
  const handler = tracker.follow((tracked) => {
    tracked.writeHead(200, 'OK', []);
    tracked.end('x');
  });
  handler(watched);
  assert.equal(socket.listenerCount('close'), 0, 'the engine tells; no listener is added');
  assert.equal(tracker.requests, 0, 'not counted before the close');
  assert.ok(watcher !== undefined);
  watcher.socketClosed();
  watcher.socketClosed();
  assert.deepEqual(counts, [1], 'counted once');
  assert.equal(tracker.tx, 17 + 2 + 1);
});
