/**
 * How a trace becomes a store line. Lines are read back by `report/valid-trace.ts`, by the
 * reader (`report/read-store.ts`) and by the segment writer for its rollup alike.
 */
import { safeStringify } from '../json.js'
import type { TraceRecord } from '../records.js'

// JSON leaves U+2028 and U+2029 unescaped, and Node 24's readline ends lines at them: escape
// them so a line is a line for every reader. `\u2028` parses back to the same string.
const LINE_SEPARATORS = /[\u2028\u2029]/g

/**
 * One trace as one store line (without the newline).
 * @example
 * ```ts
 * toLine(record) // '{"id":"…","tenantId":"acme",…}'
 * ```
 */
export function toLine(trace: TraceRecord): string {
  return safeStringify(trace).replace(LINE_SEPARATORS, (c) =>
    c === '\u2028' ? '\\u2028' : '\\u2029',
  )
}
