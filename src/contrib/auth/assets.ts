/**
 * Where the auth app's non-TypeScript files are (templates, the common-passwords list):
 * beside this module in `src/`, and, when running from the compiled `dist/`, still in
 * `src/` (the package ships both; the compiler copies only TypeScript).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The path of `relative` (a file or folder of `src/contrib/auth/`). */
export function assetPath(relative: string): string {
  const here = fileURLToPath(new URL(relative, import.meta.url));
  if (existsSync(here)) return here;
  const fromDist = here.replace(/([\\/])dist([\\/]contrib[\\/]auth[\\/])/, '$1src$2');
  return existsSync(fromDist) ? fromDist : here;
}

/**
 * The folder of the app's default templates (`registration/login.html`, …). Add it to
 * `templates.dirs` after the project's own folders, so a project's templates win.
 */
export const authTemplatesDir: string = assetPath('./templates/');
