/**
 * The Python SDK's limits, in one place. Identifiers (agent name, trace id, tags, model id,
 * version, span name) are checked when a trace or span starts and break with a
 * {@link TraciumError} that names the field, as Python raises `ValueError`; free text that
 * describes a failure (error text) is cut instead, because a failure must never fail again while
 * it is being recorded.
 *
 * Lengths count Unicode code points, as Python's `len()` does.
 */
import { invalidArgument } from './errors.js'

/**
 * Every limit the SDK applies.
 * @example
 * ```ts
 * LIMITS.tagCount // 100
 * ```
 */
export const LIMITS = {
  /** Agent name: 1–256 characters of `[A-Za-z0-9 ._-]`. */
  agentNameLength: 256,
  /** Trace id (when you pass one): 1–256 characters of `[A-Za-z0-9_-]`. */
  traceIdLength: 256,
  /** Tags per trace or span, after case-insensitive de-duplication. */
  tagCount: 100,
  /** Characters per tag. */
  tagLength: 128,
  /** Metadata, as UTF-8 bytes of its JSON. */
  metadataBytes: 1024 * 1024,
  /** Error text is cut at this many characters and gets {@link TRUNCATED_SUFFIX}. */
  errorLength: 10_000,
  /** Span name. */
  spanNameLength: 512,
  /** Model id. */
  modelIdLength: 256,
  /** Version. */
  versionLength: 128,
} as const

/**
 * Appended to error text cut at {@link LIMITS}.errorLength, as the Python SDK does.
 * @example
 * ```ts
 * errorText('e'.repeat(10_001)).endsWith(TRUNCATED_SUFFIX) // true
 * ```
 */
export const TRUNCATED_SUFFIX = '... (truncated)'

const AGENT_NAME = /^[A-Za-z0-9 ._-]+$/
const TRACE_ID = /^[A-Za-z0-9_-]+$/

/**
 * Checks an agent name: 1–256 characters of letters, digits, space, `.`, `_` and `-`.
 * @throws {TraciumError} `INVALID_ARGUMENT` otherwise.
 * @example
 * ```ts
 * validateAgentName('support-bot v2') // 'support-bot v2'
 * validateAgentName('support/bot')    // throws
 * ```
 */
export function validateAgentName(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`agentName must be a non-empty string, got ${describe(value)}.`)
  }
  if (value.length > LIMITS.agentNameLength) {
    throw invalidArgument(`agentName must be at most ${LIMITS.agentNameLength} characters.`)
  }
  if (!AGENT_NAME.test(value)) {
    throw invalidArgument(
      'agentName may only contain letters, digits, spaces, ".", "_" and "-" ' +
        `(got ${JSON.stringify(value)}).`,
    )
  }
  return value
}

/**
 * Checks a caller-chosen trace id: 1–256 characters of letters, digits, `_` and `-`.
 * @throws {TraciumError} `INVALID_ARGUMENT` otherwise.
 * @example
 * ```ts
 * validateTraceId('order-1234') // 'order-1234'
 * ```
 */
export function validateTraceId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`traceId must be a non-empty string, got ${describe(value)}.`)
  }
  if (value.length > LIMITS.traceIdLength || !TRACE_ID.test(value)) {
    throw invalidArgument(
      `traceId must be 1–${LIMITS.traceIdLength} characters of letters, digits, "_" and "-".`,
    )
  }
  return value
}

/**
 * Merges tag lists, keeping the first spelling of tags that differ only in case, as the Python
 * SDK does (`'Beta'` and `'beta'` are one tag).
 * @throws {TraciumError} `INVALID_ARGUMENT` for a tag that is not a non-empty string of at most
 *   128 characters, or more than 100 distinct tags.
 * @example
 * ```ts
 * normalizeTags(['prod', 'Beta'], ['beta', 'eu']) // ['prod', 'Beta', 'eu']
 * ```
 */
export function normalizeTags(...lists: ReadonlyArray<unknown>[]): string[] {
  const seen = new Set<string>()
  const tags: string[] = []
  for (const list of lists) {
    if (!Array.isArray(list)) throw invalidArgument(`tags must be an array of strings.`)
    for (const tag of list) {
      if (typeof tag !== 'string' || tag.length === 0) {
        throw invalidArgument(`each tag must be a non-empty string, got ${describe(tag)}.`)
      }
      if (codePointLength(tag) > LIMITS.tagLength) {
        throw invalidArgument(`each tag must be at most ${LIMITS.tagLength} characters.`)
      }
      const key = tag.toLowerCase()
      if (seen.has(key)) continue
      seen.add(key)
      tags.push(tag)
    }
  }
  if (tags.length > LIMITS.tagCount) {
    throw invalidArgument(`at most ${LIMITS.tagCount} tags are allowed, got ${tags.length}.`)
  }
  return tags
}

/**
 * Checks metadata: a plain object whose JSON, merged over `base` (e.g. `defaultMetadata`), is
 * at most 1 MB. Returns the merged object.
 * @throws {TraciumError} `INVALID_ARGUMENT` for anything else.
 * @example
 * ```ts
 * validateMetadata({ plan: 'pro' }) // { plan: 'pro' }
 * ```
 */
export function validateMetadata(
  value: unknown,
  base?: Record<string, unknown>,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`metadata must be a plain object, got ${describe(value)}.`)
  }
  // Merged first, so the size limit applies to what is stored, with one serialization.
  const merged = base === undefined ? (value as Record<string, unknown>) : { ...base, ...value }
  let json: string
  try {
    json = JSON.stringify(merged)
  } catch (cause) {
    throw invalidArgument(`metadata must be JSON-serializable (${String(cause)}).`)
  }
  if (Buffer.byteLength(json) > LIMITS.metadataBytes) {
    throw invalidArgument(`metadata must be at most 1 MB as JSON.`)
  }
  return merged
}

/**
 * Checks an optional bounded string (`modelId`, `version`, span `name`): `undefined` and `null`
 * become `null`.
 * @throws {TraciumError} `INVALID_ARGUMENT` for an empty or too long string or another type.
 * @example
 * ```ts
 * optionalText('gpt-4o', 'modelId', LIMITS.modelIdLength) // 'gpt-4o'
 * ```
 */
export function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${field} must be a non-empty string, got ${describe(value)}.`)
  }
  if (codePointLength(value) > max) {
    throw invalidArgument(`${field} must be at most ${max} characters.`)
  }
  return value
}

/**
 * The text recorded for a failure: `Name: message` for errors (as Python's
 * `f"{type(e).__name__}: {e}"`), the string itself for strings, cut at 10,000 characters with
 * `... (truncated)`.
 * @example
 * ```ts
 * errorText(new TypeError('bad input')) // 'TypeError: bad input'
 * ```
 */
export function errorText(error: unknown): string {
  return truncate(describeError(error), LIMITS.errorLength)
}

/**
 * Cuts `text` to `max` code points and appends {@link TRUNCATED_SUFFIX}; shorter text is
 * returned unchanged.
 * @example
 * ```ts
 * truncate('abcdef', 3) // 'abc... (truncated)'
 * ```
 */
export function truncate(text: string, max: number): string {
  // Fast path: at most `max` UTF-16 units is at most `max` code points.
  if (text.length <= max) return text
  let units = 0
  let count = 0
  for (const char of text) {
    if (count === max) return `${text.slice(0, units)}${TRUNCATED_SUFFIX}`
    units += char.length
    count++
  }
  return text
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}

function codePointLength(value: string): number {
  let count = 0
  for (const _ of value) count++
  return count
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}
