/**
 * Line prompts for the interactive commands (`createsuperuser`, `changepassword`): one
 * line of standard input per answer, from a terminal or a pipe; passwords are not echoed
 * on a terminal (Python's `getpass`).
 */
import { createInterface, type Interface } from 'node:readline';
import { PorticoError } from '../tsgi/errors.ts';

/** Asks questions on stdout and reads the answers from stdin. */
export class Prompter {
  readonly #rl: Interface;
  readonly #lines: AsyncIterator<string>;
  #muted = false;

  constructor(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout) {
    const terminal = (input as { isTTY?: boolean }).isTTY === true;
    this.#rl = createInterface({ input, output, terminal });
    // While a password is typed on a terminal, nothing the user types is written back.
    const rl = this.#rl as unknown as { _writeToOutput?: (s: string) => void };
    const write = rl._writeToOutput?.bind(this.#rl);
    if (terminal && write !== undefined)
      rl._writeToOutput = (s: string) => (this.#muted ? undefined : write(s));
    this.#lines = this.#rl[Symbol.asyncIterator]();
  }

  /** Writes `prompt` and resolves to the next line; end of input is an error. */
  async ask(prompt: string, options: { secret?: boolean } = {}): Promise<string> {
    process.stdout.write(prompt);
    this.#muted = options.secret === true;
    const next = await this.#lines.next();
    this.#muted = false;
    if (options.secret === true) process.stdout.write('\n');
    if (next.done === true) throw new PorticoError('PORTICO_ERR_CLI_COMMAND', 'aborted: the input ended');
    return next.value;
  }

  close(): void {
    this.#rl.close();
  }
}
