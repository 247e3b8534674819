/**
 * Environment fallbacks, as the Python SDK reads them: an explicit option wins, then the
 * variable, then the default. (`TRACIUM_DIR` is read in `store-path.ts`.)
 */

/** Where the Tracium HTTP API lives when neither `baseUrl` nor `TRACIUM_BASE_URL` says. */
export const DEFAULT_BASE_URL = 'https://api.tracium.ai'

/**
 * `apiKey`, else env `TRACIUM_API_KEY`, else `undefined`. Empty strings count as unset.
 * @example
 * ```ts
 * resolveApiKey(undefined) // process.env.TRACIUM_API_KEY
 * ```
 */
export function resolveApiKey(apiKey?: string): string | undefined {
  return apiKey || process.env.TRACIUM_API_KEY || undefined
}

/**
 * `baseUrl`, else env `TRACIUM_BASE_URL`, else {@link DEFAULT_BASE_URL}.
 * @example
 * ```ts
 * resolveBaseUrl() // 'https://api.tracium.ai' when TRACIUM_BASE_URL is unset
 * ```
 */
export function resolveBaseUrl(baseUrl?: string): string {
  return baseUrl || process.env.TRACIUM_BASE_URL || DEFAULT_BASE_URL
}
