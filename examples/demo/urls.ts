/**
 * The URLconf. The notes live under `notes/` in their own namespace, so their names are
 * `notes:list`, `notes:detail`...: `reverse('notes:detail', { kwargs: { id: 1 } })`.
 * The auth app's pages are at Django's default URLs, `accounts/login/` and so on.
 */
import { authUrls } from '../../src/contrib/auth/index.ts';
import { createReverse, include, path, RedirectView } from '../../src/web/index.ts';
import { getSchemaView, swaggerUiUrls } from '../../src/api/index.ts'; // beyond the tutorial: OpenAPI
import { urlpatterns as joneUrls } from '../jone/urls.ts'; // beyond the tutorial: the seed’s project API (examples/jone)
import { exportNotes, home, NoteListView, noteDetail, notFound, stylesheet } from './views.ts';

const notePatterns = [
  path('', NoteListView.asView(), { name: 'list' }),
  path('<int:id>/', noteDetail, { name: 'detail' }),
  path('export.txt', exportNotes, { name: 'export' }),
];

export const urlpatterns = [
  path('', home, { name: 'home' }),
  path('notes/', include(notePatterns, { namespace: 'notes' })),
  // login/, logout/ and signup/, named 'login', 'logout' and 'signup'.
  path('accounts/', include(authUrls)),
  // A short link: RedirectView reverses a namespaced name with the URL's own parameters.
  path('n/<int:id>/', RedirectView.asView({ patternName: 'notes:detail' }), { name: 'short' }),
  path('static/demo.css', stylesheet, { name: 'stylesheet' }),
  path('api/jd/', include(joneUrls)), // beyond the tutorial: the seed’s project API (examples/jone)
  path('api/schema/', getSchemaView({ title: 'Portico demo API', version: '1.0.0' })), // beyond the tutorial: the API's OpenAPI document
  path('api/docs/', include(swaggerUiUrls({ schemaUrl: '/api/schema/' }))), // beyond the tutorial: its page
];

// The root URLconf module may name its error views, as in Django.
export const handler404 = notFound;

/** `reverse()` checked by the compiler against these patterns: a typo is a type error. */
export const reverse = createReverse(urlpatterns);
