/**
 * Mount points: several applications under one server, each seeing its prefix as
 * `SCRIPT_NAME` and the rest of the path as `PATH_INFO` (uWSGI's `--mount`).
 */
import { PorticoError } from '../tsgi/errors.ts';
import type { Application } from '../tsgi/types.ts';

/** One application at one prefix (`""` for the root). */
export interface Mount {
  readonly prefix: string;
  readonly app: Application;
}

/** The result of routing a decoded path to a mount. */
export interface MountMatch {
  readonly app: Application;
  readonly scriptName: string;
  readonly pathInfo: string;
}

/** Normalises a prefix: leading `/`, no trailing `/`, and `""` for the root. */
export function normalizePrefix(prefix: string): string {
  let p = prefix.trim();
  while (p.endsWith('/')) p = p.slice(0, -1);
  if (p !== '' && !p.startsWith('/')) p = `/${p}`;
  return p;
}

/** Finds the app for a path: the longest prefix that ends on a segment boundary wins. */
export class MountTable {
  readonly #mounts: Mount[];
  /** The app when it is the only one and sits at the root: then no matching is needed. */
  readonly rootOnly: Application | undefined;

  constructor(mounts: readonly Mount[]) {
    const normalized = mounts.map((m) => ({ prefix: normalizePrefix(m.prefix), app: m.app }));
    const seen = new Set<string>();
    for (const m of normalized) {
      if (seen.has(m.prefix))
        throw new PorticoError('PORTICO_ERR_CLI_USAGE', `two apps mounted at '${m.prefix || '/'}'`);
      seen.add(m.prefix);
    }
    this.#mounts = normalized.sort((a, b) => b.prefix.length - a.prefix.length);
    // The usual case, one app at the root, skips matching entirely.
    this.rootOnly = normalized.length === 1 && normalized[0]?.prefix === '' ? normalized[0].app : undefined;
  }

  /** The app for `path`, or undefined when no mount covers it. */
  match(path: string): MountMatch | undefined {
    for (const mount of this.#mounts) {
      const prefix = mount.prefix;
      if (prefix === '') return { app: mount.app, scriptName: '', pathInfo: path };
      if (
        path.startsWith(prefix) &&
        (path.length === prefix.length || path.charCodeAt(prefix.length) === 47)
      ) {
        return { app: mount.app, scriptName: prefix, pathInfo: path.slice(prefix.length) };
      }
    }
    return undefined;
  }
}
