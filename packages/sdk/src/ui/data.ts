/**
 * The dashboard's one door to the report code: every number the page shows is computed here by
 * the same functions `tracium report` uses (`buildReport`, `recentTraces`, the log histogram), so
 * the page and the report agree exactly. Nothing else under `ui/` reads the store.
 */
import type { TraceRecord, TraceSummary } from '../records.js'
import { buildReport, type Report, type ReportRow } from '../report/aggregate.js'
import { matches } from '../report/filters.js'
import { LogHistogram } from '../report/histogram.js'
import { readTraces, type TraceReader } from '../report/read-store.js'
import { recentTraces, type TraceRow } from '../report/recent.js'

/** The tenant filter value that selects traces without a tenant. */
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
  /** `completed` or `failed`. */
  status?: string
}

/** Where the store is. */
export interface UiStore {
  dir?: string
}

/** Time buckets of the Over time view. */
export type Bucket = 'hour' | 'day'

const BUCKET_MS: Record<Bucket, number> = { hour: 3600e3, day: 86400e3 }

/** `Tenants` view: the report for the window, the previous window and per-day counts. */
export interface TenantsView {
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
  const report = await buildReport(filtered(store, filters), reportFilters(filters))
  let previous: Report | null = null
  if (filters.from !== undefined) {
    const start = Date.parse(filters.from)
    const end = filters.to === undefined ? now.getTime() : Date.parse(filters.to)
    const window = { ...filters, from: iso(start - (end - start)), to: filters.from }
    previous = await buildReport(filtered(store, window), reportFilters(window))
  }
  const firstMs = filters.from === undefined ? null : Date.parse(filters.from)
  const lastMs = filters.to === undefined ? now.getTime() : Date.parse(filters.to) - 1
  const counts = new Map<string, Map<number, number>>()
  let earliest = Number.POSITIVE_INFINITY
  for await (const trace of filtered(store, filters)) {
    const day = floorTo(Date.parse(trace.startedAt), BUCKET_MS.day)
    earliest = Math.min(earliest, day)
    const key = tenantKey(trace.tenantId)
    let perDay = counts.get(key)
    if (perDay === undefined) {
      perDay = new Map()
      counts.set(key, perDay)
    }
    perDay.set(day, (perDay.get(day) ?? 0) + 1)
  }
  const start = floorTo(firstMs ?? (Number.isFinite(earliest) ? earliest : lastMs), BUCKET_MS.day)
  const dayStarts = range(start, floorTo(lastMs, BUCKET_MS.day), BUCKET_MS.day, 366)
  const sparklines: Record<string, number[]> = {}
  for (const [key, perDay] of counts) sparklines[key] = dayStarts.map((d) => perDay.get(d) ?? 0)
  return { report, previous, days: dayStarts.map(iso), sparklines }
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
  /** `overall` first, then the asked tenants in the order asked. */
  series: Series[]
}

/**
 * The Over time view: requests, p95, error rate and cost per bucket, overall and per tenant.
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
  const size = BUCKET_MS[bucket]
  const groups = new Map<string | null, Map<number, BucketAcc>>([[null, new Map()]])
  for (const t of tenants) groups.set(t, new Map())
  let earliest = Number.POSITIVE_INFINITY
  let latest = Number.NEGATIVE_INFINITY
  for await (const trace of filtered(store, filters)) {
    const at = floorTo(Date.parse(trace.startedAt), size)
    earliest = Math.min(earliest, at)
    latest = Math.max(latest, at)
    bucketOf(groups.get(null), at)?.add(trace)
    bucketOf(groups.get(tenantKey(trace.tenantId)), at)?.add(trace)
  }
  const first = filters.from === undefined ? earliest : floorTo(Date.parse(filters.from), size)
  const last =
    filters.to === undefined
      ? Math.max(latest, floorTo(now.getTime(), size))
      : floorTo(Date.parse(filters.to) - 1, size)
  const starts = Number.isFinite(first) ? range(first, last, size, 2000) : []
  const series = [...groups].map(([tenantId, perBucket]): Series => {
    const cells = starts.map((s) => perBucket.get(s))
    return {
      tenantId,
      requests: cells.map((c) => c?.traces ?? 0),
      p95Ms: cells.map((c) => c?.p95() ?? null),
      errorRate: cells.map((c) => (c ? c.failed / c.traces : null)),
      costUsd: cells.map((c) => c?.costUsd ?? 0),
    }
  })
  return { bucket, buckets: starts.map(iso), series }
}

/** The One tenant view. */
export interface TenantView {
  tenantId: string
  /** One row per agent (`tenantId` holds the agent name). */
  agents: ReportRow[]
  /** One row per model (`tenantId` holds the model, `null` for traces without one). */
  models: ReportRow[]
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
  const own = { ...filters, tenant: tenantId }
  // buildReport groups by `tenantId`: regrouping by agent or model reuses its arithmetic whole.
  const by = async (key: (t: TraceRecord) => string | null) =>
    (await buildReport(regrouped(filtered(store, own), key), {})).tenants
  return {
    tenantId,
    agents: await by((t) => t.agentName),
    models: await by((t) => t.modelId),
    recent: await recentTraces(filtered(store, own), {}, limit),
    failed: await recentTraces(filtered(store, { ...own, status: 'failed' }), {}, limit),
  }
}

/**
 * One trace with its spans, or `null` when the store has none with that id.
 * @example
 * ```ts
 * const trace = await traceView({}, '5f0c…')
 * ```
 */
export async function traceView(store: UiStore, id: string): Promise<TraceRecord | null> {
  let found: TraceRecord | null = null
  // The last line with the id wins, as a store is append-only.
  for await (const trace of readTraces(store)) if (trace.id === id) found = trace
  return found
}

/** What the filters can choose from. */
export interface MetaView {
  file: string
  tenants: string[]
  agents: string[]
  models: string[]
  /** ISO start of the oldest and newest trace; `null` for an empty store. */
  first: string | null
  last: string | null
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
  const tenants = new Set<string>()
  const agents = new Set<string>()
  const models = new Set<string>()
  let first: string | null = null
  let last: string | null = null
  const reader = sane(readTraces(store))
  for await (const trace of reader) {
    tenants.add(tenantKey(trace.tenantId))
    agents.add(trace.agentName)
    if (trace.modelId !== null) models.add(trace.modelId)
    if (first === null || trace.startedAt < first) first = trace.startedAt
    if (last === null || trace.startedAt > last) last = trace.startedAt
  }
  const sorted = (s: Set<string>) => [...s].sort()
  return {
    file: reader.file,
    tenants: sorted(tenants),
    agents: sorted(agents),
    models: sorted(models),
    first,
    last,
    skippedLines: reader.skippedLines,
  }
}

class BucketAcc {
  traces = 0
  failed = 0
  costUsd = 0
  readonly durations = new LogHistogram()

  add(trace: TraceRecord): void {
    this.traces++
    if (trace.status === 'failed') this.failed++
    if (typeof trace.costUsd === 'number') this.costUsd += trace.costUsd
    this.durations.add(trace.durationMs)
  }

  p95(): number | null {
    const q = this.durations.quantile(0.95)
    return q === null ? null : Math.round(q * 1000) / 1000
  }
}

function bucketOf(
  perBucket: Map<number, BucketAcc> | undefined,
  at: number,
): BucketAcc | undefined {
  if (perBucket === undefined) return undefined
  let acc = perBucket.get(at)
  if (acc === undefined) {
    acc = new BucketAcc()
    perBucket.set(at, acc)
  }
  return acc
}

// The report's filters cover tenant, agent and since; the rest is applied by `filtered`.
function reportFilters(filters: UiFilters) {
  return {
    ...(filters.tenant !== undefined && filters.tenant !== NO_TENANT && { tenant: filters.tenant }),
    ...(filters.agent !== undefined && { agent: filters.agent }),
    ...(filters.from !== undefined && { since: filters.from }),
  }
}

function accepts(trace: TraceRecord, filters: UiFilters): boolean {
  if (!matches(trace, reportFilters(filters))) return false
  if (filters.tenant === NO_TENANT && trace.tenantId !== null) return false
  if (filters.to !== undefined && !(trace.startedAt < filters.to)) return false
  if (filters.model !== undefined && trace.modelId !== filters.model) return false
  if (filters.status !== undefined && trace.status !== filters.status) return false
  return true
}

/** The store's traces that pass `filters`, as a reader the report functions take. */
function filtered(store: UiStore, filters: UiFilters): TraceReader<TraceRecord> {
  const reader = sane(readTraces(store))
  return {
    file: reader.file,
    get skippedLines() {
      return reader.skippedLines
    },
    async *[Symbol.asyncIterator]() {
      for await (const trace of reader) if (accepts(trace, filters)) yield trace
    },
  }
}

function regrouped(
  reader: TraceReader<TraceRecord>,
  key: (t: TraceRecord) => string | null,
): TraceReader<TraceSummary> {
  return {
    file: reader.file,
    get skippedLines() {
      return reader.skippedLines
    },
    async *[Symbol.asyncIterator]() {
      for await (const trace of reader) yield { ...trace, tenantId: key(trace) }
    },
  }
}

// A line of the wrong shape is skipped and counted like a torn one, so a hostile store can
// neither crash the server nor corrupt a sum (the report's reader does the same once it checks
// types; until then this guard keeps the dashboard safe on its own).
function sane(reader: TraceReader<TraceRecord>): TraceReader<TraceRecord> {
  let wrong = 0
  return {
    file: reader.file,
    get skippedLines() {
      return reader.skippedLines + wrong
    },
    async *[Symbol.asyncIterator]() {
      try {
        for await (const trace of reader) {
          if (wellTyped(trace)) yield trace
          else wrong++
        }
      } catch (error) {
        // No store yet: the dashboard shows no traces until the app writes its first one.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      }
    },
  }
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/

function wellTyped(t: TraceRecord): boolean {
  const count = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0
  return (
    (t.tenantId === null || typeof t.tenantId === 'string') &&
    typeof t.agentName === 'string' &&
    (t.status === 'completed' || t.status === 'failed') &&
    typeof t.startedAt === 'string' &&
    ISO.test(t.startedAt) &&
    count(t.durationMs) &&
    count(t.inputTokens ?? 0) &&
    count(t.outputTokens ?? 0) &&
    count(t.cachedInputTokens ?? 0) &&
    (t.costUsd === null || t.costUsd === undefined || count(t.costUsd)) &&
    (t.modelId === null || t.modelId === undefined || typeof t.modelId === 'string') &&
    (t.spans === undefined || Array.isArray(t.spans))
  )
}

function tenantKey(tenantId: string | null | undefined): string {
  return tenantId ?? NO_TENANT
}

function floorTo(ms: number, size: number): number {
  return Math.floor(ms / size) * size
}

function range(first: number, last: number, step: number, max: number): number[] {
  const out: number[] = []
  for (let at = Math.max(first, last - (max - 1) * step); at <= last; at += step) out.push(at)
  return out
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
