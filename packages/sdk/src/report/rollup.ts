/**
 * The one computation behind `tracium report`, `tracium ui` and the store's per-segment rollup
 * sidecars: traces are counted into cells, cells merge exactly, and the report is built from
 * cells ({@link buildReport} in `build-report.ts`). Whatever reads traces (the raw store, a
 * sidecar, both) ends in the same cells, so the dashboard and the report agree to the count.
 *
 * API (stable; other modules depend on it):
 * - {@link RollupCell}: one cell per (hour, status class, tenant | null, agent, model | null):
 *   traces, 401 and 403 counts, input/output/cached token sums, cost sum (`null` when no trace
 *   in the cell had a cost) and a mergeable latency histogram ({@link LogHistogram}).
 * - {@link Rollup}: a set of cells. `rollup.addTrace(trace)` counts one {@link ReportTrace};
 *   `rollup.mergeFrom(other)` adds another rollup's cells (exact); `rollup.cells()` iterates;
 *   `rollup.toJSON()` / `Rollup.fromJSON(value)` (de)serialise (`fromJSON` returns `null` for
 *   anything that is not a rollup, e.g. a torn sidecar: rebuild it from the segment).
 * - {@link merge}`(a, b)`: a new rollup with the cells of both; neither input changes.
 * - {@link statusClass}`(trace)`: `ok` (2xx/3xx or no HTTP status), `client-error` (4xx) or
 *   `failed` (the trace failed: 5xx, aborted, a failed span or a failed non-HTTP trace).
 * - {@link hourOf}`(iso)`: the cell hour of an instant.
 * - {@link addCell}`(into, from)`, {@link emptyCounts}`()`, {@link CellCounts}: a cell's counts
 *   without its key, to sum cells into rows of your own.
 * - In `filters.ts`: `matches(trace, filters)` (per trace), `cellMatches(cell, filters)` (per
 *   cell) and `hourCoverage(hour, filters)` (`all` | `part` | `none`: a stored cell of a `part`
 *   hour cannot be cut by time; read that hour's traces). In `build-report.ts`:
 *   `buildReport(cells, filters, options)` and `rollupTraces(traces, filters)`. In
 *   `valid-trace.ts`: `parseReportLine(line)` → {@link ReportTrace} | `null` (skipped).
 *
 * The status class is part of a cell's key (not only a count in it) so that `--status failed`
 * filters tokens, cost and latency exactly, not just the counts.
 *
 * Times are UTC; the hour is `startedAt`'s (a trace belongs to the hour it started in).
 */
import { LogHistogram } from './histogram.js'
import type { ReportTrace } from './valid-trace.js'

/**
 * How a trace ended, as the report splits it.
 * - `ok`: completed, and (for a request trace) a 1xx/2xx/3xx status.
 * - `client-error`: completed with a 4xx status; 401 and 403 are also counted on their own
 *   (rejected by the tenant middleware, E1).
 * - `failed`: the trace failed: a 5xx, a request the client aborted, a failed span, or a
 *   failed trace of your own (`trace.fail()`).
 * @example
 * ```ts
 * const status: StatusClass = 'client-error'
 * ```
 */
export type StatusClass = 'ok' | 'client-error' | 'failed'

/**
 * The status classes, in the order the report shows them.
 * @example
 * ```ts
 * STATUS_CLASSES.includes(text as StatusClass)
 * ```
 */
export const STATUS_CLASSES: readonly StatusClass[] = ['ok', 'client-error', 'failed']

/**
 * The status class of a trace (see {@link StatusClass}).
 * @example
 * ```ts
 * statusClass({ status: 'completed', httpStatus: 403 }) // 'client-error'
 * ```
 */
export function statusClass(trace: Pick<ReportTrace, 'status' | 'httpStatus'>): StatusClass {
  if (trace.status === 'failed') return 'failed'
  const code = trace.httpStatus
  if (code === null || code < 400) return 'ok'
  return code < 500 ? 'client-error' : 'failed'
}

/**
 * The start of the UTC hour of an ISO instant written by `toISOString()`.
 * @example
 * ```ts
 * hourOf('2025-03-01T10:42:07.123Z') // '2025-03-01T10:00:00.000Z'
 * ```
 */
export function hourOf(iso: string): string {
  return `${iso.slice(0, 13)}:00:00.000Z`
}

/**
 * One cell of a rollup: the traces of one hour, status class, tenant, agent and model.
 * @example
 * ```ts
 * for (const cell of rollup.cells()) console.log(cell.hour, cell.tenantId, cell.traces)
 * ```
 */
export interface RollupCell {
  /** Start of the UTC hour the traces started in, e.g. `2025-03-01T10:00:00.000Z`. */
  readonly hour: string
  readonly status: StatusClass
  /** `null` for traces without a tenant. */
  readonly tenantId: string | null
  readonly agentName: string
  /** The trace's `modelId`; `null` when it has none. */
  readonly modelId: string | null
  traces: number
  /** Of `traces`, those answered 401 (a `client-error` cell only). */
  unauthorized: number
  /** Of `traces`, those answered 403 (a `client-error` cell only). */
  forbidden: number
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  /** USD summed over the traces that carry a cost; `null` when none does. */
  costUsd: number | null
  /** Durations (ms) of the traces. */
  readonly durations: LogHistogram
}

/**
 * The serialised form of a {@link Rollup} ({@link Rollup.toJSON}): a version and one array per
 * cell, `[hour, status, tenantId, agentName, modelId, traces, unauthorized, forbidden,
 * inputTokens, outputTokens, cachedInputTokens, costUsd, durations]`, where `durations` is
 * {@link LogHistogram.toJSON}'s output. Arrays, not objects: a sidecar holds many cells.
 * @example
 * ```ts
 * const json: RollupJSON = { version: 1, cells: [] }
 * ```
 */
export interface RollupJSON {
  version: 1
  cells: RollupCellJSON[]
}

/** One serialised cell (see {@link RollupJSON}). */
export type RollupCellJSON = [
  hour: string,
  status: StatusClass,
  tenantId: string | null,
  agentName: string,
  modelId: string | null,
  traces: number,
  unauthorized: number,
  forbidden: number,
  inputTokens: number,
  outputTokens: number,
  cachedInputTokens: number,
  costUsd: number | null,
  durations: number[],
]

type CellKey = Pick<RollupCell, 'hour' | 'status' | 'tenantId' | 'agentName' | 'modelId'>

// Cells are found field by field in nested maps keyed by the fields themselves: no key string
// is built per trace (the store's writer counts every line it writes into a rollup), and
// `null` stays apart from any string.
type Level<T> = Map<string | null, T>
type CellIndex = Level<Level<Level<Level<Level<RollupCell>>>>>

function levelOf<T>(parent: Level<Level<T>>, key: string | null): Level<T> {
  let level = parent.get(key)
  if (level === undefined) {
    level = new Map()
    parent.set(key, level)
  }
  return level
}

/**
 * A mergeable set of {@link RollupCell}s.
 * @example
 * ```ts
 * const rollup = new Rollup()
 * for await (const trace of readTraceSummaries()) rollup.addTrace(trace)
 * const sidecar = JSON.stringify(rollup)
 * const again = Rollup.fromJSON(JSON.parse(sidecar)) // null if the sidecar is torn
 * ```
 */
export class Rollup {
  /** In the order the cells were created. */
  readonly #cells: RollupCell[] = []
  readonly #index: CellIndex = new Map()
  // The last hour counted, and its 13-character prefix of an instant (`2025-03-01T10`).
  #lastHour = ''
  #lastPrefix = ''

  /** Number of cells. */
  get size(): number {
    return this.#cells.length
  }

  /** Number of traces counted, over all cells. */
  get traces(): number {
    let n = 0
    for (const cell of this.#cells) n += cell.traces
    return n
  }

  /** The cells, in the order they were first created. Do not mutate them. */
  cells(): IterableIterator<RollupCell> {
    return this.#cells.values()
  }

  /**
   * Counts one trace into its cell. The trace must be valid ({@link toReportTrace} checked it);
   * the reader only yields valid ones.
   * @example
   * ```ts
   * rollup.addTrace(trace)
   * ```
   */
  addTrace(trace: ReportTrace): this {
    const status = statusClass(trace)
    const cell = this.#cell({
      hour: this.#hourOf(trace.startedAt),
      status,
      tenantId: trace.tenantId,
      agentName: trace.agentName,
      modelId: trace.modelId,
    })
    cell.traces++
    if (trace.httpStatus === 401 && status === 'client-error') cell.unauthorized++
    if (trace.httpStatus === 403 && status === 'client-error') cell.forbidden++
    cell.inputTokens += trace.inputTokens
    cell.outputTokens += trace.outputTokens
    cell.cachedInputTokens += trace.cachedInputTokens
    if (trace.costUsd !== null) cell.costUsd = (cell.costUsd ?? 0) + trace.costUsd
    cell.durations.add(trace.durationMs)
    return this
  }

  /**
   * Adds every cell of `other` into this rollup (exact; `other` is not changed).
   * @example
   * ```ts
   * const all = new Rollup()
   * for (const sidecar of sidecars) all.mergeFrom(sidecar)
   * ```
   */
  mergeFrom(other: Rollup): this {
    for (const cell of other.#cells) addCell(this.#cell(cell), cell)
    return this
  }

  /** The serialised form ({@link RollupJSON}); `JSON.stringify(rollup)` calls it. */
  toJSON(): RollupJSON {
    const cells: RollupCellJSON[] = []
    for (const c of this.#cells) {
      cells.push([
        c.hour,
        c.status,
        c.tenantId,
        c.agentName,
        c.modelId,
        c.traces,
        c.unauthorized,
        c.forbidden,
        c.inputTokens,
        c.outputTokens,
        c.cachedInputTokens,
        c.costUsd,
        c.durations.toJSON(),
      ])
    }
    return { version: 1, cells }
  }

  /**
   * Reads {@link Rollup.toJSON}'s output back, checking every field; `null` when `value` is not
   * a rollup of this version (a torn or foreign sidecar: rebuild it from its segment).
   * @example
   * ```ts
   * const rollup = Rollup.fromJSON(JSON.parse(text)) ?? rebuildFromSegment()
   * ```
   */
  static fromJSON(value: unknown): Rollup | null {
    if (typeof value !== 'object' || value === null) return null
    const { version, cells } = value as { version?: unknown; cells?: unknown }
    if (version !== 1 || !Array.isArray(cells)) return null
    const rollup = new Rollup()
    for (const entry of cells) {
      const cell = cellFromJSON(entry)
      if (cell === null) return null
      addCell(rollup.#cell(cell), cell)
    }
    return rollup
  }

  // hourOf, but consecutive traces mostly start in the same hour: that hour's string is reused
  // (with the hash the index computed for it) instead of building one per trace.
  #hourOf(iso: string): string {
    if (this.#lastPrefix.length === 13 && iso.startsWith(this.#lastPrefix)) return this.#lastHour
    this.#lastHour = hourOf(iso)
    this.#lastPrefix = iso.slice(0, 13)
    return this.#lastHour
  }

  #cell(key: CellKey): RollupCell {
    const byStatus = levelOf(this.#index, key.hour)
    const byTenant = levelOf(byStatus, key.status)
    const byAgent = levelOf(byTenant, key.tenantId)
    const byModel = levelOf(byAgent, key.agentName)
    let cell = byModel.get(key.modelId)
    if (cell === undefined) {
      cell = {
        hour: key.hour,
        status: key.status,
        tenantId: key.tenantId,
        agentName: key.agentName,
        modelId: key.modelId,
        ...emptyCounts(),
      }
      byModel.set(key.modelId, cell)
      this.#cells.push(cell)
    }
    return cell
  }
}

/**
 * A new rollup with the cells of `a` and `b`; neither changes.
 * @example
 * ```ts
 * const day = merge(morning, afternoon)
 * ```
 */
export function merge(a: Rollup, b: Rollup): Rollup {
  return new Rollup().mergeFrom(a).mergeFrom(b)
}

/**
 * The counts of a cell (all but its key), as {@link addCell} adds them.
 * @example
 * ```ts
 * const sums: CellCounts = emptyCounts()
 * ```
 */
export type CellCounts = Omit<RollupCell, keyof CellKey>

/**
 * Zero counts and an empty histogram: the start of a cell, or of a report row.
 * @example
 * ```ts
 * const sums = emptyCounts()
 * addCell(sums, cell)
 * ```
 */
export function emptyCounts(): CellCounts {
  return {
    traces: 0,
    unauthorized: 0,
    forbidden: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: null,
    durations: new LogHistogram(),
  }
}

/**
 * Adds the counts of `from` into `into` (same key or not: callers pick `into`). Exported for
 * {@link buildReport}, which sums cells into rows the same way.
 * @example
 * ```ts
 * addCell(row, cell)
 * ```
 */
export function addCell(into: CellCounts, from: CellCounts): void {
  into.traces += from.traces
  into.unauthorized += from.unauthorized
  into.forbidden += from.forbidden
  into.inputTokens += from.inputTokens
  into.outputTokens += from.outputTokens
  into.cachedInputTokens += from.cachedInputTokens
  if (from.costUsd !== null) into.costUsd = (into.costUsd ?? 0) + from.costUsd
  into.durations.merge(from.durations)
}

const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/

function cellFromJSON(entry: unknown): RollupCell | null {
  if (!Array.isArray(entry) || entry.length !== 13) return null
  const [hour, status, tenantId, agentName, modelId, ...rest] = entry as unknown[]
  const [traces, unauthorized, forbidden, input, output, cached, costUsd, durations] = rest
  if (typeof hour !== 'string' || !HOUR.test(hour)) return null
  if (!STATUS_CLASSES.includes(status as StatusClass)) return null
  if (tenantId !== null && typeof tenantId !== 'string') return null
  if (typeof agentName !== 'string' || agentName === '') return null
  if (modelId !== null && typeof modelId !== 'string') return null
  const counts = [traces, unauthorized, forbidden, input, output, cached]
  if (!counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return null
  if (
    costUsd !== null &&
    !(typeof costUsd === 'number' && Number.isFinite(costUsd) && costUsd >= 0)
  )
    return null
  const histogram = LogHistogram.fromJSON(durations)
  if (histogram === null || histogram.count !== traces) return null
  return {
    hour,
    status: status as StatusClass,
    tenantId,
    agentName,
    modelId,
    traces: traces as number,
    unauthorized: unauthorized as number,
    forbidden: forbidden as number,
    inputTokens: input as number,
    outputTokens: output as number,
    cachedInputTokens: cached as number,
    costUsd,
    durations: histogram,
  }
}
