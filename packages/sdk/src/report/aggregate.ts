/**
 * The per-tenant report: one pass over the store, constant memory per tenant.
 */
import type { TraceSummary } from '../records.js'
import { matches, type TraceFilters } from './filters.js'
import { LogHistogram } from './histogram.js'
import type { TraceReader } from './read-store.js'

/** One row of the report: a tenant, or the total. */
export interface ReportRow {
  /** The tenant, or `null` for traces without one (and for the total row). */
  tenantId: string | null
  traces: number
  failed: number
  /** `failed / traces`. */
  errorRate: number
  /** Median duration in ms, within 1 % (see `histogram.ts`); `null` without traces. */
  p50Ms: number | null
  /** 95th percentile duration in ms, within 1 %; `null` without traces. */
  p95Ms: number | null
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  /** USD, summed over traces that carry a cost; `null` when none does (no `prices`). */
  costUsd: number | null
}

/** The report of one store. */
export interface Report {
  file: string
  filters: TraceFilters
  /** Lines skipped as not a whole trace (a torn last line after a crash). */
  skippedLines: number
  /** By number of traces, most first; ties by tenant id. */
  tenants: ReportRow[]
  total: ReportRow
}

class Accumulator {
  traces = 0
  failed = 0
  inputTokens = 0
  outputTokens = 0
  cachedInputTokens = 0
  costUsd: number | null = null
  readonly durations = new LogHistogram()

  constructor(readonly tenantId: string | null) {}

  add(trace: TraceSummary): void {
    this.traces++
    if (trace.status === 'failed') this.failed++
    this.durations.add(trace.durationMs)
    this.inputTokens += trace.inputTokens ?? 0
    this.outputTokens += trace.outputTokens ?? 0
    this.cachedInputTokens += trace.cachedInputTokens ?? 0
    if (typeof trace.costUsd === 'number') this.costUsd = (this.costUsd ?? 0) + trace.costUsd
  }

  row(): ReportRow {
    return {
      tenantId: this.tenantId,
      traces: this.traces,
      failed: this.failed,
      errorRate: this.traces === 0 ? 0 : this.failed / this.traces,
      p50Ms: roundMicros(this.durations.quantile(0.5)),
      p95Ms: roundMicros(this.durations.quantile(0.95)),
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cachedInputTokens: this.cachedInputTokens,
      costUsd: this.costUsd,
    }
  }
}

/**
 * Builds the per-tenant report from a stream of traces.
 * @example
 * ```ts
 * const reader = readTraceSummaries({ dir: '.tracium' })
 * const report = await buildReport(reader, { since: '2025-01-01T00:00:00.000Z' })
 * ```
 */
export async function buildReport(
  reader: TraceReader<TraceSummary>,
  filters: TraceFilters,
): Promise<Report> {
  const tenants = new Map<string | null, Accumulator>()
  const total = new Accumulator(null)
  for await (const trace of reader) {
    if (!matches(trace, filters)) continue
    const tenantId = trace.tenantId ?? null
    let tenant = tenants.get(tenantId)
    if (tenant === undefined) {
      tenant = new Accumulator(tenantId)
      tenants.set(tenantId, tenant)
    }
    tenant.add(trace)
    total.add(trace)
  }
  const rows = [...tenants.values()].map((t) => t.row())
  rows.sort((a, b) => b.traces - a.traces || compareTenants(a.tenantId, b.tenantId))
  return {
    file: reader.file,
    filters,
    skippedLines: reader.skippedLines,
    tenants: rows,
    total: total.row(),
  }
}

function compareTenants(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return a < b ? -1 : 1
}

// The quantiles are approximations within 1 %; more digits than µs would only suggest precision.
function roundMicros(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 1000) / 1000
}
