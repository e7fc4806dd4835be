/**
 * A real headless Chromium for tests that check what a person sees: Debian's `chromium`
 * driven by playwright-core (which never downloads a browser). A machine without it skips
 * these tests with a message; in CI (`CI` set) they fail instead.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where `.ci/run` installs it (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** The `skip` option for browser tests. */
export function browserSkip(): string | false {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return false;
  } catch {
    return process.env.CI
      ? false
      : 'chromium is not installed (apt-get install chromium): browser tests skipped';
  }
}

/** A launched browser with a fresh profile; `close()` removes the profile too. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a throwaway profile and everything that would reach the
 * network on its own (updates, sync, QUIC) switched off: tests talk to loopback only.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'portico-chromium-'));
  // The profile is given the way playwright-core wants a --user-data-dir: as a persistent context.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
