/**
 * `portico check [--settings PATH] [--deploy] [--fail-level LEVEL] [--tag TAG] [--list-tags]`:
 * the system checks (`portico/web/checks`) on a project, one line per finding with its
 * level and id; exit 1 when any is at `--fail-level` or above.
 */
import {
  atLeast,
  CHECK_LEVELS,
  type CheckLevel,
  type CheckMessage,
  checkTags,
  messageFromError,
  runChecks,
} from '../web/core/checks/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
// The contrib apps register their checks when their modules load. A project that leaves
// one out never imports it, yet that absence is what some deploy checks report (Django's
// security.W001–W003: no SecurityMiddleware, no XFrameOptionsMiddleware, no
// CsrfViewMiddleware): so the command loads them all.
import '../contrib/auth/index.ts';
import '../contrib/csrf/index.ts';
import '../contrib/middleware/index.ts';
import '../contrib/sessions/index.ts';
import { parseOptions } from './options.ts';
import { loadSettingsFile, SettingsLoadError, settingsPath } from './settings-file.ts';

/** `portico check --help`. */
export const checkHelp = `Usage: portico check [--settings PATH] [--deploy] [--fail-level LEVEL] [--tag TAGS]

Checks a project's configuration before it serves: settings keys, middleware order, URL
names and views, allowedHosts, secretKey, and every check a layer or the project
registered. Prints one line per finding (level, message, id) and exits 1 if any is at
the fail level or above.

Options:
  --settings PATH     the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --deploy            also run the deployment checks (debug off, a strong secretKey, ...)
  --fail-level LEVEL  debug, info, warning, error (default) or critical
  --tag TAGS          run only the checks with one of these tags (comma-separated)
  --list-tags         print the tags of the registered checks and exit
  -h, --help          show this help
`;

/** Formats one finding: `LEVEL: MESSAGE [ID]` (`[ID CODE]` for an error), and its hint on the next line. */
export function formatCheck(message: CheckMessage): string {
  const hint = message.hint === undefined ? '' : `\n  hint: ${message.hint}`;
  const id = message.code === undefined ? message.id : `${message.id} ${message.code}`;
  return `${message.level}: ${message.message} [${id}]${hint}`;
}

function failLevel(value: string | undefined): CheckLevel {
  const level = (value ?? 'error').toLowerCase();
  if ((CHECK_LEVELS as readonly string[]).includes(level)) return level as CheckLevel;
  throw new PorticoError(
    'PORTICO_ERR_CLI_USAGE',
    `check: --fail-level must be one of ${CHECK_LEVELS.join(', ')} (got '${value}')`,
  );
}

/** Runs `portico check`; resolves to the exit code. */
export async function runCheck(args: string[]): Promise<number> {
  const options = parseOptions('check', args, {
    values: ['settings', 'fail-level', 'tag'],
    flags: ['deploy', 'list-tags'],
  });
  if (options.flags.has('help')) {
    process.stdout.write(checkHelp);
    return 0;
  }
  const fail = failLevel(options.values['fail-level']);
  const file = settingsPath(options.values.settings);
  const tags = options.values.tag?.split(',').map((tag) => tag.trim());
  let messages: CheckMessage[];
  try {
    const settings = await loadSettingsFile(file);
    if (options.flags.has('list-tags')) {
      process.stdout.write(`${checkTags().join('\n')}\n`);
      return 0;
    }
    messages = runChecks(settings, {
      deploy: options.flags.has('deploy'),
      source: file,
      ...(tags === undefined ? {} : { tags }),
    });
  } catch (error) {
    // A configuration error that stops the settings (or its URLconf) from loading is a
    // finding like the others. Anything else (a missing file, a syntax error) is the
    // command's error.
    const cause = error instanceof SettingsLoadError ? error.cause : undefined;
    if ((cause as { name?: unknown } | undefined)?.name !== 'ImproperlyConfigured') throw error;
    messages = [messageFromError(cause)];
  }
  for (const message of messages) process.stderr.write(`${formatCheck(message)}\n`);
  const serious = messages.filter((message) => atLeast(message, fail)).length;
  if (messages.length === 0) {
    process.stdout.write('System check identified no issues.\n');
    return 0;
  }
  const count = messages.length;
  const summary = `System check identified ${count} issue${count === 1 ? '' : 's'} in ${file}`;
  process.stderr.write(serious === 0 ? `${summary}; none at level ${fail} or above.\n` : `${summary}.\n`);
  return serious === 0 ? 0 : 1;
}
