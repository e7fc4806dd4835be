/** The seed's `sentry.api.jdapi.urls`, which the project mounts at `api/jd/`. */
import { path } from '../../src/web/index.ts';
import { JoneProject } from './views.ts';

export const urlpatterns = [path('jone/project/', JoneProject.asView(), { name: 'create-new-project' })];
