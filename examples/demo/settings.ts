/**
 * The settings: `portico check`, `routes` and `runserver` find the project through this
 * file (`./settings.ts`, or `--settings PATH`); `app.ts` builds the application from it.
 */
import { fileURLToPath } from 'node:url';
import {
  AuthenticationMiddleware,
  authApp,
  authContextProcessor,
  authTemplatesDir,
} from '../../src/contrib/auth/index.ts';
// Declares the `caches` settings section (and its backends: Redis for the sessions, below).
import '../../src/contrib/cache/index.ts';
import { CsrfViewMiddleware } from '../../src/contrib/csrf/index.ts';
import { MessageMiddleware, messagesContextProcessor } from '../../src/contrib/messages/index.ts';
import { SessionMiddleware, sessionsApp } from '../../src/contrib/sessions/index.ts';
import { CommonMiddleware, type Settings } from '../../src/web/index.ts';
import { serverTiming } from './middleware.ts';
import { joneApp } from '../jone/models.ts'; // beyond the tutorial: the seed’s project API (examples/jone)
import { notesApp } from './models.ts';
import * as urls from './urls.ts';

const env = process.env;

export default {
  rootUrlconf: urls,
  // The apps whose models and migrations the project uses (Django's INSTALLED_APPS):
  // sessions and auth are Portico's, their tables made by the same `migrate`.
  installedApps: [
    sessionsApp,
    authApp,
    notesApp,
    joneApp, // beyond the tutorial: the seed’s project API (examples/jone)
  ],
  // One SQLite file next to this one, unless DEMO_DATABASE_FILE names another (a throwaway
  // one). DEMO_DATABASE_URL (postgresql://...) puts everything in PostgreSQL instead, which
  // several hosts can share (docs/deploy.md).
  databases: {
    default:
      env.DEMO_DATABASE_URL === undefined
        ? {
            engine: 'sqlite',
            name: env.DEMO_DATABASE_FILE ?? fileURLToPath(new URL('./db.sqlite3', import.meta.url)),
          }
        : { engine: 'postgres', url: env.DEMO_DATABASE_URL },
  },
  // Sessions in the database (the sessions app's table). DEMO_SESSION_ENGINE=cache keeps
  // them in the cache instead: Redis at DEMO_REDIS_URL (without it, each process's memory).
  sessions: { engine: env.DEMO_SESSION_ENGINE === 'cache' ? 'cache' : 'db' },
  caches: {
    default:
      env.DEMO_REDIS_URL === undefined
        ? { backend: 'locmem' }
        : { backend: 'redis', location: env.DEMO_REDIS_URL, keyPrefix: 'demo' },
  },
  auth: {
    // URL names: where the login and sign-up pages go on success, and logging out.
    loginRedirectUrl: 'notes:list',
    logoutRedirectUrl: 'home',
    // Five wrong passwords for one account (or from one address) and it waits five minutes.
    loginThrottleAttempts: 5,
  },
  // Off unless asked for (`runserver` turns it on by itself): debug pages show internals.
  debug: process.env.DEBUG === '1',
  // 'testserver' is the test client's host.
  allowedHosts: ['localhost', '127.0.0.1', '[::1]', 'testserver'],
  // Signs the messages cookie and the sessions' login hashes. A demo key: a real project
  // reads its key from the environment only (and every host behind one site shares it).
  secretKey: process.env.SECRET_KEY ?? 'demo-insecure-do-not-use-in-production',
  // Outermost first, in Django's order: the timing covers everything; the session before
  // what uses it; CsrfViewMiddleware refuses a form posted from another site before any
  // view runs; AuthenticationMiddleware sets request.user from the session.
  middleware: [
    serverTiming,
    SessionMiddleware,
    CommonMiddleware,
    CsrfViewMiddleware,
    AuthenticationMiddleware,
    MessageMiddleware,
  ],
  templates: {
    // The project's templates first: its registration/*.html replace the auth app's.
    dirs: [fileURLToPath(new URL('./templates/', import.meta.url)), authTemplatesDir],
    globals: { siteName: 'Portico demo' },
    // Every page rendered with a request knows its `user` and the messages waiting for it.
    contextProcessors: [authContextProcessor, messagesContextProcessor],
    // {{ note.created | when }}: dates the same way on every page.
    filters: { when: (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` },
  },
} satisfies Settings;
