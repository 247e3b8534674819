/**
 * The dashboard's one door to the report code: every number the page shows comes from
 * `buildReport` over the same rollup cells `tracium report` builds (`report/build-report.ts`),
 * so the page and the report agree exactly. Nothing else under `ui/` reads the store; when the
 * store learns segments and rollup sidecars, only {@link storeRollup} changes.
 */
import type { TraceRecord } from '../records.js'
import {
  buildReport,
  type Report,
  type ReportBucket,
  type ReportStats,
} from '../report/build-report.js'
import { cellMatches, type TraceFilters } from '../report/filters.js'
import { readSegmentsNewestFirst, readStoreRollup } from '../report/read-store.js'
import { recentStoreTraces, type TraceRow } from '../report/recent.js'
import { Rollup, type StatusClass } from '../report/rollup.js'
import { findTrace } from '../report/trace-view.js'
import { storeDir } from '../store-path.js'

/** The tenant filter value (and row key) for traces without a tenant. */
export const NO_TENANT = '(none)'

/** The filters every view shares (the page keeps them in its URL). Unset matches everything. */
export interface UiFilters {
  /** ISO 8601 instant: traces that started at or after it. */
  from?: string
  /** ISO 8601 instant: traces that started before it. */
  to?: string
  /** Exact tenant id, or {@link NO_TENANT}. */
  tenant?: string
  agent?: string
  /** The trace's model. */
  model?: string
  status?: StatusClass
}

/** Where the store is. */
export interface UiStore {
  dir?: string
}

/** Time buckets of the Over time view. */
export type Bucket = ReportBucket

/**
 * The report's filters for the page's: the one translation between the two.
 * @example
 * ```ts
 * reportFilters({ tenant: NO_TENANT, from: '2025-03-01T00:00:00.000Z' }) // { tenant: null, since: … }
 * ```
 */
export function reportFilters(filters: UiFilters): TraceFilters {
  const out: TraceFilters = {}
  if (filters.tenant !== undefined)
    out.tenant = filters.tenant === NO_TENANT ? null : filters.tenant
  if (filters.agent !== undefined) out.agent = filters.agent
  if (filters.model !== undefined) out.model = filters.model
  if (filters.status !== undefined) out.status = filters.status
  if (filters.from !== undefined) out.since = filters.from
  if (filters.to !== undefined) out.until = filters.to
  return out
}

/** A rollup of the store's traces that pass `filters`, with what the reader skipped. */
interface StoreRollup {
  rollup: Rollup
  file: string
  skippedLines: number
}

/**
 * The only place the dashboard aggregates the store, as `tracium report` does: rollup sidecars
 * plus the lines no sidecar covers. `by: 'day'` may answer from day cells (the day cache).
 */
async function storeRollup(
  store: UiStore,
  filters: TraceFilters,
  by: Bucket = 'day',
): Promise<StoreRollup> {
  try {
    const { rollup, dir, skippedLines } = await readStoreRollup({ ...store, by }, filters)
    return { rollup, file: dir, skippedLines }
  } catch (error) {
    // No store yet: the dashboard shows no traces until the app writes its first one.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    return { rollup: new Rollup(), file: storeDir(store.dir), skippedLines: 0 }
  }
}

async function report(
  store: UiStore,
  filters: TraceFilters,
  by: Bucket = 'day',
): Promise<{ report: Report; source: StoreRollup }> {
  const source = await storeRollup(store, filters, by)
  const options = { by, file: source.file, skippedLines: source.skippedLines }
  return { report: buildReport(source.rollup.cells(), filters, options), source }
}

/** `Tenants` view: the report for the window, the previous window and per-day counts. */
export interface TenantsView {
  /** What `tracium report --json` prints for the same filters. */
  report: Report
  /** The report of the window of the same length just before, when the window has a start. */
  previous: Report | null
  /** Day starts (ISO) of the sparklines, oldest first. */
  days: string[]
  /** Traces per day per tenant (key: tenant id or {@link NO_TENANT}), aligned with `days`. */
  sparklines: Record<string, number[]>
}

/**
 * The Tenants view.
 * @example
 * ```ts
 * const view = await tenantsView({ dir: '.tracium' }, { from: '2025-03-01T00:00:00.000Z' }, new Date())
 * ```
 */
export async function tenantsView(
  store: UiStore,
  filters: UiFilters,
  now: Date,
): Promise<TenantsView> {
  const wanted = reportFilters(filters)
  const { report: current, source } = await report(store, wanted)
  let previous: Report | null = null
  if (filters.from !== undefined) {
    const start = Date.parse(filters.from)
    const end = filters.to === undefined ? now.getTime() : Date.parse(filters.to)
    const before = { ...wanted, since: iso(start - (end - start)), until: filters.from }
    previous = (await report(store, before)).report
  }
  const lastMs = filters.to === undefined ? now.getTime() : Date.parse(filters.to) - 1
  const perTenant = new Map<string, Map<number, number>>()
  let earliest = Number.POSITIVE_INFINITY
  for (const cell of source.rollup.cells()) {
    if (!cellMatches(cell, wanted)) continue
    const day = floorTo(Date.parse(cell.hour), DAY_MS)
    earliest = Math.min(earliest, day)
    const key = cell.tenantId ?? NO_TENANT
    let days = perTenant.get(key)
    if (days === undefined) {
      days = new Map()
      perTenant.set(key, days)
    }
    days.set(day, (days.get(day) ?? 0) + cell.traces)
  }
  const firstMs = filters.from === undefined ? Math.min(earliest, lastMs) : Date.parse(filters.from)
  const dayStarts = range(floorTo(firstMs, DAY_MS), floorTo(lastMs, DAY_MS), DAY_MS, 366)
  const sparklines: Record<string, number[]> = {}
  for (const [key, days] of perTenant) sparklines[key] = dayStarts.map((d) => days.get(d) ?? 0)
  return { report: current, previous, days: dayStarts.map(iso), sparklines }
}

/** One line of the Over time view: one value per bucket. */
export interface Series {
  /** Tenant id, {@link NO_TENANT}, or `null` for all traces. */
  tenantId: string | null
  requests: number[]
  /** `null` where the bucket has no trace. */
  p95Ms: (number | null)[]
  errorRate: (number | null)[]
  costUsd: number[]
}

/** The Over time view. */
export interface SeriesView {
  bucket: Bucket
  /** Bucket starts, ISO, oldest first. */
  buckets: string[]
  /** All traces first, then the asked tenants in the order asked. */
  series: Series[]
}

/**
 * The Over time view: requests, p95, error rate and cost per bucket, overall and per tenant,
 * each line the `buckets` rows of `buildReport` for that tenant.
 * @example
 * ```ts
 * await seriesView({}, { from }, 'hour', ['acme', 'globex'], new Date())
 * ```
 */
export async function seriesView(
  store: UiStore,
  filters: UiFilters,
  bucket: Bucket,
  tenants: string[],
  now: Date,
): Promise<SeriesView> {
  const wanted = reportFilters(filters)
  const { report: all, source } = await report(store, wanted, bucket)
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS
  const times = all.buckets.map((b) => Date.parse(b.start))
  const first =
    filters.from === undefined ? Math.min(...times) : floorTo(Date.parse(filters.from), size)
  const lastMs = filters.to === undefined ? now.getTime() : Date.parse(filters.to) - 1
  const last = floorTo(Math.max(lastMs, ...times), size)
  const starts =
    times.length === 0 && filters.from === undefined ? [] : range(first, last, size, 2000)
  const line = (tenantId: string | null, rows: Report['buckets']): Series => {
    const at = new Map(rows.map((r) => [Date.parse(r.start), r as ReportStats]))
    const cells = starts.map((s) => at.get(s))
    return {
      tenantId,
      requests: cells.map((c) => c?.traces ?? 0),
      p95Ms: cells.map((c) => c?.p95Ms ?? null),
      errorRate: cells.map((c) => (c === undefined ? null : c.errorRate)),
      costUsd: cells.map((c) => c?.costUsd ?? 0),
    }
  }
  const series = [line(null, all.buckets)]
  const cells = [...source.rollup.cells()]
  for (const tenant of tenants) {
    const only = { ...wanted, tenant: tenant === NO_TENANT ? null : tenant }
    series.push(line(tenant, buildReport(cells, only, { by: bucket }).buckets))
  }
  return { bucket, buckets: starts.map(iso), series }
}

/** The One tenant view. */
export interface TenantView {
  tenantId: string
  /** The tenant's report: its total, agents and models. */
  report: Report
  recent: TraceRow[]
  failed: TraceRow[]
}

/**
 * The One tenant view: its agents and models, its recent and failed traces.
 * @example
 * ```ts
 * await tenantView({}, 'acme', {})
 * ```
 */
export async function tenantView(
  store: UiStore,
  tenantId: string,
  filters: UiFilters,
  limit = 20,
): Promise<TenantView> {
  const own = reportFilters({ ...filters, tenant: tenantId })
  const failed: TraceFilters = { ...own, status: 'failed' }
  return {
    tenantId,
    report: (await report(store, own)).report,
    recent: await recentStoreTraces(newestFirst(store, own), own, limit),
    failed: await recentStoreTraces(newestFirst(store, failed), failed, limit),
  }
}

/**
 * One trace with its spans, or `null` when the store has none with that id.
 * @example
 * ```ts
 * const trace = await traceView({}, '5f0c…')
 * ```
 */
export function traceView(store: UiStore, id: string): Promise<TraceRecord | null> {
  return findTrace(newestFirst(store), id)
}

/** What the filters can choose from. */
export interface MetaView {
  file: string
  tenants: string[]
  agents: string[]
  models: string[]
  skippedLines: number
}

/**
 * The values the filter menus offer, over the whole store.
 * @example
 * ```ts
 * const { tenants } = await metaView({})
 * ```
 */
export async function metaView(store: UiStore): Promise<MetaView> {
  const { rollup, file, skippedLines } = await storeRollup(store, {})
  const tenants = new Set<string>()
  const agents = new Set<string>()
  const models = new Set<string>()
  for (const cell of rollup.cells()) {
    tenants.add(cell.tenantId ?? NO_TENANT)
    agents.add(cell.agentName)
    if (cell.modelId !== null) models.add(cell.modelId)
  }
  const sorted = (s: Set<string>) => [...s].sort()
  return {
    file,
    tenants: sorted(tenants),
    agents: sorted(agents),
    models: sorted(models),
    skippedLines,
  }
}

// No store yet: the dashboard shows no traces until the app writes its first one.
async function* tolerateMissing<T>(reader: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* reader
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/** The store's segments newest first (`readSegmentsNewestFirst`), none when there is no store. */
function newestFirst(store: UiStore, filters: TraceFilters = {}) {
  return tolerateMissing(readSegmentsNewestFirst(store, filters))
}

const HOUR_MS = 3600e3
const DAY_MS = 86400e3

function floorTo(ms: number, size: number): number {
  return Math.floor(ms / size) * size
}

function range(first: number, last: number, step: number, max: number): number[] {
  const out: number[] = []
  if (!Number.isFinite(first) || !Number.isFinite(last)) return out
  for (let at = Math.max(first, last - (max - 1) * step); at <= last; at += step) out.push(at)
  return out
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
