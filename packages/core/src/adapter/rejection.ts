/**
 * What an adapter does with an error of the tenant step (E2), written once for all of them
 * (issue 9: the same branch was written four times): a `TenantError` is answered with its
 * problem+json response unless the app asked for rejections to be forwarded; anything else
 * (a bug in a custom source, a JWKS outage) always goes to the framework's error path.
 */
import { isTenantError } from '../errors.js'
import type { RejectionMode } from '../resolution/options.js'
import { type ProblemResponse, problemResponse } from '../resolution/problem.js'

/**
 * Calls `respond` with the problem+json answer for a `TenantError` when `mode` is `'respond'`,
 * else `forward` with the error as it came. Returns what they return.
 *
 * @param mode the `rejections` option (`resolver.rejections`).
 * @param respond writes the answer with the framework's response API.
 * @param forward hands the error to the framework's error path (`next(err)`, a rethrow, …).
 * @example
 * ```ts
 * handleRejection(error, resolver.rejections, (problem) => sendProblem(res, problem), next)
 * ```
 */
export function handleRejection<R>(
  error: unknown,
  mode: RejectionMode,
  respond: (problem: ProblemResponse) => R,
  forward: (error: unknown) => R,
): R {
  return mode === 'respond' && isTenantError(error)
    ? respond(problemResponse(error))
    : forward(error)
}
