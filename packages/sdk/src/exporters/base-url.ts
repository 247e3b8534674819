/**
 * The one check of an exporter's base URL option (`baseUrl` of the HTTP API exporter, `endpoint`
 * of OTLP): an http(s) URL, returned without trailing slashes so a path can be appended.
 */
import { invalidArgument } from '../errors.js'

/**
 * `value` without trailing slashes, when it is an http(s) URL.
 * @throws {TraciumError} `INVALID_ARGUMENT` naming `option` otherwise.
 * @example
 * ```ts
 * httpBaseUrl('endpoint', 'http://127.0.0.1:4318/') // 'http://127.0.0.1:4318'
 * ```
 */
export function httpBaseUrl(option: string, value: string): string {
  let protocol: string | undefined
  try {
    protocol = new URL(value).protocol
  } catch {}
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw invalidArgument(`${option} must be an http(s) URL, got ${JSON.stringify(value)}.`)
  }
  return value.replace(/\/+$/, '')
}
