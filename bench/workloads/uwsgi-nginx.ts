/**
 * `uwsgi-nginx`: the deployment the app server is for. nginx in front, `uwsgi_pass` over a
 * unix socket, one app-server worker; `GET /` → `200 {"hello":"world"}`. Portico (a TSGI
 * app under `portico serve --uwsgi`) against uWSGI serving a minimal Django view, and
 * uWSGI serving a bare WSGI callable, which separates the app server's cost from Django's.
 * Portico runs with its defaults, as docs/deploy.md shows (the worker accepts) and, as
 * `portico-rr`, with `--accept master`, to show what the master's handoff costs there.
 * The whole stack (nginx, master, worker) runs on the server's CPU.
 */
import type { Workload } from './types.ts';

const script = 'bench/servers/behind-nginx.ts';

export const uwsgiNginx: Workload = {
  name: 'uwsgi-nginx',
  description:
    'nginx uwsgi_pass (unix socket) -> 1 worker: GET / -> 200 {"hello":"world"}; ' +
    'Portico vs uWSGI + a minimal Django view (and uWSGI + bare WSGI)',
  baseline: 'uwsgi-django',
  servers: [
    { name: 'uwsgi-django', script, args: ['uwsgi-django'] },
    { name: 'uwsgi-wsgi', script, args: ['uwsgi-wsgi'] },
    { name: 'portico', script, args: ['portico'] },
    { name: 'portico-rr', script, args: ['portico-rr'] },
  ],
  // Below saturation too: a p99 there comes from stalls, not from the queue wrk builds.
  loadLevels: [0.5, 0.9],
  requests: [
    {
      method: 'GET',
      path: '/',
      expect: { status: 200, contentType: 'application/json', body: '{"hello":"world"}' },
    },
  ],
};
