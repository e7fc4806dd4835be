/**
 * `Message`: one message, and its JSON form (Django's `MessageEncoder`/`MessageDecoder`:
 * `["__json_message", 0, level, text, extraTags?]`, so a cookie or session written by a
 * Django site sharing the key reads here too).
 *
 * @module
 */

const MARKER = '__json_message';

/** A message queued for the user. `String(message)` is its text. */
export class Message {
  readonly level: number;
  readonly message: string;
  readonly extraTags: string;
  /** The level's tag (from the defaults and `messages.tags`); set when the message is stored or read. */
  levelTag = '';

  constructor(level: number, message: string, extraTags = '') {
    this.level = level;
    this.message = message;
    this.extraTags = extraTags;
  }

  /** The extra tags then the level's tag, space-separated: a CSS class attribute. */
  get tags(): string {
    return [this.extraTags, this.levelTag].filter(Boolean).join(' ');
  }

  toString(): string {
    return this.message;
  }

  /** Same level and text (Django's `__eq__`). */
  equals(other: Message): boolean {
    return this.level === other.level && this.message === other.message;
  }
}

/** The JSON-ready form of a message. */
export function encodeMessage(m: Message): unknown[] {
  const out: unknown[] = [MARKER, 0, m.level, m.message];
  if (m.extraTags) out.push(m.extraTags);
  return out;
}

/** A message from its JSON form; anything else (a sentinel string) is returned as it is. */
export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value[0] === MARKER && typeof value[2] === 'number' && typeof value[3] === 'string') {
      return new Message(value[2], value[3], typeof value[4] === 'string' ? value[4] : '');
    }
    return value.map(decodeValue);
  }
  return value;
}
