/**
 * Points the demo at a database of its own for this test process (imported before the
 * demo's settings, which read DEMO_DATABASE_FILE when they load), removed on exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'portico-demo-db-'));
export const DEMO_DATABASE = join(dir, 'db.sqlite3');
process.env.DEMO_DATABASE_FILE = DEMO_DATABASE;
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
