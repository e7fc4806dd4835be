/**
 * The `portico` command's error codes, with their meaning and, where one applies, the HTTP status.
 *
 * @module
 */
import { defineErrors } from '../tsgi/errors.ts';

/** The `portico` command's error codes. */
export const cliErrors = defineErrors('cli', {
  PORTICO_ERR_NODE_VERSION: {
    message:
      'The Node.js running portico is older than the version in engines, or does not strip TypeScript types.',
  },
  PORTICO_ERR_CLI_COMMAND: {
    message:
      'A command refused its input (createsuperuser: a username taken or invalid, --noinput without --username; changepassword: no such user, three failed attempts); exits 1.',
  },
  PORTICO_ERR_SETTINGS: {
    message:
      'The settings file given with --settings is missing, fails to load, or exports no settings object.',
  },
});

/** The `portico` command's codes, as a type. */
export type CliErrorCodes = typeof cliErrors;

declare module '../tsgi/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging.
  interface ErrorCodes extends CliErrorCodes {}
}
