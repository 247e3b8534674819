/**
 * What the report trusts in a stored line. The store is a file anyone can append to (a crash
 * tears a line, another tool or version writes a field of another type), so every field the
 * report sums, sorts or prints is checked here, once per line, and a line that fails any check
 * is skipped and counted like a torn line. Before this check `"tenantId": 123` crashed the table
 * (`cell.padEnd is not a function`) and `"inputTokens": "lots"` turned the token sum into a
 * string.
 *
 * The reader (`read-store.ts`) calls {@link parseReportLine} per line; nothing else here reads
 * files, so the store's layout can change without touching these rules.
 */
import { SUMMARY_END, type TraceRecord, type TraceSummary } from '../records.js'

/**
 * The fields of one stored trace that the report and the rollups use: the summary fields, the
 * trace's model and the HTTP status of a request trace.
 * @example
 * ```ts
 * const trace: ReportTrace = { ...summary, modelId: 'gpt-4o-mini', httpStatus: 401 }
 * ```
 */
export interface ReportTrace extends TraceSummary {
  /** The trace's `modelId`, else the first span's that has one (request traces have none). */
  modelId: string | null
  /** `metadata.http.statusCode` of a request trace (`tracium.trace()`); `null` otherwise. */
  httpStatus: number | null
}

// The store writes every time with toISOString(): fixed width, UTC, so string order is time
// order and `slice(0, 13)` is the hour. Anchored, no nested quantifiers: linear time.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/**
 * A cost above this (USD, per trace) is not a cost but a wrong value: summing a few such values
 * must not reach `Infinity`.
 */
const MAX_COST_USD = 1e12

/**
 * Parses one stored line for the report, or `null` when it is not a whole, well-typed trace.
 *
 * It parses only what it reads, not the spans (most of a line): the summary fields and
 * `modelId` (up to `,"version":`; a trace without a model of its own takes its first span's,
 * so then the line is parsed whole), and, only when the line holds a `"statusCode"` after
 * `,"metadata":`, the metadata object (between `,"metadata":` and `,"summary":`). The cuts are safe: in JSON text
 * `,"version":` and `,"metadata":` can only be keys (a quote inside a string is escaped) and every
 * field before them is a scalar or an array of strings, so their first occurrences are the
 * top-level keys. `,"summary":` may also be a key nested in the metadata; then the cut text does
 * not parse (an object is left open) and the line is parsed whole instead.
 * @example
 * ```ts
 * parseReportLine('{"id":"t1","tenantId":123,…}') // null: skipped and counted
 * ```
 */
export function parseReportLine(line: string): ReportTrace | null {
  if (line.charCodeAt(line.length - 1) !== 0x7d /* } */) return null
  if (line.indexOf(SUMMARY_END) === -1) return null // not a trace line of any version
  const version = line.indexOf(VERSION_KEY)
  const head = version === -1 ? undefined : parseJson(`${line.slice(0, version)}}`)
  if (head === undefined) return parseWhole(line)
  // No model on the trace (request traces have none) but one further on, likely on a span:
  // the spans must be read for the trace's model.
  if ((head as { modelId?: unknown }).modelId === null && line.includes('"modelId":"', version)) {
    return parseWhole(line)
  }
  const metadata = line.indexOf(METADATA_KEY, version)
  const end = metadata === -1 ? -1 : line.indexOf(SUMMARY_KEY, metadata)
  if (end === -1) return parseWhole(line)
  // Not `code < end`: `end` may be a "summary" key nested in the metadata, before the status.
  if (line.indexOf('"statusCode"', metadata) !== -1) {
    const value = parseJson(line.slice(metadata + METADATA_KEY.length, end))
    if (value === undefined) return parseWhole(line)
    ;(head as { metadata?: unknown }).metadata = value
  }
  return toReportTrace(head)
}

const VERSION_KEY = ',"version":'
const METADATA_KEY = ',"metadata":'
const SUMMARY_KEY = ',"summary":'

function parseWhole(line: string): ReportTrace | null {
  const whole = parseJson(line)
  return whole === undefined ? null : toReportTrace(whole)
}

/**
 * The report's view of a parsed record, or `null` when a field it uses has the wrong type: an id
 * or agent that is not a non-empty string, a tenant or model that is neither a string nor
 * `null`, a status other than `completed`/`failed`, a time not written by `toISOString()`, a
 * negative or non-finite duration, a token count that is not a non-negative safe integer, a
 * cost that is negative, non-finite or absurd (over 10^12 USD).
 * @example
 * ```ts
 * toReportTrace(JSON.parse(line)) ?? skipped++
 * ```
 */
export function toReportTrace(value: unknown): ReportTrace | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const v = value as Record<string, unknown>
  const { id, tenantId, agentName, status, startedAt, endedAt, durationMs } = v
  if (typeof id !== 'string' || id === '') return null
  if (tenantId !== null && typeof tenantId !== 'string') return null
  if (typeof agentName !== 'string' || agentName === '') return null
  if (status !== 'completed' && status !== 'failed') return null
  if (!isInstant(startedAt) || !isInstant(endedAt)) return null
  if (typeof durationMs !== 'number' || !(durationMs >= 0) || durationMs === Infinity) return null
  const inputTokens = tokens(v.inputTokens)
  const outputTokens = tokens(v.outputTokens)
  const cachedInputTokens = tokens(v.cachedInputTokens)
  if (inputTokens === null || outputTokens === null || cachedInputTokens === null) return null
  const costUsd = v.costUsd ?? null
  if (costUsd !== null && !(typeof costUsd === 'number' && costUsd >= 0 && costUsd <= MAX_COST_USD))
    return null
  const modelId = v.modelId ?? spanModel(v.spans)
  if (modelId !== null && typeof modelId !== 'string') return null
  return {
    id,
    tenantId,
    agentName,
    status,
    startedAt,
    endedAt,
    durationMs,
    inputTokens,
    outputTokens,
    cachedInputTokens,
    costUsd,
    modelId,
    httpStatus: httpStatusOf(v.metadata),
  }
}

/**
 * A full record whose report fields are well typed ({@link toReportTrace}) and whose `spans` is
 * an array, or `null`: what `tracium traces` and `tracium trace <id>` accept.
 * @example
 * ```ts
 * const record = validRecord(JSON.parse(line))
 * ```
 */
export function validRecord(value: unknown): TraceRecord | null {
  if (toReportTrace(value) === null) return null
  const record = value as TraceRecord
  return Array.isArray(record.spans) ? record : null
}

/**
 * `metadata.http.statusCode` when it is an HTTP status (an integer 100–599), else `null`.
 * Metadata is the user's too, so a foreign shape there is no reason to skip the trace.
 * @example
 * ```ts
 * httpStatusOf({ http: { statusCode: 404 } }) // 404
 * ```
 */
export function httpStatusOf(metadata: unknown): number | null {
  if (typeof metadata !== 'object' || metadata === null) return null
  const http: unknown = (metadata as { http?: unknown }).http
  if (typeof http !== 'object' || http === null) return null
  const code: unknown = (http as { statusCode?: unknown }).statusCode
  return Number.isInteger(code) && (code as number) >= 100 && (code as number) <= 599
    ? (code as number)
    : null
}

// The trace's model when it has none of its own: the first span's (in the order the spans were
// written) that names one. A span of another shape is passed over, not a reason to skip.
function spanModel(spans: unknown): string | null {
  if (!Array.isArray(spans)) return null
  for (const span of spans) {
    const model: unknown = typeof span === 'object' && span !== null ? span.modelId : null
    if (typeof model === 'string') return model
  }
  return null
}

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value)
}

// A missing count is 0, what the SDK writes when no span reported tokens; a present one must be
// a count.
function tokens(value: unknown): number | null {
  if (value === undefined) return 0
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
