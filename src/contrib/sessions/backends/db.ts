/**
 * The database engine (Django's `backends.db`): a row per session in the `sessions` app's
 * table, expired rows ignored on read and removed by `portico clearsessions`.
 *
 * @module
 */
import { IntegrityError } from '../../../db/index.ts';
import { SessionModel } from '../models.ts';
import {
  isValidSessionKey,
  jsonSerializer,
  newSessionKey,
  type SessionData,
  type SessionSerializer,
  type SessionStore,
} from '../store.ts';

/** Sessions in the database. */
export class DbSessionStore implements SessionStore {
  readonly serializer: SessionSerializer;

  constructor(options: { serializer?: SessionSerializer | null } = {}) {
    this.serializer = options.serializer ?? jsonSerializer;
  }

  async load(sessionKey: string): Promise<SessionData | null> {
    return (await this.loadRecord(sessionKey))?.data ?? null;
  }

  /** The data and the expiry date of a live session, or null. */
  async loadRecord(sessionKey: string): Promise<{ data: SessionData; expireDate: Date } | null> {
    if (!isValidSessionKey(sessionKey)) return null;
    // Two columns, not a model instance: this runs on every request that reads a session, and
    // building the instance cost a third of the query's time.
    const row = await SessionModel.objects
      .filter({ sessionKey, expireDate__gt: new Date() })
      .values('sessionData', 'expireDate')
      .first();
    if (row === null || row === undefined) return null;
    try {
      return { data: this.serializer.loads(row.sessionData), expireDate: row.expireDate };
    } catch {
      return null; // data that no longer decodes: a fresh session rather than an error page
    }
  }

  async save(sessionKey: string | null, data: SessionData, expireDate: Date): Promise<string> {
    const sessionData = this.serializer.dumps(data);
    if (sessionKey !== null) {
      await SessionModel.objects.updateOrCreate({ sessionKey }, { sessionData, expireDate });
      return sessionKey;
    }
    // A new key: insert, and on the (astronomically unlikely) collision draw another.
    for (let attempt = 0; ; attempt++) {
      const key = newSessionKey();
      try {
        await SessionModel.objects.create({ sessionKey: key, sessionData, expireDate });
        return key;
      } catch (error) {
        if (!(error instanceof IntegrityError) || attempt >= 3) throw error;
      }
    }
  }

  async delete(sessionKey: string): Promise<void> {
    if (isValidSessionKey(sessionKey)) await SessionModel.objects.filter({ sessionKey }).delete();
  }

  async clearExpired(): Promise<number> {
    const [count] = await SessionModel.objects.filter({ expireDate__lt: new Date() }).delete();
    return count;
  }
}
