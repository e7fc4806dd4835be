/**
 * The permissions held in the database (`ModelBackend`'s part of Django's permission
 * checks: a user's own and their groups'), and the four default permissions (add, change,
 * delete, view) created for every model of every migrated app, on the database layer's
 * `postMigrate` signal (Django's `create_permissions`).
 *
 * @module
 */
import { type App, type ModelClass, postMigrate, ProgrammingError } from '../../db/index.ts';
import { Permission } from './models.ts';

/** Something with `isActive`, `isSuperuser` and perhaps `groups`/`userPermissions` managers. */
type PermUser = object;

interface Cache {
  user?: Set<string>;
  group?: Set<string>;
  all?: Set<string>;
}
const caches = new WeakMap<object, Cache>();

function cacheOf(user: object): Cache {
  let cache = caches.get(user);
  if (cache === undefined) caches.set(user, (cache = {}));
  return cache;
}

/** Forgets a user's cached permissions (after changing their groups or permissions). */
export function clearPermissionCache(user: object): void {
  caches.delete(user);
}

function flag(user: PermUser, name: string): boolean {
  return (user as Record<string, unknown>)[name] === true;
}

function asStrings(rows: unknown[][]): Set<string> {
  return new Set(rows.map(([app, codename]) => `${String(app)}.${String(codename)}`));
}

type PermQuery = { valuesList(a: string, b: string): PromiseLike<unknown[][]> };

async function userPermissions(user: PermUser): Promise<Set<string>> {
  const cache = cacheOf(user);
  if (cache.user === undefined) {
    if (flag(user, 'isSuperuser'))
      cache.user = asStrings(await Permission.objects.valuesList('appLabel', 'codename'));
    else {
      const manager = (user as { userPermissions?: PermQuery }).userPermissions;
      cache.user =
        manager === undefined ? new Set() : asStrings(await manager.valuesList('appLabel', 'codename'));
    }
  }
  return cache.user;
}

async function groupPermissions(user: PermUser): Promise<Set<string>> {
  const cache = cacheOf(user);
  if (cache.group === undefined) {
    if (flag(user, 'isSuperuser'))
      cache.group = asStrings(await Permission.objects.valuesList('appLabel', 'codename'));
    else {
      const groups = (
        user as { groups?: { valuesList(f: string, o: { flat: true }): PromiseLike<unknown[]> } }
      ).groups;
      const ids = groups === undefined ? [] : await groups.valuesList('id', { flat: true });
      cache.group =
        ids.length === 0
          ? new Set()
          : asStrings(
              // No distinct(): the Set removes duplicates (and on PostgreSQL DISTINCT clashes
              // with the model's ordering columns left out of valuesList).
              await Permission.objects
                .filter({ groupSet__id__in: ids } as never)
                .valuesList('appLabel', 'codename'),
            );
    }
  }
  return cache.group;
}

function usable(user: PermUser): boolean {
  return flag(user, 'isActive') && !flag(user, 'isAnonymous') && (user as { pk?: unknown }).pk != null;
}

/** The permissions the user has directly (`'app.codename'`); none for an inactive or anonymous user. */
export async function getUserPermissions(user: PermUser): Promise<Set<string>> {
  return usable(user) ? new Set(await userPermissions(user)) : new Set();
}

/** The permissions the user has through groups. */
export async function getGroupPermissions(user: PermUser): Promise<Set<string>> {
  return usable(user) ? new Set(await groupPermissions(user)) : new Set();
}

/** Every permission of the user: a superuser has all, an inactive user none. */
export async function getAllPermissions(user: PermUser): Promise<Set<string>> {
  if (!usable(user)) return new Set();
  const cache = cacheOf(user);
  cache.all ??= new Set([...(await userPermissions(user)), ...(await groupPermissions(user))]);
  return new Set(cache.all);
}

/**
 * The model backend's answer: true when the user's own or group permissions include `perm`
 * (`'app.codename'`). An active superuser has every permission; an inactive user none;
 * object permissions (`obj`) are left to other backends.
 */
export async function modelHasPerm(user: PermUser, perm: string, obj?: unknown): Promise<boolean> {
  if (flag(user, 'isActive') && flag(user, 'isSuperuser')) return true;
  if (obj !== undefined && obj !== null) return false;
  return (await getAllPermissions(user)).has(perm);
}

/** The default actions of every model (Django's `default_permissions`). */
export const DEFAULT_PERMISSIONS = Object.freeze(['add', 'change', 'delete', 'view']);

/** A model's verbose name as Django makes it from the class name (`OrderLine` → `order line`). */
function verboseName(model: ModelClass): string {
  const given = model.meta.options.verboseName;
  if (given !== undefined) return given;
  return model.meta.modelName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * Creates the missing default permissions of an app's models (automatic many-to-many
 * through models excluded, as in Django). Idempotent.
 */
export async function createPermissions(app: App, using = 'default'): Promise<number> {
  const auto = new Set(app.models.flatMap((m) => m.meta.manyToMany.map((f) => f.through)));
  const wanted = app.models
    .filter((m) => !auto.has(m.meta.label) && m.meta.managed !== false)
    .flatMap((model) =>
      DEFAULT_PERMISSIONS.map((action) => ({
        name: `Can ${action} ${verboseName(model)}`,
        appLabel: app.label,
        model: model.meta.modelName.toLowerCase(),
        codename: `${action}_${model.meta.modelName.toLowerCase()}`,
      })),
    );
  if (wanted.length === 0) return 0;
  const existing = new Set(
    (
      await Permission.objects.using(using).filter({ appLabel: app.label }).valuesList('model', 'codename')
    ).map(([model, codename]) => `${String(model)}.${String(codename)}`),
  );
  const missing = wanted.filter((p) => !existing.has(`${p.model}.${p.codename}`));
  if (missing.length > 0) await Permission.objects.using(using).bulkCreate(missing);
  return missing.length;
}

// After `migrate`, every migrated app gets its permissions, when auth itself is migrated.
postMigrate.connect(async ({ sender, apps, using }) => {
  if (!apps.some((a) => a.label === 'auth')) return;
  // auth itself migrated to zero (or faked): no table to fill.
  try {
    await Permission.objects.using(using).exists();
  } catch (error) {
    if (error instanceof ProgrammingError) return;
    throw error;
  }
  await createPermissions(sender, using);
});
