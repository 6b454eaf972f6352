/** An error the CLI reports as one clear line and a non-zero exit, without a stack trace. */
export class CliError extends Error {
  constructor(readonly code: string, message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}
