/**
 * Wiring mistakes that cannot be seen when the middleware is created (a route registered before
 * it, a tenant required where no middleware ran) are told once, at the first request that shows
 * them, as a process warning naming the fix. Never in production: there the request still fails
 * safe (no tenant is guessed), and logs are not flooded.
 */

/** Warning code of {@link warnMisuse}, for `process.on('warning')` filters. */
export const MISUSE_WARNING_CODE = 'TRACIUM_MISUSE'

// In the global symbol registry, so two copies of core (S8) warn once between them.
const WARNED_KEY = Symbol.for('@tracium/core:misuse-warned')
type Registry = { [WARNED_KEY]?: Set<string> }

/**
 * Emits `message` as a process warning once per `key` and process, and never when
 * `NODE_ENV` is `production`. For adapters that find a wiring mistake at request time.
 *
 * @param key what the mistake is, e.g. `express:routes-before-middleware`.
 * @param message what is wrong and how to fix it; starts with the package name.
 * @example
 * ```ts
 * warnMisuse('express:routes-before', '@tracium/express: mount traciumTenant() before your routes.')
 * ```
 */
export function warnMisuse(key: string, message: string): void {
  if (process.env.NODE_ENV === 'production') return
  const registry = globalThis as Registry
  registry[WARNED_KEY] ??= new Set()
  const warned = registry[WARNED_KEY]
  if (warned.has(key)) return
  warned.add(key)
  process.emitWarning(message, { code: MISUSE_WARNING_CODE })
}
