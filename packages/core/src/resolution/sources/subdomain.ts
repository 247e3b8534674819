/** `fromSubdomain`: the tenant from the Host, below configured base domains (R8). */
import { isIP } from 'node:net'
import { TenantError } from '../../errors.js'
import { optionsError } from '../options.js'
import { sentTwice } from '../raw-headers.js'
import { hostOf, type TenantRequest } from '../request.js'
import type { TenantSource } from '../source.js'
import { sentSeveral } from './single-value.js'

/** Options of {@link fromSubdomain}. */
export interface SubdomainSourceOptions {
  /** The domain(s) tenants live below, e.g. `'app.example.com'`. Required. */
  baseDomain: string | readonly string[]
  /** Labels that never name a tenant. Compared case-insensitively. Default: `['www']`. */
  reserved?: readonly string[]
  /**
   * How many labels left of the base domain make the tenant: with 2, `eu.acme.app.example.com`
   * yields `eu.acme`. A host with more or fewer labels yields no tenant. Default: `1`.
   */
  labels?: number
  /**
   * Read `X-Forwarded-Host` instead of `Host` (its first value when it holds a list, which is also
   * what two such headers become: Node joins them with ", "; Host is read when it is absent). Only
   * behind a proxy you run that overwrites it: any client can send this header. Default: `false`.
   */
  trustProxy?: boolean
}

// An LDH label (RFC 5890/1123): punycode labels (xn--) are plain ASCII labels and pass.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * Reads the tenant from the subdomain: `acme.app.example.com` → `acme` for base domain
 * `app.example.com`. Host names are case-folded; the port and a trailing dot are removed. IP
 * literals, the base domain itself, reserved labels, hosts with another number of labels and
 * hosts under other domains (`acme.app.example.com.evil.io`) yield no tenant. A label that is
 * not a valid DNS label is `TENANT_INVALID`, and so are two Host headers (seen in
 * `request.rawHeaders`, since Node keeps only the first). Punycode labels are returned as sent.
 *
 * @example
 * ```ts
 * traciumTenant({ resolve: fromSubdomain({ baseDomain: ['app.example.com', 'example.eu'] }) })
 * ```
 */
export function fromSubdomain(options: SubdomainSourceOptions): TenantSource {
  const { baseDomain, reserved = ['www'], labels = 1, trustProxy = false } = options ?? {}
  // Longest first, so a host under two configured bases (example.com, app.example.com) is read
  // below the most specific one.
  const bases = (Array.isArray(baseDomain) ? baseDomain : [baseDomain])
    .map(normalizeBase)
    .sort((a, b) => b.length - a.length)
  if (bases.length === 0) {
    optionsError(
      '@tracium/core',
      "fromSubdomain: baseDomain is required, e.g. { baseDomain: 'app.example.com' }.",
    )
  }
  if (!Number.isInteger(labels) || labels < 1) {
    optionsError('@tracium/core', 'fromSubdomain: labels must be a whole number of at least 1.')
  }
  const reservedSet = new Set(reserved.map((label) => label.toLowerCase()))
  return {
    name: 'subdomain',
    read(request) {
      const forwarded = trustProxy ? firstForwarded(request.headers['x-forwarded-host']) : undefined
      const host = normalizeHost(forwarded ?? singleHost(request))
      if (host === null) return null
      for (const base of bases) {
        if (!host.endsWith(base) || host.length === base.length) continue
        if (host[host.length - base.length - 1] !== '.') continue
        const parts = host.slice(0, host.length - base.length - 1).split('.')
        if (parts.length !== labels) return null
        for (const part of parts) {
          if (!LABEL.test(part)) {
            throw new TenantError(
              'TENANT_INVALID',
              'Invalid tenant: the subdomain is not a valid host name.',
            )
          }
        }
        const tenant = parts.join('.')
        return reservedSet.has(tenant) || parts.some((p) => reservedSet.has(p)) ? null : tenant
      }
      return null
    },
  }
}

/** Lower-cased host without port and trailing dot; `null` for none or an IP literal. */
function normalizeHost(raw: string | undefined): string | null {
  if (raw === undefined || raw.length === 0 || raw.startsWith('[')) return null // IPv6 literal
  let host = raw.toLowerCase()
  const colon = host.lastIndexOf(':')
  if (colon !== -1) {
    if (host.indexOf(':') !== colon) return null // a bare IPv6 address
    host = host.slice(0, colon)
  }
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (host.length === 0 || isIP(host) !== 0) return null
  return host
}

/**
 * The Host, refusing two of them: Node keeps only the first in `headers`, so a second Host naming
 * another tenant shows only in `request.rawHeaders` (not checked when the adapter gives none).
 */
function singleHost(request: TenantRequest): string | undefined {
  const host = hostOf(request)
  if (host !== undefined && sentTwice(request, 'host')) throw sentSeveral('the Host header')
  return host
}

/** With trustProxy, the first (client-facing) host of X-Forwarded-Host. */
function firstForwarded(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value
  if (first === undefined) return undefined
  const comma = first.indexOf(',')
  return (comma === -1 ? first : first.slice(0, comma)).trim()
}

function normalizeBase(base: unknown): string {
  const domain = typeof base === 'string' ? base.toLowerCase().replace(/^\.|\.$/g, '') : ''
  if (domain.length === 0 || isIP(domain) !== 0 || !domain.split('.').every((l) => LABEL.test(l))) {
    optionsError(
      '@tracium/core',
      `fromSubdomain: baseDomain ${JSON.stringify(base)} is not a domain name; use e.g. 'app.example.com'.`,
    )
  }
  return domain
}
