/**
 * `portico changepassword [USERNAME]`: sets a user's password (Django's command), asked
 * twice and checked by the password validators; three failed attempts abort.
 */
import { userInfo } from 'node:os';
import {
  configureAuth,
  getByNaturalKey,
  getUserModel,
  PasswordValidationError,
  setPassword,
  validatePassword,
} from '../contrib/auth/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';
import { Prompter } from './prompt.ts';

/** `portico changepassword --help`. */
export const changepasswordHelp = `Usage: portico changepassword [USERNAME] [options]

Changes a user's password (default: the user named like the current OS user), asked
twice and checked by the password validators; three failed attempts abort.

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  -h, --help       show this help
`;

const MAX_TRIES = 3;

/** Runs `portico changepassword`; resolves to the exit code. */
export async function runChangepassword(args: string[]): Promise<number> {
  const options = parseOptions('changepassword', args, { values: ['settings'], flags: [], positionals: 1 });
  if (options.flags.has('help')) {
    process.stdout.write(changepasswordHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  try {
    configureAuth(project.settings as never);
    const model = getUserModel();
    const username = options.positionals[0] ?? userInfo().username;
    const user = await getByNaturalKey(username, model);
    if (user === null) throw new PorticoError('PORTICO_ERR_CLI_COMMAND', `user '${username}' does not exist`);
    process.stdout.write(`Changing password for user '${username}'\n`);
    const prompter = new Prompter();
    try {
      for (let tries = 1; tries <= MAX_TRIES; tries++) {
        const password = await prompter.ask('Password: ', { secret: true });
        const again = await prompter.ask('Password (again): ', { secret: true });
        if (password !== again) {
          process.stderr.write('Passwords do not match. Please try again.\n');
          continue;
        }
        try {
          await validatePassword(password, user);
        } catch (error) {
          if (!(error instanceof PasswordValidationError)) throw error;
          process.stderr.write(`${error.messages.join('\n')}\n`);
          continue;
        }
        await setPassword(user, password);
        await user.save();
        process.stdout.write(`Password changed successfully for user '${username}'\n`);
        return 0;
      }
    } finally {
      prompter.close();
    }
    throw new PorticoError(
      'PORTICO_ERR_CLI_COMMAND',
      `Aborting password change for user '${username}' after ${MAX_TRIES} attempts`,
    );
  } finally {
    await project.close();
  }
}
