/**
 * The one response every adapter gives a rejected request (E2): the error's status and an
 * RFC 9457 problem details body. It holds no stack and never the raw token.
 */
import type { TenantError, TenantErrorCode } from '../errors.js'

/** Content type of {@link ProblemDetails} responses. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** An RFC 9457 problem details body, plus the machine-readable `code`. */
export interface ProblemDetails {
  /** A URI that names the problem type, e.g. `urn:tracium:problem:tenant-missing`. */
  readonly type: string
  /** Short, stable summary of the problem type. */
  readonly title: string
  /** The HTTP status. */
  readonly status: number
  /** What went wrong with this request and how to fix it. */
  readonly detail: string
  /** The {@link TenantError} code. */
  readonly code: TenantErrorCode
}

const TITLES: Record<TenantErrorCode, string> = {
  TENANT_MISSING: 'Tenant required',
  TOKEN_INVALID: 'Invalid token',
  TENANT_INVALID: 'Invalid tenant',
  TENANT_FORBIDDEN: 'Tenant forbidden',
  TENANT_CONFLICT: 'Conflicting tenants',
  TENANT_SCOPE_CLOSED: 'Internal server error',
}

/**
 * The problem details body for `error`.
 *
 * @example
 * ```ts
 * res.status(err.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemDetails(err)))
 * ```
 */
export function problemDetails(error: TenantError): ProblemDetails {
  return {
    type: `urn:tracium:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[error.code],
    status: error.status,
    // A closed scope is a server bug; its message is for the developer, not the client.
    detail:
      error.code === 'TENANT_SCOPE_CLOSED' ? 'The request could not be completed.' : error.message,
    code: error.code,
  }
}

/** A ready-to-write rejection: status, headers and the serialized problem details. */
export interface ProblemResponse {
  readonly status: number
  readonly headers: { readonly 'content-type': string; readonly 'cache-control': string }
  readonly body: string
}

/**
 * The whole HTTP answer to a rejected request (E2), for adapters to write with their
 * framework's response API. `no-store`: a rejection must not be cached for another tenant.
 *
 * @example
 * ```ts
 * const { status, headers, body } = problemResponse(err)
 * res.writeHead(status, headers).end(body)
 * ```
 */
export function problemResponse(error: TenantError): ProblemResponse {
  return {
    status: error.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
    body: JSON.stringify(problemDetails(error)),
  }
}
