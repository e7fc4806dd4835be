/**
 * The RPC secret the seed's `RpcPermission` compares with: `JONE_RPC_SECRET` from the
 * environment. Only with `debug` on does a missing variable fall back to a development
 * value — and the project says so when it starts; with debug off and no variable, every
 * call is refused (403) and the start-up says that instead.
 */
import { registerViewWrapper, type ResolvedSettings } from '../../src/web/index.ts';
import { joneApp } from './models.ts';

/** The secret used when `JONE_RPC_SECRET` is unset and `debug` is on. Never in production. */
export const DEVELOPMENT_RPC_SECRET = 'jone-development-secret';

const resolved = new WeakMap<object, string | null>();

/**
 * The secret for these settings (read once per settings object, then remembered), or
 * `null` when there is none: `JONE_RPC_SECRET`, else the development value under debug.
 */
export function rpcSecretFor(settings: { readonly debug?: boolean }): string | null {
  const known = resolved.get(settings);
  if (known !== undefined) return known;
  const fromEnv = process.env.JONE_RPC_SECRET;
  let secret: string | null;
  if (fromEnv !== undefined && fromEnv !== '') secret = fromEnv;
  else if (settings.debug === true) {
    secret = DEVELOPMENT_RPC_SECRET;
    process.stderr.write(
      `WARNING jone: JONE_RPC_SECRET is not set; debug is on, so the development secret ` +
        `'${DEVELOPMENT_RPC_SECRET}' is accepted in X-Rpc-Secret. Set JONE_RPC_SECRET outside development.\n`,
    );
  } else {
    secret = null;
    process.stderr.write(
      'WARNING jone: JONE_RPC_SECRET is not set (and debug is off): every call to the jone API is refused (403).\n',
    );
  }
  resolved.set(settings, secret);
  return secret;
}

// Start-up: every handler is built with its settings (the wrapper factory runs then, and
// wraps nothing); a project that installs the app reads — and reports — its secret there.
registerViewWrapper((settings: ResolvedSettings) => {
  const apps = (settings as { installedApps?: readonly unknown[] }).installedApps ?? [];
  if (apps.includes(joneApp)) rpcSecretFor(settings);
  return null;
});
