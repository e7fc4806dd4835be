/**
 * `portico check [--settings PATH]`: the system checks (`src/web/core/checks.ts`) on a
 * project, one line per problem with its code; exit 1 when there is any.
 */
import { type CheckMessage, messageFromError, runChecks } from '../web/core/checks.ts';
import { parseOptions } from './options.ts';
import { loadSettingsFile, SettingsLoadError, settingsPath } from './settings-file.ts';

/** `portico check --help`. */
export const checkHelp = `Usage: portico check [--settings PATH]

Checks a project's configuration before it serves: middleware order, duplicate URL names,
views and converters, allowedHosts, secretKey. Prints one line per problem with its code
and exits 1 if there is any.

Options:
  --settings PATH   the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  -h, --help        show this help
`;

/** Formats one problem: `error: MESSAGE [CODE]`. */
export function formatCheck(message: CheckMessage): string {
  return `error: ${message.message} [${message.code}]`;
}

/** Runs `portico check`; resolves to the exit code. */
export async function runCheck(args: string[]): Promise<number> {
  const options = parseOptions('check', args, { values: ['settings'], flags: [] });
  if (options.flags.has('help')) {
    process.stdout.write(checkHelp);
    return 0;
  }
  const file = settingsPath(options.values.settings);
  let messages: CheckMessage[];
  try {
    messages = runChecks(await loadSettingsFile(file));
  } catch (error) {
    // A configuration error that stops the settings (or its URLconf) from loading is a
    // finding like the others: reported with its own code. Anything else (a missing file, a
    // syntax error) is the command's error.
    const cause = error instanceof SettingsLoadError ? error.cause : undefined;
    if ((cause as { name?: unknown } | undefined)?.name !== 'ImproperlyConfigured') throw error;
    messages = [messageFromError(cause)];
  }
  for (const message of messages) process.stderr.write(`${formatCheck(message)}\n`);
  const count = messages.length;
  if (count === 0) {
    process.stdout.write('System check identified no issues.\n');
    return 0;
  }
  process.stderr.write(`System check identified ${count} issue${count === 1 ? '' : 's'} in ${file}.\n`);
  return 1;
}
