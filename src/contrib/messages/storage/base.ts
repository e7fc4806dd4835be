/**
 * `BaseStorage`: what every message storage shares (Django's
 * `django.contrib.messages.storage.base.BaseStorage`): messages added during this
 * request are queued; those from earlier requests are loaded once; iterating marks them
 * used, so the response drops them; not iterated, they are kept for the next page.
 *
 * @module
 */
import type { HttpRequest } from '../../../web/http/request.ts';
import type { HttpResponseBase } from '../../../web/http/response-base.ts';
import type { MaybePromise } from '../../../web/utils/promise.ts';
import { Message } from '../message.ts';
import { levelTags, messagesSettingsOf } from '../settings.ts';

/** What `_get` answers: the messages found (null when the store held none) and whether that was all of them. */
export type Retrieved = readonly [messages: Message[] | null, allRetrieved: boolean];

/** A message storage attached to one request (`request._messages`). */
export abstract class BaseStorage implements Iterable<Message> {
  readonly request: HttpRequest;
  /** Iterated during this request: the loaded messages are done with. */
  used = false;
  /** A message was added during this request. */
  addedNew = false;
  protected queued: Message[] = [];
  #loaded: Message[] | undefined;
  #level: number | undefined;
  readonly #tags: Readonly<Record<number, string>>;

  constructor(request: HttpRequest) {
    this.request = request;
    this.#tags = levelTags(messagesSettingsOf(request.settings));
  }

  /** The messages stored by earlier requests (null: none stored), and whether they are all. */
  protected abstract get(): MaybePromise<Retrieved>;

  /**
   * Stores `messages` on the response (or the session); returns those that did not fit.
   *
   * @param removeOldest - when they do not all fit, drop the oldest (else the newest).
   */
  abstract store(
    messages: Message[],
    response: HttpResponseBase,
    removeOldest?: boolean,
  ): MaybePromise<Message[]>;

  /**
   * Reads the stored messages now (the middleware calls it before the view, so
   * templates can iterate synchronously even when the store is the session).
   */
  load(): MaybePromise<void> {
    if (this.#loaded !== undefined) return;
    const got = this.get();
    if (got instanceof Promise)
      return got.then(([messages]) => {
        this.#loaded ??= this.#prepared(messages ?? []);
      });
    this.#loaded = this.#prepared(got[0] ?? []);
  }

  #prepared(messages: Message[]): Message[] {
    for (const m of messages) m.levelTag = this.#tags[m.level] ?? '';
    return messages;
  }

  /** The messages of earlier requests. */
  protected get loaded(): Message[] {
    if (this.#loaded === undefined) {
      const pending = this.load();
      if (pending instanceof Promise) {
        pending.catch(() => {});
        throw new Error(
          'The stored messages are not loaded yet: MessageMiddleware loads them, or await loadMessages(request) first.',
        );
      }
    }
    return this.#loaded as Message[];
  }

  /** How many messages there are, stored and queued (reading it does not mark them used). */
  get length(): number {
    return this.loaded.length + this.queued.length;
  }

  /** Every message, oldest first; marks them used (they will not be shown again). */
  [Symbol.iterator](): Iterator<Message> {
    this.used = true;
    const loaded = this.loaded;
    if (this.queued.length > 0) {
      loaded.push(...this.queued);
      this.queued = [];
    }
    return loaded[Symbol.iterator]();
  }

  /** True when a message equal to `message` is there. */
  includes(message: Message): boolean {
    return [...this.loaded, ...this.queued].some((m) => m.equals(message));
  }

  /** Queues a message, unless it is empty or below the level. */
  add(level: number, message: string, extraTags = ''): void {
    if (!message) return;
    if (!Number.isInteger(level))
      throw new TypeError(`a message level must be an integer, got ${String(level)}`);
    if (level < this.level) return;
    this.addedNew = true;
    const m = new Message(level, message, extraTags);
    m.levelTag = this.#tags[level] ?? '';
    this.queued.push(m);
  }

  /** The minimum level recorded (`messages.level` unless set for this request). */
  get level(): number {
    return this.#level ?? messagesSettingsOf(this.request.settings).level;
  }

  set level(value: number | null) {
    this.#level = value === null ? undefined : value;
  }

  /**
   * Called by the middleware with the response: stores what remains — only the new
   * messages when the old ones were shown, all of them when none were — and returns
   * those that did not fit.
   */
  update(response: HttpResponseBase): MaybePromise<Message[]> {
    if (this.used) return this.store(this.queued, response);
    if (this.addedNew) return this.store([...this.loaded, ...this.queued], response);
    return [];
  }
}
