/**
 * The HTTP and uwsgi server's error codes, with their meaning and, where one applies, the HTTP status.
 *
 * @module
 */
import { defineErrors } from '../tsgi/errors.ts';

/** The HTTP and uwsgi server's error codes. */
export const serverErrors = defineErrors('server', {
  PORTICO_ERR_TOO_MANY_CONNECTIONS: {
    message:
      'A listener already had max-connections connections open: a new one was answered 503 and closed.',
    status: 503,
  },
  PORTICO_ERR_ACCEPT_FAILED: {
    message:
      'Accepting a connection failed (EMFILE/ENFILE: out of file descriptors); the server keeps running.',
  },
  PORTICO_ERR_BODY_TOO_LARGE: { message: 'The request body is larger than limit-post.', status: 413 },
  PORTICO_ERR_HEADERS_TOO_LARGE: {
    message: 'The request head is larger than the header size limit.',
    status: 431,
  },
  PORTICO_ERR_REQUEST_TIMEOUT: { message: 'The client did not send the request head in time.', status: 408 },
  PORTICO_ERR_SEND_TIMEOUT: {
    message:
      'A response made no progress for send-timeout seconds (the client does not read it): the connection was closed.',
  },
  PORTICO_ERR_CLIENT_GONE: { message: 'The client closed the connection before the response was complete.' },
  PORTICO_ERR_LISTEN: {
    message: 'A listening socket could not be opened (address in use, no permission, bad address).',
  },
  PORTICO_ERR_UWSGI_PROTOCOL: {
    message:
      'A uwsgi packet is malformed (header, modifier, vars block or CONTENT_LENGTH) or its body was cut short; the connection was closed.',
  },
  PORTICO_ERR_UWSGI_HTTP_REQUEST: {
    message: 'An HTTP request was sent to a uwsgi socket; it was answered 400 and closed.',
    status: 400,
  },
  PORTICO_ERR_UWSGI_PEER_REFUSED: {
    message:
      'A TCP peer outside the uwsgi allow-list connected to a uwsgi socket; the connection was closed unanswered.',
  },
});

/** The HTTP and uwsgi server's codes, as a type. */
export type ServerErrorCodes = typeof serverErrors;

declare module '../tsgi/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging.
  interface ErrorCodes extends ServerErrorCodes {}
}
