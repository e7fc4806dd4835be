/**
 * Validation of the note form: what Django's `forms.Form` would do for two fields, by hand,
 * until Portico has forms. Returns the cleaned values or, per field, what is wrong.
 */
import type { QueryDict } from '../../src/web/index.ts';

export const TITLE_MAX = 80;
export const BODY_MAX = 2000;

export interface NoteInput {
  title: string;
  body: string;
}

export type NoteErrors = Partial<Record<keyof NoteInput, string>>;

export type NoteFormResult =
  | { readonly valid: true; readonly data: NoteInput }
  | { readonly valid: false; readonly data: NoteInput; readonly errors: NoteErrors };

export function validateNote(post: QueryDict): NoteFormResult {
  const data = { title: (post.get('title') ?? '').trim(), body: (post.get('body') ?? '').trim() };
  const errors: NoteErrors = {};
  if (data.title === '') errors.title = 'A title is required.';
  else if (data.title.length > TITLE_MAX) errors.title = `At most ${TITLE_MAX} characters.`;
  if (data.body.length > BODY_MAX) errors.body = `At most ${BODY_MAX} characters.`;
  return Object.keys(errors).length === 0 ? { valid: true, data } : { valid: false, data, errors };
}
