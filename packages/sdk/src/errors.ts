/**
 * The one error type the SDK throws into application code. Exporters never throw (they are
 * fail-open); these errors are for programming mistakes: a value over a limit, bad options, a
 * span with no trace.
 */

/** Why a {@link TraciumError} was thrown. */
export type TraciumErrorCode =
  /** An argument or option breaks a limit or has the wrong type (see `limits.ts`). */
  | 'INVALID_ARGUMENT'
  /** `tracium.span()` was called with no current trace. */
  | 'NO_ACTIVE_TRACE'

/**
 * Thrown for SDK misuse. `message` starts with `@tracium/sdk:` and says how to fix the problem.
 *
 * @example
 * ```ts
 * try {
 *   tracium.startTrace({ agentName: 'bad/name' })
 * } catch (err) {
 *   if (err instanceof TraciumError && err.code === 'INVALID_ARGUMENT') console.error(err.message)
 * }
 * ```
 */
export class TraciumError extends Error {
  /** Machine-readable reason. */
  readonly code: TraciumErrorCode

  constructor(code: TraciumErrorCode, message: string, options?: { cause?: unknown }) {
    super(`@tracium/sdk: ${message}`, options)
    this.name = 'TraciumError'
    this.code = code
  }
}

/**
 * Shorthand for the most common error: a bad argument.
 * @example
 * ```ts
 * throw invalidArgument('agentName must be a non-empty string.')
 * ```
 */
export function invalidArgument(message: string): TraciumError {
  return new TraciumError('INVALID_ARGUMENT', message)
}
