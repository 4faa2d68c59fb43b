/**
 * The one error type the library throws (for programmer errors and for failures of a whole
 * operation, such as an interpreter that cannot be run). Everything about bad *input* is a
 * Diagnostic instead. Recognisable without `instanceof` (across realms): `isEpindexError`.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNRENDERABLE'
  | 'PYTHON_FAILED'
  | 'NOT_FOUND'
  | 'CACHE_WRITE_FAILED';

export class EpindexError extends Error {
  override readonly name = 'EpindexError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isEpindexError(e: unknown): e is EpindexError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'EpindexError' &&
    typeof (e as { code?: unknown }).code === 'string';
}

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`…), or `EUNKNOWN`. */
export function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'EUNKNOWN';
}
