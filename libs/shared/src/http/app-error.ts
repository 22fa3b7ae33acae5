/** The one error type routes throw: `code` is stable (`MESSAGES.SELF_SEND`), `message` is shown to users. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
  }
}
