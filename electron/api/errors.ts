// The error the Node side throws when a request cannot be carried out: a code from the contract
// and a message a person can act on. The handler turns it into the reply envelope.
import type { ApiErrorCode } from './contract';

/** A request refused or failed, with the contract's error code. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

/** Whether `e` is an ApiError. */
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
