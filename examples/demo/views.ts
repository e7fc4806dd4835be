/**
 * The views. Pages return `TemplateResponse` (rendered late) rather than `render()`, so
 * middleware hooks (`processTemplateResponse`) can still change them before they render.
 */
import { fileURLToPath } from 'node:url';
import { loginRequired } from '../../src/contrib/auth/index.ts';
import * as messages from '../../src/contrib/messages/index.ts';
import {
  FileResponse,
  Http404,
  type HttpRequest,
  type HttpResponse,
  HttpResponseRedirect,
  render,
  TemplateResponse,
  View,
} from '../../src/web/index.ts';
import { type NoteErrors, type NoteInput, validateNote } from './forms.ts';
import { Note } from './models.ts';

/** The notes, each with its author (one query: a join). */
const notesWithAuthors = () => Note.objects.selectRelated('author');

const STYLESHEET = fileURLToPath(new URL('./static/demo.css', import.meta.url));

/** `/`: a function view. */
export async function home(request: HttpRequest): Promise<TemplateResponse> {
  return new TemplateResponse(request, 'home.html', {
    noteCount: await Note.objects.count(),
    latest: await notesWithAuthors().limit(3),
  });
}

/** `/notes/`: a class-based view, one method per HTTP method (anything else is a 405). */
export class NoteListView extends View {
  templateName = 'notes/list.html';

  get(request: HttpRequest): Promise<TemplateResponse> {
    return this.page(request, { title: '', body: '' }, {});
  }

  // Anyone may read the notes; only a logged-in user may post one (Django would write
  // `@method_decorator(login_required)`): the others go to the login page and back here.
  post = loginRequired(async (request: HttpRequest): Promise<HttpResponseRedirect | TemplateResponse> => {
    const form = validateNote(request.POST);
    // Invalid: the same page with the values typed and what is wrong, as a 400 so that
    // scripts and tests can tell; browsers show it like any page.
    if (!form.valid) return this.page(request, form.data, form.errors, 400);
    const note = await Note.objects.create({ ...form.data, authorId: Number(request.user!.pk) });
    // Redirect after POST: reloading the next page does not post the form again.
    // Shown once, by the next page the browser renders (base.html lists the messages).
    messages.success(request, `Note ${note.id} saved.`);
    return new HttpResponseRedirect(request.reverse('notes:detail', { kwargs: { id: note.id } }));
  });

  async page(
    request: HttpRequest,
    form: NoteInput,
    errors: NoteErrors,
    status = 200,
  ): Promise<TemplateResponse> {
    return new TemplateResponse(
      request,
      this.templateName,
      { notes: await notesWithAuthors(), form, errors },
      { status },
    );
  }
}

/** `/notes/<int:id>/`: `id` arrives as a number, converted by the route's `int`. */
export async function noteDetail(request: HttpRequest, { id }: { id: number }): Promise<TemplateResponse> {
  const note = await notesWithAuthors().filter({ id }).first();
  if (note === null) throw new Http404(`No note ${id}`);
  return new TemplateResponse(request, 'notes/detail.html', { note });
}

/** `/notes/export.txt`: every note as a text file the browser saves (an attachment). */
export async function exportNotes(): Promise<FileResponse> {
  const text = (await Note.objects.all())
    .map((note) => `# ${note.title}\n${note.created.toISOString()}\n\n${note.body}\n`)
    .join('\n');
  return new FileResponse(new TextEncoder().encode(text), { asAttachment: true, filename: 'notes.txt' });
}

/** `/static/demo.css`: one static file, so the demo needs no `--static-map` to look right. */
export function stylesheet(): FileResponse {
  return new FileResponse(STYLESHEET, { headers: { 'Cache-Control': 'max-age=3600' } });
}

/** The 404 page when `debug` is off (with it on, the technical 404 lists the patterns). */
export function notFound(request: HttpRequest): HttpResponse {
  // render(), not TemplateResponse: an error view's response is sent as it is.
  return render(request, '404.html', { path: request.path }, { status: 404 });
}
