/**
 * The settings: `portico check`, `routes` and `runserver` find the project through this
 * file (`./settings.ts`, or `--settings PATH`); `app.ts` builds the application from it.
 */
import { fileURLToPath } from 'node:url';
import { CsrfViewMiddleware } from '../../src/contrib/csrf/index.ts';
import { MessageMiddleware, messagesContextProcessor } from '../../src/contrib/messages/index.ts';
import { CommonMiddleware, type Settings } from '../../src/web/index.ts';
import { serverTiming } from './middleware.ts';
import { joneApp } from '../jone/models.ts';
import { notesApp } from './models.ts';
import * as urls from './urls.ts';

export default {
  rootUrlconf: urls,
  // The apps whose models and migrations the project uses (Django's INSTALLED_APPS).
  installedApps: [notesApp, joneApp],
  // One SQLite file next to this one, unless DEMO_DATABASE_FILE names another (a throwaway one).
  databases: {
    default: {
      engine: 'sqlite',
      name: process.env.DEMO_DATABASE_FILE ?? fileURLToPath(new URL('./db.sqlite3', import.meta.url)),
    },
  },
  // Off unless asked for (`runserver` turns it on by itself): debug pages show internals.
  debug: process.env.DEBUG === '1',
  // 'testserver' is the test client's host.
  allowedHosts: ['localhost', '127.0.0.1', '[::1]', 'testserver'],
  // Signs the messages cookie. A demo key: a real project reads its key from the environment only.
  secretKey: process.env.SECRET_KEY ?? 'demo-insecure-do-not-use-in-production',
  // Outermost first: the timing covers everything, including CommonMiddleware's host check;
  // CsrfViewMiddleware refuses a form posted from another site before any view runs.
  middleware: [serverTiming, CommonMiddleware, CsrfViewMiddleware, MessageMiddleware],
  // One-time messages ride in a signed cookie (the default storage also uses sessions).
  messages: { storage: 'cookie' },
  templates: {
    dirs: [fileURLToPath(new URL('./templates/', import.meta.url))],
    globals: { siteName: 'Portico demo' },
    // Every page rendered with a request can list the messages waiting for it.
    contextProcessors: [messagesContextProcessor],
    // {{ note.created | when }}: dates the same way on every page.
    filters: { when: (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` },
  },
} satisfies Settings;
