/**
 * The one error type of Tracium's tenant handling (DESIGN.md E1).
 *
 * Every code has a fixed HTTP status so that every adapter answers a rejected request the same way.
 */

/** HTTP status of each {@link TenantErrorCode}. */
export const TENANT_ERROR_STATUS = {
  TENANT_MISSING: 401,
  TOKEN_INVALID: 401,
  TENANT_INVALID: 400,
  TENANT_FORBIDDEN: 403,
  TENANT_CONFLICT: 403,
  TENANT_SCOPE_CLOSED: 500,
} as const

/** What went wrong; each code maps to one HTTP status (see {@link TENANT_ERROR_STATUS}). */
export type TenantErrorCode = keyof typeof TENANT_ERROR_STATUS

/** Options of {@link TenantError}. */
export interface TenantErrorOptions {
  /** The underlying error, e.g. jose's verification error. Never shown to clients. */
  cause?: unknown
}

/**
 * Raised for every tenant problem: a bad id, a missing tenant, a bad token, a refused tenant,
 * conflicting sources or use of a closed scope.
 *
 * `status` is the HTTP status an adapter answers with. `message` is written for the developer
 * and for logs: it says what went wrong and how to fix it, and never contains a token. Clients
 * get the fixed, client-facing text of the code instead (`problemDetails`, `PROBLEM_TEXTS`);
 * the `cause` (e.g. jose's error) stays private too.
 *
 * @example
 * ```ts
 * try {
 *   requireTenant()
 * } catch (err) {
 *   if (err instanceof TenantError && err.code === 'TENANT_MISSING') {
 *     // err.status === 401
 *   }
 * }
 * ```
 */
export class TenantError extends Error {
  /** Machine-readable reason. */
  readonly code: TenantErrorCode
  /** HTTP status for this code (E1). */
  readonly status: number
  /**
   * The same as `status`, for error handlers that read `statusCode` (http-errors, Fastify, and
   * Nest's default exception filter, which otherwise answers 500).
   */
  readonly statusCode: number
  /**
   * Always `true`, in the http-errors/Koa sense: a client error, not a server fault to log with
   * its stack. It does not make `message` client text: Tracium's adapters answer with the
   * code's `detail`, never the message.
   */
  readonly expose = true as const

  constructor(code: TenantErrorCode, message: string, options?: TenantErrorOptions) {
    super(message, options)
    this.name = 'TenantError'
    this.code = code
    this.status = this.statusCode = TENANT_ERROR_STATUS[code]
  }
}

/**
 * `true` when `value` is a {@link TenantError}, also one thrown by another copy of
 * `@tracium/core` in the same process (an ESM and a CJS build, or two versions; S8), where
 * `instanceof` would say no.
 *
 * @example
 * ```ts
 * if (isTenantError(err)) res.status(err.status)
 * ```
 */
export function isTenantError(value: unknown): value is TenantError {
  if (value instanceof TenantError) return true
  if (!(value instanceof Error) || value.name !== 'TenantError') return false
  const code = (value as { code?: unknown }).code
  return typeof code === 'string' && Object.hasOwn(TENANT_ERROR_STATUS, code)
}
