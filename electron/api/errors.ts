// The one error the Node side throws when a request cannot be carried out: a code from the
// contract and a message a person can act on. The handler turns it into the reply envelope; the
// CLI prints its message. Also how zod's issues read as such a message.
import type { z } from 'zod';
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

/**
 * Formats zod issues as `where: what` lines, `where` a path into the payload (`vary[0].to`). For
 * a value matching none of a union's forms, the form it came closest to explains what is wrong.
 */
export function describeIssues(prefix: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines: string[] = [];
  const walk = (list: readonly z.core.$ZodIssue[], base: PropertyKey[]) => {
    for (const i of list) {
      const at = [...base, ...i.path];
      if (i.code === 'invalid_union' && i.errors.length > 0) {
        const closest = [...i.errors].sort((a, b) => a.length - b.length)[0];
        walk(closest, at);
        continue;
      }
      const where = at.length
        ? at
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '')
        : 'payload';
      lines.push(`${prefix}: ${where}: ${i.message}`);
    }
  };
  walk(issues, []);
  return [...new Set(lines)].join('\n');
}

/** `value` validated by `schema`, or an `invalid_request` ApiError whose lines start with `prefix`. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError('invalid_request', describeIssues(prefix, r.error.issues));
  return r.data;
}
