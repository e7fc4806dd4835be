/**
 * The application server's error codes, with their meaning and, where one applies, the HTTP status.
 *
 * @module
 */
import { defineErrors } from '../tsgi/errors.ts';

/** The application server's error codes. */
export const appserverErrors = defineErrors('appserver', {
  PORTICO_ERR_APP_NOT_FOUND: {
    message: 'The module given to serve cannot be loaded, or lacks the named export.',
  },
  PORTICO_ERR_CONFIG: {
    message:
      'An option from the environment, a config file or the app module is unknown or has a bad value, or the config file cannot be read.',
  },
  PORTICO_ERR_WORKER_BOOT: {
    message: 'A worker process failed to start (its application did not load, or it could not listen).',
  },
  PORTICO_ERR_WORKER_DIED: {
    message: 'A worker process exited when the master had not asked it to; it is replaced.',
  },
  PORTICO_ERR_WORKER_CRASH_LOOP: {
    message:
      'Workers kept dying within min-worker-lifetime of starting; the master stopped instead of respawning forever.',
  },
  PORTICO_ERR_RELOAD_ABORTED: {
    message: 'A reload was abandoned because new workers failed to start; the old workers keep serving.',
  },
  PORTICO_ERR_HARAKIRI: {
    message:
      'A request ran longer than harakiri; its worker was killed and replaced, the client answered 504.',
    status: 504,
  },
  PORTICO_ERR_GRACEFUL_TIMEOUT: {
    message: 'A stopping worker did not finish its requests within graceful-timeout and was killed.',
  },
  PORTICO_ERR_HOOK_FAILED: { message: 'A lifecycle hook named in the config could not be loaded, or threw.' },
  PORTICO_ERR_CONTROL: {
    message: 'A control endpoint (master FIFO, stats socket, pidfile, ready file, systemd notify) failed.',
  },
});

/** The application server's codes, as a type. */
export type AppserverErrorCodes = typeof appserverErrors;

declare module '../tsgi/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging.
  interface ErrorCodes extends AppserverErrorCodes {}
}
