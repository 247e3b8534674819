/**
 * `tracium traces`: the most recent traces, kept in a ring of `limit` rows while streaming, so
 * memory is bounded by the limit and not by the store.
 */
import type { TraceRecord } from '../records.js'
import { matches, type TraceFilters } from './filters.js'
import { type StatusClass, statusClass } from './rollup.js'
import { type ReportTrace, toReportTrace } from './valid-trace.js'

/** One listed trace. */
export interface TraceRow {
  id: string
  startedAt: string
  tenantId: string | null
  agentName: string
  status: TraceRecord['status']
  /** ok, client error or failed (see `rollup.ts`). */
  statusClass: StatusClass
  /** `metadata.http.statusCode` of a request trace; `null` otherwise. */
  httpStatus: number | null
  modelId: string | null
  durationMs: number
  spans: number
  inputTokens: number
  outputTokens: number
  costUsd: number | null
  error: string | null
}

/**
 * The last `limit` traces that pass `filters`, most recently ended first (the store's order is
 * the order traces ended).
 * @example
 * ```ts
 * const rows = await recentTraces(readTraces(), { tenant: 'acme' }, 20)
 * ```
 */
export async function recentTraces(
  traces: AsyncIterable<TraceRecord>,
  filters: TraceFilters,
  limit: number,
): Promise<TraceRow[]> {
  const ring: TraceRow[] = []
  let next = 0
  for await (const trace of traces) {
    // The reader yields only records whose report fields are well typed (valid-trace.ts).
    const facts = toReportTrace(trace)
    if (facts === null || !matches(facts, filters)) continue
    const row = toRow(trace, facts)
    if (ring.length < limit) ring.push(row)
    else ring[next] = row
    next = (next + 1) % limit
  }
  // Oldest is at `next` once the ring is full; unroll, then newest first.
  const ordered = ring.length < limit ? ring : [...ring.slice(next), ...ring.slice(0, next)]
  return ordered.reverse()
}

/**
 * {@link recentTraces} over a store's segments from the newest back
 * (`readSegmentsNewestFirst`): it stops at the first segments that hold `limit` matching
 * traces, so the time it takes follows the newest segments, not the size of the store. The rows
 * are the ones {@link recentTraces} gives over the whole store.
 * @example
 * ```ts
 * const rows = await recentStoreTraces(readSegmentsNewestFirst({ dir }, filters), filters, 20)
 * ```
 */
export async function recentStoreTraces(
  segments: AsyncIterable<AsyncIterable<TraceRecord>>,
  filters: TraceFilters,
  limit: number,
): Promise<TraceRow[]> {
  const rows: TraceRow[] = []
  if (limit <= 0) return rows
  for await (const traces of segments) {
    rows.push(...(await recentTraces(traces, filters, limit - rows.length)))
    if (rows.length === limit) break
  }
  return rows
}

function toRow(trace: TraceRecord, facts: ReportTrace): TraceRow {
  return {
    id: facts.id,
    startedAt: facts.startedAt,
    tenantId: facts.tenantId,
    agentName: facts.agentName,
    status: facts.status,
    statusClass: statusClass(facts),
    httpStatus: facts.httpStatus,
    modelId: facts.modelId,
    durationMs: facts.durationMs,
    spans: trace.spans.length,
    inputTokens: facts.inputTokens,
    outputTokens: facts.outputTokens,
    costUsd: facts.costUsd,
    error: typeof trace.error === 'string' ? trace.error : null,
  }
}
