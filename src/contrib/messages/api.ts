/**
 * Adding and reading messages (Django's `django.contrib.messages.api`).
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import type { HttpRequest } from '../../web/http/request.ts';
import type { MaybePromise } from '../../web/utils/promise.ts';
import { DEBUG, ERROR, INFO, SUCCESS, WARNING } from './constants.ts';
import type { Message } from './message.ts';
import type { BaseStorage } from './storage/base.ts';

declare module '../../web/http/state.ts' {
  interface RequestState {
    /** The request's message storage, set by `MessageMiddleware` (Django's `request._messages`). */
    _messages?: BaseStorage;
  }
}

/** Adding a message without `MessageMiddleware` (Django's `MessageFailure`). */
export class MessageFailure extends PorticoError {
  constructor(message: string) {
    super('PORTICO_ERR_CONTRIB_CONFIG', message);
    this.name = 'MessageFailure';
  }
}

/** Options of {@link add}. */
export interface AddOptions {
  /** Extra CSS classes, space-separated, before the level's tag. */
  readonly extraTags?: string;
  /** Do nothing (rather than throw) without `MessageMiddleware`: for reusable apps. */
  readonly failSilently?: boolean;
}

/**
 * Queues a message for the user, shown by the next page that lists them (usually the
 * target of a redirect). Messages below the level in effect are dropped.
 *
 * @throws MessageFailure without `MessageMiddleware`, unless `failSilently`.
 */
export function add(request: HttpRequest, level: number, message: string, options: AddOptions = {}): void {
  const storage = request._messages;
  if (storage === undefined) {
    if (options.failSilently) return;
    throw new MessageFailure(
      'You cannot add messages without installing MessageMiddleware (portico/contrib/messages) in settings.middleware.',
    );
  }
  storage.add(level, message, options.extraTags ?? '');
}

/** `add` under Django's name. */
export const addMessage = add;

/** A DEBUG message (dropped at the default level, INFO). */
export function debug(request: HttpRequest, message: string, options?: AddOptions): void {
  add(request, DEBUG, message, options);
}
/** An INFO message. */
export function info(request: HttpRequest, message: string, options?: AddOptions): void {
  add(request, INFO, message, options);
}
/** A SUCCESS message. */
export function success(request: HttpRequest, message: string, options?: AddOptions): void {
  add(request, SUCCESS, message, options);
}
/** A WARNING message. */
export function warning(request: HttpRequest, message: string, options?: AddOptions): void {
  add(request, WARNING, message, options);
}
/** An ERROR message. */
export function error(request: HttpRequest, message: string, options?: AddOptions): void {
  add(request, ERROR, message, options);
}

/**
 * The request's messages: iterating them marks them read (they are not shown again);
 * not iterated, they wait for a later page. Empty without `MessageMiddleware`.
 */
export function getMessages(request: HttpRequest): Iterable<Message> & { readonly length: number } {
  return request._messages ?? [];
}

/**
 * Reads the stored messages (from the session, if that is the storage) so that
 * `getMessages()` can be iterated synchronously; `MessageMiddleware` already does.
 */
export function loadMessages(request: HttpRequest): MaybePromise<void> {
  return request._messages?.load();
}

/** The minimum level recorded for this request. */
export function getLevel(request: HttpRequest): number {
  return request._messages?.level ?? INFO;
}

/**
 * Sets the minimum level for this request (null: back to `messages.level`); false
 * without `MessageMiddleware`.
 */
export function setLevel(request: HttpRequest, level: number | null): boolean {
  if (request._messages === undefined) return false;
  request._messages.level = level;
  return true;
}
