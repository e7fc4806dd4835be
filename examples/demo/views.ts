/**
 * The views. Pages return `TemplateResponse` (rendered late) rather than `render()`, so
 * middleware hooks such as `FlashMiddleware.processTemplateResponse` can add to the context.
 */
import { fileURLToPath } from 'node:url';
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
import { flash } from './middleware.ts';
import { notes } from './store.ts';

const STYLESHEET = fileURLToPath(new URL('./static/demo.css', import.meta.url));

/** `/`: a function view. */
export function home(request: HttpRequest): TemplateResponse {
  return new TemplateResponse(request, 'home.html', {
    noteCount: notes.size,
    latest: notes.all().slice(0, 3),
  });
}

/** `/notes/`: a class-based view, one method per HTTP method (anything else is a 405). */
export class NoteListView extends View {
  templateName = 'notes/list.html';

  get(request: HttpRequest): TemplateResponse {
    return this.page(request, { title: '', body: '' }, {});
  }

  post(request: HttpRequest): HttpResponseRedirect | TemplateResponse {
    const form = validateNote(request.POST);
    // Invalid: the same page with the values typed and what is wrong, as a 400 so that
    // scripts and tests can tell; browsers show it like any page.
    if (!form.valid) return this.page(request, form.data, form.errors, 400);
    const note = notes.add(form.data.title, form.data.body);
    // Redirect after POST: reloading the next page does not post the form again.
    const response = new HttpResponseRedirect(request.reverse('notes:detail', { kwargs: { id: note.id } }));
    flash(response, `Note ${note.id} saved.`);
    return response;
  }

  page(request: HttpRequest, form: NoteInput, errors: NoteErrors, status = 200): TemplateResponse {
    return new TemplateResponse(request, this.templateName, { notes: notes.all(), form, errors }, { status });
  }
}

/** `/notes/<int:id>/`: `id` arrives as a number, converted by the route's `int`. */
export function noteDetail(request: HttpRequest, { id }: { id: number }): TemplateResponse {
  const note = notes.get(id);
  if (note === undefined) throw new Http404(`No note ${id}`);
  return new TemplateResponse(request, 'notes/detail.html', { note });
}

/** `/notes/export.txt`: every note as a text file the browser saves (an attachment). */
export function exportNotes(): FileResponse {
  const text = notes
    .all()
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
