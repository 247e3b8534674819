/**
 * The SDK's version, sent in `User-Agent: tracium-js/<version>`. A constant rather than a read of
 * package.json so the ESM and CJS builds need no file access; a test keeps it equal to
 * package.json's `version`.
 * @example
 * ```ts
 * tracium.SDK_VERSION // '0.1.0'
 * ```
 */
export const SDK_VERSION = '0.1.0'
