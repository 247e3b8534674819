/** `fromPath`: the tenant from the URL path, by a prefix pattern or a route parameter. */
import { TenantError } from '../../errors.js'
import { optionsError } from '../options.js'
import { comparable, EXACT_PATH_RULES, type PathRules } from '../path-rules.js'
import { pathOf } from '../request.js'
import type { TenantSource } from '../source.js'

/** Options of {@link fromPath}: give `pattern` or `param`. */
export interface PathSourceOptions {
  /**
   * A path prefix with one `:name` segment, e.g. `'/t/:tenant'`: `/t/acme/chat` yields `acme`.
   * Matched against the request path as the adapter's router would match it (Express, Koa and
   * Nest on Express ignore case by default, Fastify does not; see the `pathMatching` option), so
   * it works in middleware that runs before routing. The tenant segment keeps its case.
   */
  pattern?: string
  /**
   * A route parameter the framework has already parsed (`request.params[param]`). Only
   * `@tracium/fastify` knows params when it resolves (Fastify routes before `onRequest`); the
   * Express, Koa and Nest middleware run before routing, so there it yields no tenant: use
   * `pattern`.
   */
  param?: string
}

/**
 * Reads the tenant from the URL path. The segment is percent-decoded, then validated (S6).
 *
 * @example
 * ```ts
 * traciumTenant({ resolve: fromPath('/t/:tenant') })     // GET /t/acme/chat → 'acme'
 * traciumTenant({ resolve: fromPath({ param: 'org' }) }) // route /orgs/:org/... → params.org
 * ```
 */
export function fromPath(options: string | PathSourceOptions): TenantSource {
  const { pattern, param } = typeof options === 'string' ? { pattern: options } : (options ?? {})
  if ((pattern === undefined) === (param === undefined)) {
    optionsError(
      '@tracium/core',
      "fromPath: give exactly one of { pattern: '/t/:tenant' } or { param: 'tenant' }.",
    )
  }
  if (param !== undefined) {
    if (typeof param !== 'string' || param.length === 0) {
      optionsError('@tracium/core', 'fromPath({ param }): param must be a non-empty string.')
    }
    return {
      name: `path:${param}`,
      read: (request) => request.params?.[param] ?? null,
    }
  }
  const segments = compilePattern(pattern!)
  const at = segments.findIndex((s) => s.startsWith(':'))
  // The static segments as a case-insensitive router compares them.
  const lowerSegments = segments.map((s) => s.toLowerCase())
  return {
    name: `path:${segments[at]!.slice(1)}`,
    matchesPath: true,
    read(request, rules: PathRules = EXACT_PATH_RULES) {
      const parts = pathOf(request.url).split('/')
      if (parts.length < segments.length) return null
      const expected = rules.caseSensitive ? segments : lowerSegments
      for (let i = 1; i < segments.length; i++) {
        if (i !== at && comparable(parts[i]!, rules) !== expected[i]) return null
      }
      const raw = parts[at]
      return raw ? decodeSegment(raw) : null
    },
  }
}

function compilePattern(pattern: string): string[] {
  const segments = typeof pattern === 'string' ? pattern.replace(/\/$/, '').split('/') : []
  const params = segments.filter((s) => s.startsWith(':'))
  if (segments[0] !== '' || params.length !== 1 || params[0] === ':') {
    optionsError(
      '@tracium/core',
      `fromPath(${JSON.stringify(pattern)}): a pattern starts with "/" and has exactly one ` +
        "named segment, e.g. '/t/:tenant'.",
    )
  }
  return segments
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new TenantError(
      'TENANT_INVALID',
      'Invalid tenant: the tenant path segment is badly encoded.',
    )
  }
}
