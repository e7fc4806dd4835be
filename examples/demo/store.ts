/**
 * The notes, kept in memory: the demo has no database yet (a later issue brings one), and a
 * store with the shape of one keeps the views honest about what they would do with it.
 * Each worker process has its own copy, so serve the demo with one worker (the default).
 */

export interface Note {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  readonly created: Date;
}

export class NoteStore {
  readonly #notes = new Map<number, Note>();
  #nextId = 1;

  add(title: string, body: string): Note {
    const note = { id: this.#nextId++, title, body, created: new Date() };
    this.#notes.set(note.id, note);
    return note;
  }

  get(id: number): Note | undefined {
    return this.#notes.get(id);
  }

  /** Newest first. */
  all(): Note[] {
    return [...this.#notes.values()].reverse();
  }

  get size(): number {
    return this.#notes.size;
  }
}

export const notes = new NoteStore();
notes.add('Welcome to Portico', 'This note lives in memory: restart the server and it is back to these two.');
// Templates escape what they print: this title shows its tags instead of making text bold.
notes.add('Autoescaping <b>works</b>', 'Anything a visitor types is printed as text, never as HTML.');
