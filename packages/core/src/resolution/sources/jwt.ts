/**
 * `fromJwt`: the tenant from a claim of a verified JSON Web Token (R3). Verification is jose's;
 * this file only picks the key, extracts the token, maps failures and caches successes.
 */
import { createPublicKey, KeyObject, type webcrypto } from 'node:crypto'
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
  type RemoteJWKSetOptions,
} from 'jose'
import { TenantError } from '../../errors.js'
import { optionsError } from '../options.js'
import { repeatsHidden, sentTwice } from '../raw-headers.js'
import type { TenantRequest } from '../request.js'
import type { ClaimedTenant, TenantSource } from '../source.js'
import { readCookie } from './cookie.js'
import { isHeaderName } from './header.js'
import { VerifiedTokenCache } from './jwt-cache.js'

/** Options of {@link fromJwt}. Give exactly one of `secret`, `publicKey`, `jwks`, `jwksUri`. */
export interface JwtSourceOptions {
  /** Shared secret for HS256/384/512. At least 32 bytes. */
  secret?: string | Uint8Array
  /** Public key (PEM string, JWK, `KeyObject` or `webcrypto.CryptoKey`) for RS*, PS*, ES* or EdDSA. */
  publicKey?: string | JWK | KeyObject | webcrypto.CryptoKey
  /** A local JSON Web Key Set; the token's `kid` picks the key. */
  jwks?: JSONWebKeySet
  /** URL of a remote JWKS, fetched and cached by jose (`createRemoteJWKSet`). */
  jwksUri?: string | URL
  /** Options for the remote JWKS: `timeoutDuration`, `cooldownDuration`, `cacheMaxAge`, … */
  remoteJwksOptions?: RemoteJWKSetOptions
  /**
   * Accepted algorithms. Required with `publicKey`, `jwks` and `jwksUri`; HMAC algorithms are
   * refused there (algorithm confusion) and `none` is never accepted.
   * Default with `secret`: `['HS256']`.
   */
  algorithms?: readonly string[]
  /** Required `iss` value(s). Default: not checked. */
  issuer?: string | readonly string[]
  /** Required `aud` value(s). Default: not checked. */
  audience?: string | readonly string[]
  /** Seconds of clock skew allowed for `exp`, `nbf` and `iat`. Default: `0`. */
  clockTolerance?: number
  /** Maximum age in seconds since `iat`; tokens without `iat` are then refused. Default: none. */
  maxTokenAge?: number
  /**
   * The claim holding the tenant: a name, a dotted path (`org.id`) or a namespaced claim
   * (`https://example.com/tenant_id`, matched whole first). Its value is a string, or a number
   * that is a safe integer (`42` → `'42'`). Any other number (`1.5`, `2^53` and beyond, where
   * JSON loses digits: `9007199254740993` parses as `…992`) is `TENANT_INVALID`: issue such ids
   * as strings. Default: `'tenant_id'`.
   */
  claim?: string
  /**
   * Header carrying the token. `authorization` expects `Bearer <token>` (other schemes are not
   * ours and yield no tenant); any other header holds the bare token. The header sent twice is
   * `TOKEN_INVALID`: a second `Authorization` is found in `request.rawHeaders` (Node keeps only
   * the first in `headers`), a repeat of another header by the comma Node joins it with.
   * Default: `'authorization'`.
   */
  header?: string
  /**
   * Read the token from this cookie instead of a header; a cookie sent twice is `TOKEN_INVALID`.
   * Default: none.
   */
  cookie?: string
  /** Longer tokens are refused before any parsing. Default: `8192` characters. */
  maxTokenLength?: number
  /**
   * How many verified tokens to remember (the least recently used go first, approximately;
   * never past `exp`); `0` turns caching off. Default: `1000`.
   */
  cacheSize?: number
}

const HMAC = ['HS256', 'HS384', 'HS512']
const ASYMMETRIC = [
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  ...['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'],
]
const WHITE_SPACE = /\s/
const NOT_SPACE = /[^ ]/g
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1
}
const PKG = '@tracium/core'

/**
 * Reads the tenant from a claim of a JWT that jose has verified (signature, `exp`, `nbf`, and
 * `iss`/`aud` when configured). A token that is present but fails any check is `TOKEN_INVALID`
 * (401) and never falls through to the next source (R3); a missing, empty or non-string claim
 * is `TENANT_INVALID` (safe integers excepted, see `claim`). Error messages say why, never echo
 * the token. The verified claims reach `authorize` and the adapters' `req.tenant.claims`, deeply
 * frozen: shared by every request with the same token, they cannot be changed by any of them.
 *
 * @example
 * ```ts
 * fromJwt({ secret: process.env.JWT_SECRET!, issuer: 'https://auth.example.com', claim: 'org_id' })
 * fromJwt({ jwksUri: 'https://auth.example.com/.well-known/jwks.json', algorithms: ['RS256'] })
 * ```
 */
export function fromJwt(options: JwtSourceOptions): TenantSource {
  const {
    claim = 'tenant_id',
    header = 'authorization',
    cookie,
    maxTokenLength = 8192,
    cacheSize = 1000,
  } = options ?? {}
  const key = verificationKey(options ?? {})
  const verifyOptions = verifyOptionsOf(options, key.algorithms)
  const cache = new VerifiedTokenCache(checkCount('cacheSize', cacheSize))
  checkCount('maxTokenLength', maxTokenLength)
  if (!isHeaderName(header)) {
    optionsError(PKG, `fromJwt: header ${JSON.stringify(header)} is not a valid header name.`)
  }
  const headerName = header.toLowerCase()
  const rawCheck = repeatsHidden(headerName)
  const extract = (request: TenantRequest): string | null =>
    cookie === undefined
      ? tokenFromHeader(request, headerName, rawCheck)
      : readCookie(request, cookie, tokenSentTwice)

  async function verify(token: string, now: number): Promise<ClaimedTenant> {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key.get as JWTVerifyGetKey, verifyOptions))
    } catch (error) {
      throw verificationError(error, options.jwksUri)
    }
    // Frozen once, here, and shared by every request the cache answers: no copy per request,
    // and no request (nor `authorize`) can change the claims another request sees.
    const value = { tenantId: claimValue(payload, claim), claims: deepFreeze(payload) }
    cache.set(token, value, expiryOf(payload, options.maxTokenAge), now)
    return value
  }

  return {
    name: `jwt:${claim}`,
    read(request) {
      const token = extract(request)
      if (token === null) return null
      if (token.length === 0) throw tokenInvalid('the token is empty')
      if (token.length > maxTokenLength) throw tokenInvalid('the token is too large')
      const now = Date.now()
      // A cache hit stays synchronous, so a repeated token costs a map lookup.
      return cache.get(token, now) ?? verify(token, now)
    },
  }
}

interface VerificationKey {
  readonly get: JWTVerifyGetKey | Uint8Array | KeyObject | webcrypto.CryptoKey
  readonly algorithms: string[]
}

function verificationKey(options: JwtSourceOptions): VerificationKey {
  const given = (['secret', 'publicKey', 'jwks', 'jwksUri'] as const).filter(
    (k) => options[k] !== undefined,
  )
  if (given.length !== 1) {
    optionsError(
      PKG,
      `fromJwt: give exactly one of secret, publicKey, jwks or jwksUri (got ${given.join(', ') || 'none'}).`,
    )
  }
  if (options.secret !== undefined) {
    const secret =
      typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret
    if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
      optionsError(PKG, 'fromJwt: secret must be at least 32 bytes (256 bits) for HMAC.')
    }
    return {
      get: secret,
      algorithms: algorithmsOf(options.algorithms ?? ['HS256'], HMAC, 'secret'),
    }
  }
  const algorithms = options.algorithms
  if (algorithms === undefined) {
    optionsError(
      PKG,
      `fromJwt: with ${given[0]}, list the accepted algorithms, e.g. algorithms: ['RS256'].`,
    )
  }
  const allowed = algorithmsOf(algorithms, ASYMMETRIC, given[0]!)
  if (options.jwks !== undefined)
    return { get: createLocalJWKSet(options.jwks), algorithms: allowed }
  if (options.jwksUri !== undefined) {
    let url: URL
    try {
      url = new URL(options.jwksUri)
    } catch {
      optionsError(PKG, `fromJwt: jwksUri ${JSON.stringify(String(options.jwksUri))} is not a URL.`)
    }
    return { get: createRemoteJWKSet(url, options.remoteJwksOptions), algorithms: allowed }
  }
  return { get: publicKeyOf(options.publicKey!), algorithms: allowed }
}

function publicKeyOf(
  key: NonNullable<JwtSourceOptions['publicKey']>,
): KeyObject | webcrypto.CryptoKey {
  // Node 20 has CryptoKey as a global only (webcrypto.CryptoKey is a type there).
  const CryptoKeyClass = (globalThis as { CryptoKey?: new () => webcrypto.CryptoKey }).CryptoKey
  if (CryptoKeyClass !== undefined && key instanceof CryptoKeyClass) return key
  if (key instanceof KeyObject) return key
  try {
    return typeof key === 'string'
      ? createPublicKey(key)
      : createPublicKey({ key: key as JWK, format: 'jwk' })
  } catch (cause) {
    optionsError(PKG, 'fromJwt: publicKey is not a PEM or JWK public key.', cause)
  }
}

function algorithmsOf(list: readonly string[], allowed: string[], keyKind: string): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    optionsError(PKG, "fromJwt: algorithms must be a non-empty list, e.g. ['RS256'].")
  }
  for (const alg of list) {
    if (!allowed.includes(alg)) {
      optionsError(
        PKG,
        `fromJwt: algorithm ${JSON.stringify(alg)} cannot be used with ${keyKind}; allowed: ${allowed.join(', ')}.`,
      )
    }
  }
  return [...list]
}

function verifyOptionsOf(options: JwtSourceOptions, algorithms: string[]): JWTVerifyOptions {
  const verify: JWTVerifyOptions = { algorithms }
  if (options.issuer !== undefined) verify.issuer = options.issuer as string | string[]
  if (options.audience !== undefined) verify.audience = options.audience as string | string[]
  if (options.clockTolerance !== undefined) {
    verify.clockTolerance = checkCount('clockTolerance', options.clockTolerance)
  }
  if (options.maxTokenAge !== undefined) {
    verify.maxTokenAge = checkCount('maxTokenAge', options.maxTokenAge)
  }
  return verify
}

function tokenFromHeader(request: TenantRequest, name: string, rawCheck: boolean): string | null {
  const value = request.headers[name]
  if (value === undefined) return null
  // Node keeps only the first Authorization header in `headers`: a second one, perhaps with a
  // token for another tenant, shows only in the raw list.
  if (typeof value !== 'string' || (rawCheck && sentTwice(request, name))) {
    throw tokenInvalid('the token header was sent more than once')
  }
  if (name !== 'authorization') {
    // Node joins repeats of other headers with ", "; a JWT never holds a comma.
    if (value.includes(',')) throw tokenInvalid('the token header was sent more than once')
    return value.trim()
  }
  return bearerToken(value)
}

/**
 * The token of `Bearer <token>` (scheme case-insensitive, spaces around the token allowed),
 * scanned from left to right in linear time: no backtracking pattern (the old /^bearer +(\S*) *$/i
 * was quadratic in a long run of spaces; the only expressions left test one character class per
 * position). A Bearer credential we cannot parse is a bad token, never a reason to try the next
 * source (R3); another scheme (Basic, …) is not a token of ours: no tenant from this source.
 */
function bearerToken(value: string): string | null {
  // The usual spelling first, without the scan: a token that holds no white space.
  if (value.startsWith('Bearer ')) {
    const token = value.slice(7)
    if (!WHITE_SPACE.test(token)) return token
  }
  if (value.length < 6 || value.slice(0, 6).toLowerCase() !== 'bearer') return null
  if (value.length > 6 && isTokenChar(value.charCodeAt(6))) return null // `Bearerx`: not ours
  const start = notSpaceFrom(value, 6)
  if (start === 6) throw tokenInvalid('the Authorization header is malformed') // `Bearer\t…`
  let end = value.indexOf(' ', start)
  if (end === -1) end = value.length
  const token = value.slice(start, end)
  if (notSpaceFrom(value, end) !== value.length) {
    throw tokenInvalid('the Authorization header is malformed') // two words
  }
  if (WHITE_SPACE.test(token)) throw tokenInvalid('the Authorization header is malformed')
  return token
}

/**
 * The index of the first character other than a space at or after `from`, else `value.length`.
 * A one-character class tried once per position: no backtracking, and native speed on a long run.
 */
function notSpaceFrom(value: string, from: number): number {
  NOT_SPACE.lastIndex = from
  return NOT_SPACE.exec(value)?.index ?? value.length
}

/** RFC 9110 `tchar`: a character that may continue an auth scheme's name. */
function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1
}

/** The tenant in `claim`: the whole name first (namespaced claims contain dots), then a path. */
function claimValue(payload: JWTPayload, claim: string): string {
  let value: unknown = Object.hasOwn(payload, claim) ? payload[claim] : undefined
  if (value === undefined && claim.includes('.')) {
    value = payload
    for (const part of claim.split('.')) {
      value =
        typeof value === 'object' && value !== null && Object.hasOwn(value, part)
          ? (value as Record<string, unknown>)[part]
          : undefined
    }
  }
  if (typeof value === 'number') {
    // JSON numbers are doubles: above 2^53 two ids can parse to one number (…993 reads as …992),
    // so two customers would merge. Only an exact integer is an id.
    if (Number.isSafeInteger(value)) return String(value)
    throw new TenantError(
      'TENANT_INVALID',
      `Invalid tenant: the token's "${claim}" claim is a number that is not a safe integer ` +
        '(a fraction, or beyond 2^53 - 1, where JSON numbers lose digits); send the id as a string.',
    )
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new TenantError(
      'TENANT_INVALID',
      `Invalid tenant: the token's "${claim}" claim is missing or is not a string.`,
    )
  }
  return value
}

/**
 * Freezes a verified payload and everything in it. It is JSON (jose parsed it), so objects and
 * arrays are all there is and there are no cycles; a work list instead of recursion, so a deeply
 * nested payload cannot exhaust the stack.
 */
function deepFreeze(payload: JWTPayload): JWTPayload {
  const pending: object[] = [payload]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    Object.freeze(next)
    for (const child of Object.values(next)) {
      if (typeof child === 'object' && child !== null) pending.push(child)
    }
  }
  return payload
}

function expiryOf(payload: JWTPayload, maxTokenAge: number | undefined): number {
  let until = typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY
  if (maxTokenAge !== undefined && typeof payload.iat === 'number') {
    until = Math.min(until, (payload.iat + maxTokenAge) * 1000)
  }
  return until
}

const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature is not valid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token algorithm is not accepted',
  ERR_JWKS_NO_MATCHING_KEY: 'no known key matches the token',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'the token matches several keys',
  ERR_JWS_INVALID: 'the token is malformed',
  ERR_JWT_INVALID: 'the token is malformed',
  ERR_JOSE_NOT_SUPPORTED: 'the token uses an unsupported algorithm',
}

function verificationError(error: unknown, jwksUri: JwtSourceOptions['jwksUri']): Error {
  const code = (error as { code?: unknown })?.code
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const claim = (error as { claim?: string }).claim ?? 'a'
    const reason =
      claim === 'nbf'
        ? 'the token is not valid yet'
        : `the token's "${claim}" claim is not accepted`
    return tokenInvalid(reason, error)
  }
  if (typeof code === 'string' && code in REASONS) return tokenInvalid(REASONS[code]!, error)
  if (
    jwksUri !== undefined &&
    (code === 'ERR_JWKS_TIMEOUT' ||
      code === 'ERR_JWKS_INVALID' ||
      code === undefined ||
      code === 'ERR_JOSE_GENERIC')
  ) {
    // The key server is down: not the client's fault, so not a 401. The adapter hands this to
    // the framework's error handling (a 500).
    // The URL without credentials or query: the message may reach an error page or a log.
    return new Error(`@tracium/core: fromJwt could not fetch the JWKS from ${safeUrl(jwksUri)}.`, {
      cause: error,
    })
  }
  return tokenInvalid('the token could not be verified', error)
}

function tokenSentTwice(name: string): TenantError {
  return tokenInvalid(`the cookie "${name}" was sent twice`)
}

function tokenInvalid(reason: string, cause?: unknown): TenantError {
  return new TenantError('TOKEN_INVALID', `Invalid token: ${reason}.`, { cause })
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    optionsError(PKG, `fromJwt: ${name} must be a whole number of at least 0.`)
  }
  return value
}

/** `scheme://host/path` of a JWKS URL, without userinfo, query or fragment. */
function safeUrl(url: string | URL): string {
  try {
    const { origin, pathname } = new URL(url)
    return origin + pathname
  } catch {
    return 'the configured jwksUri'
  }
}
