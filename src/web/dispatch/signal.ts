/**
 * Signals: decoupled notifications, the observer pattern of Django's dispatcher.
 *
 * A receiver is connected once (at startup) and called with one event object holding
 * the signal, the sender and the signal's named arguments. Receivers are held strongly:
 * disconnect them explicitly (Django's weak references have no cheap equivalent for
 * JavaScript closures, which would be collected at once).
 *
 * @module
 */

/** What a receiver is called with: the signal's arguments plus `signal` and `sender`. */
export type SignalEvent<S, A extends object> = A & { readonly signal: Signal<S, A>; readonly sender: S };

/** A signal receiver. Its return value is collected by `send()`; a promise is not awaited there. */
export type Receiver<S, A extends object> = (event: SignalEvent<S, A>) => unknown;

/** Options of {@link Signal.connect} and {@link Signal.disconnect}. */
export interface ConnectOptions<S> {
  /** Only receive sends from this sender (compared with `===`). */
  sender?: S;
  /**
   * Identifies the connection instead of the receiver itself, so connecting again with the
   * same id (say, from a module evaluated twice) is a no-op.
   */
  dispatchUid?: string;
}

/** Sentinel for "any sender". */
const ANY: unique symbol = Symbol('any sender');

interface Connection<S, A extends object> {
  readonly key: unknown;
  readonly sender: S | typeof ANY;
  readonly receiver: Receiver<S, A>;
}

/**
 * A signal that senders `send()` and receivers `connect()` to.
 *
 * @typeParam S - the type of the sender.
 * @typeParam A - the named arguments every send carries.
 *
 * @example
 * ```ts
 * const orderPlaced = new Signal<string, { orderId: number }>();
 * orderPlaced.connect(({ orderId }) => console.log('placed', orderId), { dispatchUid: 'log-orders' });
 * orderPlaced.send('shop', { orderId: 7 });
 * ```
 */
export class Signal<S = unknown, A extends object = Record<never, never>> {
  #connections: Connection<S, A>[] = [];

  /**
   * Connects `receiver`. A second connection with the same receiver (or the same
   * `dispatchUid`) and the same sender filter is ignored.
   */
  connect(receiver: Receiver<S, A>, options: ConnectOptions<S> = {}): void {
    if (typeof receiver !== 'function') throw new TypeError('a signal receiver must be a function');
    const sender = 'sender' in options ? (options.sender as S) : ANY;
    const key = options.dispatchUid ?? receiver;
    if (this.#connections.some((c) => c.key === key && c.sender === sender)) return;
    // Copy on write: a send in progress keeps iterating the array it started with.
    this.#connections = [...this.#connections, { key, sender, receiver }];
  }

  /**
   * Disconnects the receiver (or the connection with `dispatchUid`) for the given sender
   * filter. Returns whether something was disconnected.
   */
  disconnect(receiver?: Receiver<S, A>, options: ConnectOptions<S> = {}): boolean {
    const sender = 'sender' in options ? (options.sender as S) : ANY;
    const key = options.dispatchUid ?? receiver;
    const kept = this.#connections.filter((c) => !(c.key === key && c.sender === sender));
    const removed = kept.length !== this.#connections.length;
    this.#connections = kept;
    return removed;
  }

  /** True when some receiver would get a send from `sender` (from anyone, if omitted). */
  hasListeners(sender?: S): boolean {
    const connections = this.#connections;
    if (arguments.length === 0) return connections.length > 0;
    return connections.some((c) => c.sender === ANY || c.sender === sender);
  }

  /**
   * Calls every matching receiver in connection order and returns `[receiver, result]`
   * pairs. An error from a receiver propagates and stops the remaining receivers.
   */
  send(sender: S, args: A): Array<[Receiver<S, A>, unknown]> {
    const connections = this.#connections;
    if (connections.length === 0) return [];
    const event = this.#event(sender, args);
    const results: Array<[Receiver<S, A>, unknown]> = [];
    for (const c of connections) {
      if (c.sender === ANY || c.sender === sender) results.push([c.receiver, c.receiver(event)]);
    }
    return results;
  }

  /**
   * Like {@link Signal.send}, but an error thrown by a receiver (or a promise it returns that
   * rejects, once awaited by the caller) is caught and returned in place of its result, so
   * every receiver runs.
   */
  sendRobust(sender: S, args: A): Array<[Receiver<S, A>, unknown]> {
    const connections = this.#connections;
    if (connections.length === 0) return [];
    const event = this.#event(sender, args);
    const results: Array<[Receiver<S, A>, unknown]> = [];
    for (const c of connections) {
      if (c.sender !== ANY && c.sender !== sender) continue;
      try {
        const result = c.receiver(event);
        results.push([
          c.receiver,
          result instanceof Promise ? result.catch((error: unknown) => error) : result,
        ]);
      } catch (error) {
        results.push([c.receiver, error]);
      }
    }
    return results;
  }

  /** Like {@link Signal.send}, awaiting every receiver's result (receivers run concurrently). */
  async asend(sender: S, args: A): Promise<Array<[Receiver<S, A>, unknown]>> {
    const sent = this.send(sender, args);
    const values = await Promise.all(sent.map(([, result]) => result));
    return sent.map(([receiver], i) => [receiver, values[i]]);
  }

  #event(sender: S, args: A): SignalEvent<S, A> {
    return { ...args, signal: this, sender } as SignalEvent<S, A>;
  }
}
