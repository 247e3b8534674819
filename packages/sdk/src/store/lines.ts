/**
 * How a trace becomes a store line. Lines are read back by `report/valid-trace.ts`, by the
 * reader (`report/read-store.ts`) and, through {@link toStoreLine}, by the segment writer for
 * its rollup alike.
 */
import { safeStringify } from '../json.js'
import { RECORD_KEYS, type TraceRecord } from '../records.js'
import { parseReportLine, type ReportTrace, toReportTrace } from '../report/valid-trace.js'

// JSON leaves U+2028 and U+2029 unescaped, and Node 24's readline ends lines at them: escape
// them so a line is a line for every reader. `\u2028` parses back to the same string.
const LINE_SEPARATORS = /[\u2028\u2029]/g
const HAS_LINE_SEPARATOR = /[\u2028\u2029]/

/**
 * One trace as one store line (without the newline).
 * @example
 * ```ts
 * toLine(record) // '{"id":"…","tenantId":"acme",…}'
 * ```
 */
export function toLine(trace: TraceRecord): string {
  const json = safeStringify(trace)
  // Tested first: replace() copies the whole line even when it replaces nothing, and almost no
  // line holds either character.
  if (!HAS_LINE_SEPARATOR.test(json)) return json
  return json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'))
}

/** A trace on its way to a segment: its line, and what a reader of that line will see. */
export interface StoreLine {
  readonly text: string
  /** `parseReportLine(text)`: the segment's rollup adds it; `null` is a skipped line. */
  readonly report: ReportTrace | null
}

/**
 * The line of `trace` and the report's view of it, for the segment writer's rollup.
 *
 * The view is read off the record rather than parsed back from the line: parsing every line
 * again cost about as much as serializing it (bench/README.md). For plain data, what the SDK
 * builds and what `JSON.parse` returns, it is the same view: every field the report reads must
 * be a string, a finite number in range or `null` to pass {@link toReportTrace}, and JSON
 * writes those and reads them back unchanged. A record JSON would write otherwise where the
 * report reads (see {@link readsAsWritten}), or one that fails the check, takes the reader's
 * own parse of the line.
 * @example
 * ```ts
 * const { text, report } = toStoreLine(record) // report: null for a line the report skips
 * ```
 */
export function toStoreLine(trace: TraceRecord): StoreLine {
  const text = toLine(trace)
  const view = readsAsWritten(trace) ? toReportTrace(trace) : null
  return { text, report: view ?? parseReportLine(text) }
}

/**
 * The report fields of `trace` read the same from its JSON: its keys in the record's order, a
 * `modelId` that JSON does not leave out, no `-0` (written `0`), and plain data (no `toJSON`, no
 * class instance) in the record, its metadata, `metadata.http` and the spans it may take a
 * model from.
 */
function readsAsWritten(trace: TraceRecord): boolean {
  let index = 0
  for (const key in trace) if (key !== RECORD_KEYS[index++]) return false
  if (index !== RECORD_KEYS.length || trace.modelId === undefined) return false
  if (Object.is(trace.durationMs, -0) || Object.is(trace.costUsd, -0)) return false
  const metadata: unknown = trace.metadata
  if (!isPlainData(trace) || !isPlainData(metadata)) return false
  if (!isPlainData((metadata as { http?: unknown } | null)?.http)) return false
  if (trace.modelId !== null || !Array.isArray(trace.spans)) return true
  return trace.spans.every(isPlainData)
}

function isPlainData(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true
  const prototype: unknown = Object.getPrototypeOf(value)
  return (
    (prototype === Object.prototype || prototype === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  )
}
