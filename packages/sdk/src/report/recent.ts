/**
 * `tracium traces`: the most recent traces, kept in a ring of `limit` rows while streaming, so
 * memory is bounded by the limit and not by the store.
 */
import type { TraceRecord } from '../records.js'
import { matches, type TraceFilters } from './filters.js'

/** One listed trace. */
export interface TraceRow {
  id: string
  startedAt: string
  tenantId: string | null
  agentName: string
  status: TraceRecord['status']
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
    if (!matches(trace, filters)) continue
    const row = toRow(trace)
    if (ring.length < limit) ring.push(row)
    else ring[next] = row
    next = (next + 1) % limit
  }
  // Oldest is at `next` once the ring is full; unroll, then newest first.
  const ordered = ring.length < limit ? ring : [...ring.slice(next), ...ring.slice(0, next)]
  return ordered.reverse()
}

function toRow(trace: TraceRecord): TraceRow {
  return {
    id: trace.id,
    startedAt: trace.startedAt,
    tenantId: trace.tenantId ?? null,
    agentName: trace.agentName,
    status: trace.status,
    durationMs: trace.durationMs,
    spans: trace.spans?.length ?? 0,
    inputTokens: trace.inputTokens ?? 0,
    outputTokens: trace.outputTokens ?? 0,
    costUsd: trace.costUsd ?? null,
    error: trace.error ?? null,
  }
}
