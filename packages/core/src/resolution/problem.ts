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
  /**
   * What went wrong, for the API client: one fixed sentence per code (see
   * {@link PROBLEM_TEXTS}). Never the error's `message`, which is written for the developer.
   */
  readonly detail: string
  /** The {@link TenantError} code. */
  readonly code: TenantErrorCode
}

/** The client-facing texts of one {@link TenantErrorCode}. */
export interface ProblemText {
  /** Short, stable summary of the problem type (RFC 9457 `title`). */
  readonly title: string
  /** The sentence an API client reads (RFC 9457 `detail`). */
  readonly detail: string
}

/**
 * What API clients are told, one entry per code: the only text of a `TenantError` that leaves
 * the server. The error's `message` says how to fix the problem (mount the middleware, call
 * `withTenant`, which source was read) and belongs in logs and in the developer's hands, never
 * in a response (issue 9: developer advice reached API clients).
 */
export const PROBLEM_TEXTS: Readonly<Record<TenantErrorCode, ProblemText>> = Object.freeze({
  TENANT_MISSING: {
    title: 'Tenant required',
    detail: 'This request needs a tenant and none was given.',
  },
  TOKEN_INVALID: {
    title: 'Invalid token',
    detail: 'The token in this request could not be verified.',
  },
  TENANT_INVALID: {
    title: 'Invalid tenant',
    detail: 'The tenant in this request is not a valid tenant id, or was given more than once.',
  },
  TENANT_FORBIDDEN: {
    title: 'Tenant forbidden',
    detail: 'This request may not act for the requested tenant.',
  },
  TENANT_CONFLICT: {
    title: 'Conflicting tenants',
    detail: 'This request names more than one tenant.',
  },
  TENANT_SCOPE_CLOSED: {
    title: 'Internal server error',
    detail: 'The request could not be completed.',
  },
})

/**
 * The problem details body for `error`: its status, code and the client-facing texts of its
 * code. The error's own `message` and `cause` stay on the server.
 *
 * @example
 * ```ts
 * res.status(err.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemDetails(err)))
 * ```
 */
export function problemDetails(error: TenantError): ProblemDetails {
  const { title, detail } = PROBLEM_TEXTS[error.code]
  return {
    type: `urn:tracium:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status: error.status,
    detail,
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
 * Every field depends on the code alone, so each code's answer is built once and shared.
 *
 * @example
 * ```ts
 * const { status, headers, body } = problemResponse(err)
 * res.writeHead(status, headers).end(body)
 * ```
 */
export function problemResponse(error: TenantError): ProblemResponse {
  let response = responses.get(error.code)
  if (response === undefined) {
    response = Object.freeze({
      status: error.status,
      headers: Object.freeze({ 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' }),
      body: JSON.stringify(problemDetails(error)),
    })
    responses.set(error.code, response)
  }
  return response
}

const responses = new Map<TenantErrorCode, ProblemResponse>()
