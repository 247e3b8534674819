/**
 * The report model, built from rollup cells (`rollup.ts`): totals, and rows per tenant, per
 * agent, per model and per day or hour. `tracium report` (every format) and `tracium ui` both
 * call {@link buildReport}, so they agree exactly.
 */
import { cellMatches, matches, type TraceFilters } from './filters.js'
import { addCell, type CellCounts, emptyCounts, Rollup, type RollupCell } from './rollup.js'
import type { ReportTrace } from './valid-trace.js'

/**
 * The sort orders of the tenant, agent and model rows: most first for numbers (ties by name),
 * `name` alphabetical (no tenant / no model last).
 * @example
 * ```ts
 * REPORT_SORTS.includes('p95') // true
 * ```
 */
export const REPORT_SORTS = [
  'traces',
  'failed',
  'error-rate',
  'client-errors',
  'p50',
  'p95',
  'tokens',
  'cost',
  'name',
] as const

/** One of {@link REPORT_SORTS}. */
export type ReportSort = (typeof REPORT_SORTS)[number]

/** The time buckets of a report's `buckets` rows: UTC days or hours. */
export type ReportBucket = 'day' | 'hour'

/**
 * Options of {@link buildReport}.
 * @example
 * ```ts
 * buildReport(rollup.cells(), {}, { by: 'hour', sort: 'cost' })
 * ```
 */
export interface ReportOptions {
  /** Bucket size of `buckets`. Default: `'day'`. */
  by?: ReportBucket
  /** Order of the tenant, agent and model rows. Default: `'traces'`. */
  sort?: ReportSort
  /** The store the cells came from, shown in the report. Default: `null`. */
  file?: string | null
  /** Lines the reader skipped (torn or wrongly typed), shown in the report. Default: `0`. */
  skippedLines?: number
}

/**
 * The numbers of one row (a tenant, agent, model, time bucket, or the total).
 * @example
 * ```ts
 * `${row.failed} of ${row.traces} failed`
 * ```
 */
export interface ReportStats {
  traces: number
  /** Completed with a 1xx–3xx status, or a completed trace that is not a request. */
  ok: number
  /** Completed with a 4xx status. */
  clientErrors: number
  /** Of `clientErrors`, 401s (e.g. no tenant with `required: true`, a bad token). */
  unauthorized: number
  /** Of `clientErrors`, 403s (e.g. `authorize` refused the tenant). */
  forbidden: number
  /** Failed: 5xx, aborted by the client, a failed span, or `trace.fail()`. */
  failed: number
  /** `failed / traces`; `0` without traces. */
  errorRate: number
  /** `clientErrors / traces`; `0` without traces. */
  clientErrorRate: number
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

/** A tenant's row; `tenantId: null` gathers the traces without a tenant. */
export interface TenantRow extends ReportStats {
  tenantId: string | null
}

/** An agent's row. */
export interface AgentRow extends ReportStats {
  agentName: string
}

/** A model's row; `modelId: null` gathers the traces without a model. */
export interface ModelRow extends ReportStats {
  modelId: string | null
}

/** A time bucket's row. */
export interface BucketRow extends ReportStats {
  /** Start of the UTC day or hour, e.g. `2025-03-01T00:00:00.000Z`. */
  start: string
}

/**
 * A report: what `tracium report --format json` prints.
 * @example
 * ```ts
 * report.tenants.find((t) => t.tenantId === 'acme')?.costUsd
 * ```
 */
export interface Report {
  file: string | null
  filters: TraceFilters
  by: ReportBucket
  sort: ReportSort
  /** Lines skipped: not a whole trace (torn by a crash) or a field of the wrong type. */
  skippedLines: number
  total: ReportStats
  /** Sorted by `sort`. */
  tenants: TenantRow[]
  /** Sorted by `sort`. */
  agents: AgentRow[]
  /** Sorted by `sort`. */
  models: ModelRow[]
  /** Buckets that have traces, oldest first. */
  buckets: BucketRow[]
}

type Sums = CellCounts & { ok: number; clientErrors: number; failed: number }

function emptySums(): Sums {
  return { ...emptyCounts(), ok: 0, clientErrors: 0, failed: 0 }
}

function addTo<K>(map: Map<K, Sums>, key: K, cell: RollupCell): void {
  let sums = map.get(key)
  if (sums === undefined) {
    sums = emptySums()
    map.set(key, sums)
  }
  add(sums, cell)
}

function add(sums: Sums, cell: RollupCell): void {
  addCell(sums, cell)
  if (cell.status === 'ok') sums.ok += cell.traces
  else if (cell.status === 'client-error') sums.clientErrors += cell.traces
  else sums.failed += cell.traces
}

/**
 * Builds the report from rollup cells: the cells that pass `filters` ({@link cellMatches}) are
 * summed per tenant, agent, model and time bucket.
 *
 * Cells of an hour the time window covers only in part must hold only the traces in the window
 * (as {@link rollupTraces} builds them); see `hourCoverage` in `filters.ts`.
 * @example
 * ```ts
 * const rollup = await rollupTraces(readTraceSummaries(), filters)
 * const report = buildReport(rollup.cells(), filters, { by: 'day', sort: 'cost' })
 * ```
 */
export function buildReport(
  cells: Iterable<RollupCell>,
  filters: TraceFilters,
  options: ReportOptions = {},
): Report {
  const by = options.by ?? 'day'
  const sort = options.sort ?? 'traces'
  const total = emptySums()
  const tenants = new Map<string | null, Sums>()
  const agents = new Map<string, Sums>()
  const models = new Map<string | null, Sums>()
  const buckets = new Map<string, Sums>()
  for (const cell of cells) {
    if (!cellMatches(cell, filters)) continue
    add(total, cell)
    addTo(tenants, cell.tenantId, cell)
    addTo(agents, cell.agentName, cell)
    addTo(models, cell.modelId, cell)
    addTo(buckets, by === 'day' ? `${cell.hour.slice(0, 10)}T00:00:00.000Z` : cell.hour, cell)
  }
  const rows = <K, R>(map: Map<K, Sums>, row: (key: K, stats: ReportStats) => R) =>
    [...map].map(([key, sums]) => ({ name: key, row: row(key, stats(sums)) }))
  return {
    file: options.file ?? null,
    filters,
    by,
    sort,
    skippedLines: options.skippedLines ?? 0,
    total: stats(total),
    tenants: sorted(
      rows(tenants, (tenantId, s) => ({ tenantId, ...s })),
      sort,
    ),
    agents: sorted(
      rows(agents, (agentName, s) => ({ agentName, ...s })),
      sort,
    ),
    models: sorted(
      rows(models, (modelId, s) => ({ modelId, ...s })),
      sort,
    ),
    buckets: [...buckets]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([start, sums]) => ({ start, ...stats(sums) })),
  }
}

/**
 * Counts the traces that pass `filters` ({@link matches}) into a new rollup.
 * @example
 * ```ts
 * const rollup = await rollupTraces(readTraceSummaries({ dir }), { tenant: 'acme' })
 * ```
 */
export async function rollupTraces(
  traces: AsyncIterable<ReportTrace> | Iterable<ReportTrace>,
  filters: TraceFilters = {},
): Promise<Rollup> {
  const rollup = new Rollup()
  for await (const trace of traces) if (matches(trace, filters)) rollup.addTrace(trace)
  return rollup
}

function stats(s: Sums): ReportStats {
  return {
    traces: s.traces,
    ok: s.ok,
    clientErrors: s.clientErrors,
    unauthorized: s.unauthorized,
    forbidden: s.forbidden,
    failed: s.failed,
    errorRate: s.traces === 0 ? 0 : s.failed / s.traces,
    clientErrorRate: s.traces === 0 ? 0 : s.clientErrors / s.traces,
    p50Ms: roundMicros(s.durations.quantile(0.5)),
    p95Ms: roundMicros(s.durations.quantile(0.95)),
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    cachedInputTokens: s.cachedInputTokens,
    costUsd: s.costUsd,
  }
}

const SORT_VALUE: Record<Exclude<ReportSort, 'name'>, (s: ReportStats) => number> = {
  traces: (s) => s.traces,
  failed: (s) => s.failed,
  'error-rate': (s) => s.errorRate,
  'client-errors': (s) => s.clientErrors,
  p50: (s) => s.p50Ms ?? -1,
  p95: (s) => s.p95Ms ?? -1,
  tokens: (s) => s.inputTokens + s.outputTokens,
  cost: (s) => s.costUsd ?? -1,
}

function sorted<R extends ReportStats>(
  rows: { name: string | null; row: R }[],
  sort: ReportSort,
): R[] {
  const value = sort === 'name' ? null : SORT_VALUE[sort]
  rows.sort((a, b) => (value ? value(b.row) - value(a.row) : 0) || compareNames(a.name, b.name))
  return rows.map((r) => r.row)
}

// Names in code-unit order (stable across locales); `null` (no tenant, no model) last.
function compareNames(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return a < b ? -1 : 1
}

// The quantiles are approximations within 1 %; more digits than µs would only suggest precision.
function roundMicros(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 1000) / 1000
}
