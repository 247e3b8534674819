/**
 * The data an exporter receives: one {@link TraceRecord} per finished trace, with its spans.
 * It is also the line format of the local store (one `JSON.stringify(record)` per line), so its
 * fields only grow; readers ignore fields they do not know.
 */

/**
 * Status of a trace or span. `in_progress` only appears on a span the trace outlived.
 * @example
 * ```ts
 * if (record.status === 'failed') alert(record.error)
 * ```
 */
export type TraceStatus = 'in_progress' | 'completed' | 'failed'

/**
 * Well-known span types; any other non-empty string is a custom type.
 * @example
 * ```ts
 * const type: SpanType = 'rerank' // a custom type
 * ```
 */
// `string & {}` keeps editor completion for the known names while accepting any string.
export type SpanType = 'llm' | 'retrieval' | 'tool' | 'plan' | 'action' | 'custom' | (string & {})

/**
 * One finished span. Times are ISO 8601; durations are milliseconds with µs precision.
 * @example
 * ```ts
 * record.spans.filter((s) => s.spanType === 'llm').map((s) => s.latencyMs)
 * ```
 */
export interface SpanRecord {
  id: string
  traceId: string
  /** The enclosing span, or `null` for a top-level span. */
  parentSpanId: string | null
  /** The tenant when the span started (S5). */
  tenantId: string | null
  spanType: SpanType
  name: string
  status: TraceStatus
  startedAt: string
  /** `null` while the span is still running (the trace ended first). */
  completedAt: string | null
  latencyMs: number | null
  modelId: string | null
  inputTokens: number | null
  outputTokens: number | null
  cachedInputTokens: number | null
  /** USD, when `init({ prices })` knows the span's model and the span has token counts. */
  costUsd: number | null
  input: unknown
  output: unknown
  error: string | null
  tags: string[]
  metadata: Record<string, unknown>
}

/**
 * One finished trace. The key order is part of the store format: the scalar summary fields
 * ({@link TraceSummary}) come first and `modelId` right after them, so the report can parse a
 * line only up to `"modelId"` and skip the spans.
 * @example
 * ```ts
 * const exporter: TraceExporter = { export: (t: TraceRecord) => console.log(t.tenantId, t.durationMs) }
 * ```
 */
export interface TraceRecord {
  id: string
  /** The tenant when the trace started (S5). */
  tenantId: string | null
  agentName: string
  status: Exclude<TraceStatus, 'in_progress'>
  startedAt: string
  endedAt: string
  durationMs: number
  /** Sum over spans; `0` when no span reported tokens. */
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  /** Sum of the spans' `costUsd`; `null` when no span could be priced. */
  costUsd: number | null
  modelId: string | null
  version: string | null
  tags: string[]
  metadata: Record<string, unknown>
  summary: unknown
  error: string | null
  spans: SpanRecord[]
}

/**
 * The leading fields of a stored trace: all the report reads.
 * @example
 * ```ts
 * for await (const s of readTraceSummaries()) total += s.durationMs
 * ```
 */
export type TraceSummary = Pick<
  TraceRecord,
  | 'id'
  | 'tenantId'
  | 'agentName'
  | 'status'
  | 'startedAt'
  | 'endedAt'
  | 'durationMs'
  | 'inputTokens'
  | 'outputTokens'
  | 'cachedInputTokens'
  | 'costUsd'
>

/**
 * Where the summary fields of a stored line end (see {@link TraceSummary}).
 * @example
 * ```ts
 * line.slice(0, line.indexOf(SUMMARY_END)) + '}' // the summary's JSON
 * ```
 */
export const SUMMARY_END = ',"modelId":'

/**
 * The keys of a {@link TraceRecord} in the order `Trace.toRecord` writes them, which is the
 * order of a stored line: the reader cuts lines at keys (`report/valid-trace.ts`), so a record
 * in another order may read differently from its line (`store/lines.ts`).
 * @example
 * ```ts
 * Object.keys(trace.toRecord()) // RECORD_KEYS
 * ```
 */
export const RECORD_KEYS: readonly (keyof TraceRecord)[] = [
  'id',
  'tenantId',
  'agentName',
  'status',
  'startedAt',
  'endedAt',
  'durationMs',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'costUsd',
  'modelId',
  'version',
  'tags',
  'metadata',
  'summary',
  'error',
  'spans',
]
