/**
 * The allowlist of outgoing tenant propagation: exact origins (`scheme://host[:port]`), compared
 * after the WHATWG URL parser's normalisation (letter case, default ports, IDN to punycode,
 * IPv6 brackets), so `https://Billing.Internal:443` and `https://billing.internal` are one origin
 * and `https://billing.internal.evil.io` is another.
 */
import { optionsError } from '../resolution/options.js'

const PACKAGE = '@tracium/core'

/**
 * Parses the configured origins once; throws a `TraciumOptionsError` that says how to write the
 * first bad entry. Returns the normalised origins.
 */
export function parseOrigins(origins: unknown): ReadonlySet<string> {
  if (!Array.isArray(origins) || origins.length === 0) {
    optionsError(
      PACKAGE,
      'propagateTenant(): option "origins" must be a non-empty array of origins, e.g. { origins: [\'https://billing.internal\'] }. ' +
        'The tenant is only ever sent to the origins listed there.',
    )
  }
  const result = new Set<string>()
  for (const entry of origins) result.add(parseOrigin(entry))
  return result
}

function parseOrigin(entry: unknown): string {
  const shown = JSON.stringify(entry)
  const bad = (why: string): never =>
    optionsError(
      PACKAGE,
      `propagateTenant(): origin ${shown} ${why} Write an absolute origin, scheme://host[:port], such as 'https://billing.internal' or 'http://127.0.0.1:4001'.`,
    )
  if (typeof entry !== 'string') return bad('is not a string.')
  // A pattern would let one typo (or one attacker-registered domain) receive every tenant id.
  if (entry.includes('*'))
    return bad('is a wildcard; only exact origins are allowed, list each one.')
  let url: URL
  try {
    url = new URL(entry)
  } catch {
    return bad('is not an absolute URL.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return bad(`has the scheme "${url.protocol}"; only http: and https: are propagated.`)
  }
  if (url.username !== '' || url.password !== '') return bad('holds credentials.')
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(entry)) {
    return bad('has a path, query or fragment; the allowlist matches whole origins.')
  }
  return url.origin
}

// Most processes talk to a handful of origins: remember each answer instead of parsing the same
// origin string on every request. Bounded, so a process calling millions of hosts stays flat.
const CACHE_LIMIT = 512

/** Tells whether request origins (as clients spell them) are on the allowlist. */
export class OriginMatcher {
  readonly #allowed: ReadonlySet<string>
  readonly #seen = new Map<string, boolean>()

  constructor(allowed: ReadonlySet<string>) {
    this.#allowed = allowed
  }

  /** `origin` is anything `new URL()` reads: `http://127.0.0.1:4001`, a full URL, a `URL`. */
  matches(origin: string): boolean {
    const known = this.#seen.get(origin)
    if (known !== undefined) return known
    const allowed = this.#allowed.has(normalise(origin))
    if (this.#seen.size >= CACHE_LIMIT) this.#seen.clear()
    this.#seen.set(origin, allowed)
    return allowed
  }
}

function normalise(origin: string): string {
  try {
    return new URL(origin).origin
  } catch {
    return 'null' // an opaque origin, never on the list (parseOrigins refuses it)
  }
}
