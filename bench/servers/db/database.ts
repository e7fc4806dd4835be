/**
 * The `db` workload's data: one SQLite file every competitor reads, built once (and again
 * only when its shape changes) in the temporary directory. 1,000 rows of `bench_item`, the
 * table Django names `bench.Item` and Portico's `bench` app names its `Item`; the schema
 * is written here in SQL so no competitor's migrations decide what the others read.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Rows in the table. */
export const ROWS = 1000;

/** The row every server is asked for (`GET /items/42/`). */
export const ITEM_ID = 42;

/** How many rows the list request asks for (`GET /items/?limit=20`). */
export const LIST_LIMIT = 20;

/** One row as every server answers it, in this key order. */
export interface ItemJson {
  id: number;
  name: string;
  quantity: number;
  active: boolean;
}

/** Row `id` as the servers must answer it: the data is a function of the id. */
export function expectedItem(id: number): ItemJson {
  return { id, name: `item ${id}`, quantity: (id * 7) % 100, active: id % 3 !== 0 };
}

// Bump when the schema or the data changes: a stale file is then never read.
const VERSION = 1;

/** The path of the benchmark database, created if missing. */
export function benchDatabase(): string {
  const file = path.join(tmpdir(), `portico-bench-db-v${VERSION}.sqlite3`);
  if (existsSync(file)) return file;
  // Built aside and renamed: a server started meanwhile never sees half a file.
  const building = `${file}.${process.pid}.tmp`;
  rmSync(building, { force: true });
  const db = new DatabaseSync(building);
  db.exec(`CREATE TABLE "bench_item" (
    "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" varchar(100) NOT NULL,
    "quantity" integer NOT NULL,
    "active" bool NOT NULL
  )`);
  const insert = db.prepare('INSERT INTO bench_item (id, name, quantity, active) VALUES (?, ?, ?, ?)');
  db.exec('BEGIN');
  for (let id = 1; id <= ROWS; id++) {
    const item = expectedItem(id);
    insert.run(id, item.name, item.quantity, item.active ? 1 : 0);
  }
  db.exec('COMMIT');
  // WAL, as Portico opens it: readers of every server never block one another.
  db.exec('PRAGMA journal_mode = WAL');
  db.close();
  renameSync(building, file);
  return file;
}
