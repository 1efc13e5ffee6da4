// The one application error. Expected failures carry a stable code and an HTTP status; the edge
// (route handlers, socket acks, the CLI) turns them into `{ error: { code, message } }` in one place.
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
