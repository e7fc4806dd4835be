/**
 * The permission checks views use (Django's `PermissionsMixin.has_perm` and friends): an
 * active superuser has every permission; otherwise each configured backend is asked, and
 * one that says yes is enough.
 *
 * @module
 */
import { getBackends } from './backends.ts';

function flag(user: object, name: string): boolean {
  return (user as Record<string, unknown>)[name] === true;
}

/**
 * True when the user has `perm` (`'app.codename'`), for `obj` when given (object permissions
 * come from backends of your own; the model backend grants none).
 */
export async function hasPerm(user: object, perm: string, obj?: unknown): Promise<boolean> {
  if (flag(user, 'isActive') && flag(user, 'isSuperuser')) return true;
  for (const backend of getBackends())
    if (backend.hasPerm !== undefined && (await backend.hasPerm(user, perm, obj))) return true;
  return false;
}

/** True when the user has every one of `perms`. */
export async function hasPerms(user: object, perms: Iterable<string>, obj?: unknown): Promise<boolean> {
  for (const perm of perms) if (!(await hasPerm(user, perm, obj))) return false;
  return true;
}

/** Every permission the backends grant the user: a superuser has all, an inactive user none. */
export async function getAllPermissions(user: object, obj?: unknown): Promise<Set<string>> {
  const out = new Set<string>();
  for (const backend of getBackends())
    if (backend.getAllPermissions !== undefined)
      for (const perm of await backend.getAllPermissions(user, obj)) out.add(perm);
  return out;
}

/** True when the user has any permission in app `appLabel`. */
export async function hasModulePerms(user: object, appLabel: string): Promise<boolean> {
  if (flag(user, 'isActive') && flag(user, 'isSuperuser')) return true;
  for (const perm of await getAllPermissions(user)) if (perm.startsWith(`${appLabel}.`)) return true;
  return false;
}
