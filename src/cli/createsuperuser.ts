/**
 * `portico createsuperuser`: creates a user with every permission (Django's command),
 * asking for the username, email and password, or with `--noinput` taking them from
 * `--username`/`--email` and `PORTICO_SUPERUSER_USERNAME`, `PORTICO_SUPERUSER_EMAIL`,
 * `PORTICO_SUPERUSER_PASSWORD` (no password: an unusable one).
 */
import { userInfo } from 'node:os';
import {
  configureAuth,
  createSuperuser,
  getUserModel,
  PasswordValidationError,
  validatePassword,
  validateUsername,
} from '../contrib/auth/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';
import { Prompter } from './prompt.ts';

/** `portico createsuperuser --help`. */
export const createsuperuserHelp = `Usage: portico createsuperuser [options]

Creates a superuser: asks for the username, the email address and the password (twice,
checked by the password validators), or with --noinput takes them from the options and
the environment.

Options:
  --username NAME  the username
  --email EMAIL    the email address
  --noinput        ask nothing: the username from --username or PORTICO_SUPERUSER_USERNAME,
                   the email from --email or PORTICO_SUPERUSER_EMAIL, the password from
                   PORTICO_SUPERUSER_PASSWORD (none: an unusable password)
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  -h, --help       show this help
`;

function refuse(message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_CLI_COMMAND', message);
}

type Model = ReturnType<typeof getUserModel>;

/** Django's checks of a username: not blank, the validator, not taken. A message or null. */
async function usernameProblem(
  model: Model,
  field: string,
  value: string,
  using: string,
): Promise<string | null> {
  if (value === '') return 'This field cannot be blank.';
  if ([...value].length > 150)
    return `Ensure this value has at most 150 characters (it has ${[...value].length}).`;
  if (field === 'username') {
    const problem = validateUsername(value);
    if (problem !== undefined) return problem;
  }
  const taken = await model.objects
    .using(using)
    .filter({ [field]: value } as never)
    .exists();
  return taken ? `That ${field} is already taken.` : null;
}

function emailProblem(value: string): string | null {
  return value === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? null : 'Enter a valid email address.';
}

/** Runs `portico createsuperuser`; resolves to the exit code. */
export async function runCreatesuperuser(args: string[]): Promise<number> {
  const options = parseOptions('createsuperuser', args, {
    values: ['settings', 'username', 'email'],
    flags: ['noinput', 'no-input'],
  });
  if (options.flags.has('help')) {
    process.stdout.write(createsuperuserHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  try {
    configureAuth(project.settings as never);
    const model = getUserModel();
    const field = model.USERNAME_FIELD ?? 'username';
    const using = 'default';
    const hasEmail = field !== 'email' && model.meta.field('email') !== undefined;
    const values: Record<string, unknown> = {};
    if (options.flags.has('noinput') || options.flags.has('no-input')) {
      const username = options.values.username ?? process.env.PORTICO_SUPERUSER_USERNAME ?? '';
      if (username === '') throw refuse(`You must use --${field} with --noinput.`);
      const problem = await usernameProblem(model, field, username, using);
      if (problem !== null) throw refuse(problem);
      values[field] = username;
      if (hasEmail) {
        const email = options.values.email ?? process.env.PORTICO_SUPERUSER_EMAIL ?? '';
        const bad = emailProblem(email);
        if (bad !== null) throw refuse(bad);
        values.email = email;
      }
      values.password = process.env.PORTICO_SUPERUSER_PASSWORD ?? null;
    } else {
      const prompter = new Prompter();
      try {
        Object.assign(values, await ask(prompter, model, field, hasEmail, options.values, using));
      } finally {
        prompter.close();
      }
    }
    await createSuperuser(values, model);
    process.stdout.write('Superuser created successfully.\n');
    return 0;
  } finally {
    await project.close();
  }
}

async function ask(
  prompter: Prompter,
  model: Model,
  field: string,
  hasEmail: boolean,
  given: Readonly<Record<string, string>>,
  using: string,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const fallback = (() => {
    try {
      return userInfo().username.toLowerCase();
    } catch {
      return '';
    }
  })();
  let defaultName =
    fallback !== '' && (await usernameProblem(model, field, fallback, using)) === null ? fallback : '';
  let username = given.username;
  if (username !== undefined) {
    const problem = await usernameProblem(model, field, username, using);
    if (problem !== null) {
      process.stderr.write(`Error: ${problem}\n`);
      username = undefined;
    }
  }
  const label = field[0]!.toUpperCase() + field.slice(1);
  while (username === undefined) {
    const hint = defaultName !== '' ? ` (leave blank to use '${defaultName}')` : '';
    let answer = (await prompter.ask(`${label}${hint}: `)).trim();
    if (answer === '' && defaultName !== '') answer = defaultName;
    const problem = await usernameProblem(model, field, answer, using);
    if (problem === null) username = answer;
    else {
      process.stderr.write(`Error: ${problem}\n`);
      defaultName = '';
    }
  }
  out[field] = username;
  if (hasEmail) {
    let email = given.email;
    while (email === undefined) {
      const answer = (await prompter.ask('Email address: ')).trim();
      const problem = emailProblem(answer);
      if (problem === null) email = answer;
      else process.stderr.write(`Error: ${problem}\n`);
    }
    out.email = email;
  }
  for (;;) {
    const password = await prompter.ask('Password: ', { secret: true });
    const again = await prompter.ask('Password (again): ', { secret: true });
    if (password !== again) {
      process.stderr.write("Error: Your passwords didn't match.\n");
      continue;
    }
    if (password.trim() === '') {
      process.stderr.write("Error: Blank passwords aren't allowed.\n");
      continue;
    }
    try {
      await validatePassword(password, out);
    } catch (error) {
      if (!(error instanceof PasswordValidationError)) throw error;
      process.stderr.write(`${error.messages.join('\n')}\n`);
      const bypass = await prompter.ask('Bypass password validation and create user anyway? [y/N]: ');
      if (!/^y/i.test(bypass.trim())) continue;
    }
    out.password = password;
    return out;
  }
}
