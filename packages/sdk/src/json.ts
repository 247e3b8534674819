/**
 * JSON for exporters. Span input and output are whatever the app passed, so a BigInt or a cycle
 * must not make an exporter throw (fail-open): plain `JSON.stringify` first, a tolerant
 * fallback only when it fails.
 */

/**
 * `JSON.stringify(value)`, or, when that throws, a version with BigInts as strings and repeated
 * objects as `"[Circular]"`.
 * @example
 * ```ts
 * safeStringify({ n: 1n }) // '{"n":"1"}'
 * ```
 */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    const seen = new WeakSet<object>()
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString()
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[Circular]'
        seen.add(v)
      }
      return v
    })
  }
}
