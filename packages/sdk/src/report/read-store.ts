/**
 * Reads the local store (see `store-path.ts` for its files): every line of every segment, in
 * the order written (`readTraces`, `readTraceSummaries`), or, for the report, the segments'
 * rollup sidecars plus only the lines no sidecar covers (`readStoreRollup`). A line that does
 * not parse as a trace, such as the torn last line a crash can leave, or that has a field of the
 * wrong type (`valid-trace.ts` decides), is skipped and counted, never fatal.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { TraceRecord } from '../records.js'
import { DAY_CACHE_FILE, DayCache } from '../store/day-cache.js'
import { type LineScan, lineBatches, listSegments, type SegmentFile } from '../store/segments.js'
import { readSidecar, type Sidecar, writeSidecar } from '../store/sidecar.js'
import { newWriterId, sidecarPath, storeDir } from '../store-path.js'
import { matches, type TraceFilters } from './filters.js'
import { hourOf, Rollup, type RollupCellJSON, type RollupJSON } from './rollup.js'
import { parseReportLine, type ReportTrace, validRecord } from './valid-trace.js'

/** Options of {@link readTraces}. */
export interface ReadTracesOptions {
  /** Directory of the store. Default: env `TRACIUM_DIR`, else `.tracium`. */
  dir?: string
}

/** The traces of a local store, in the order they were written (the order they ended). */
export interface TraceReader<T = TraceRecord> extends AsyncIterable<T> {
  /** Absolute path of the store's directory. */
  readonly file: string
  /** Lines skipped so far because they were not a whole trace (e.g. torn by a crash). */
  readonly skippedLines: number
}

/**
 * Streams the traces of the local store: the pre-segment `traces.jsonl` first, then each
 * segment in the order it was opened. Two writers' segments are read one after the other, so
 * the order is per writer.
 *
 * @throws (while iterating) an `ENOENT` error when there is no store yet.
 * @example
 * ```ts
 * const reader = tracium.readTraces({ dir: '.tracium' })
 * for await (const trace of reader) if (trace.status === 'failed') console.log(trace.id)
 * console.log(`${reader.skippedLines} torn lines skipped`)
 * ```
 */
export function readTraces(options: ReadTracesOptions = {}): TraceReader {
  return readAllLines(storeDir(options.dir), parseRecord)
}

/**
 * Streams only what the report reads of each trace ({@link ReportTrace}): it parses each line up
 * to `"summary"` and skips the spans, which are most of a line (see `valid-trace.ts`). This
 * reads every line; the report reads rollups instead ({@link readStoreRollup}).
 *
 * A line counts as whole when it ends with `}`; a line torn by a crash almost never does. The
 * rare torn line that happens to end with `}` is past its report fields, so the report still
 * counts it correctly, as the trace it was.
 * @example
 * ```ts
 * const rollup = await rollupTraces(readTraceSummaries({ dir }), {})
 * ```
 */
export function readTraceSummaries(options: ReadTracesOptions = {}): TraceReader<ReportTrace> {
  return readAllLines(storeDir(options.dir), parseReportLine)
}

/**
 * The store's segments from the newest back, each as the traces it holds in the order written:
 * for readers that want the latest traces and stop early (`tracium traces`, `tracium trace
 * <id>`, the dashboard's tenant and trace views), which then read the newest segment, not the
 * whole store. A closed segment whose rollup sidecar has no cell `filters` could match (only
 * other tenants, agents, models or status classes, or hours outside `since`/`until`) is left
 * out unread; without a sidecar it is read.
 *
 * @throws (while iterating) an `ENOENT` error when there is no store yet.
 * @example
 * ```ts
 * for await (const traces of readSegmentsNewestFirst({ dir }, { tenant: 'acme' })) {
 *   for await (const trace of traces) console.log(trace.id) // this segment's, oldest first
 * }
 * ```
 */
export async function* readSegmentsNewestFirst(
  options: ReadTracesOptions = {},
  filters: TraceFilters = {},
): AsyncGenerator<AsyncIterable<TraceRecord>> {
  const segments = await listSegments(storeDir(options.dir))
  const narrowed =
    hasKeyFilter(filters) || filters.since !== undefined || filters.until !== undefined
  const stats: ReadStats = { skippedLines: 0, linesRead: 0, sidecarsRead: 0, sidecarsWritten: 0 }
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!
    if (narrowed) {
      const cells = await closedCells(segment, stats)
      if (cells !== null && !cells.json.cells.some((c) => cellMayMatch(c, filters))) continue
    }
    yield segmentValues(segment, parseRecord, () => {})
  }
}

function readAllLines<T>(dir: string, parse: (line: string) => T | null): TraceReader<T> {
  let skippedLines = 0
  const skipped = () => {
    skippedLines++
  }
  return {
    file: dir,
    get skippedLines() {
      return skippedLines
    },
    async *[Symbol.asyncIterator]() {
      for (const segment of await listSegments(dir)) yield* segmentValues(segment, parse, skipped)
    },
  }
}

/** The values of one segment's lines, in the order written; `skipped()` for each that is none. */
async function* segmentValues<T>(
  segment: SegmentFile,
  parse: (line: string) => T | null,
  skipped: () => void,
): AsyncGenerator<T> {
  const scan: LineScan = { covered: 0, tail: null }
  for await (const lines of lineBatches(segment.path, 0, scan)) {
    for (const line of lines) {
      const value = parse(line)
      if (value === null) skipped()
      else yield value
    }
  }
  if (scan.tail !== null) {
    const value = parse(scan.tail)
    if (value === null) skipped()
    else yield value
  }
}

function parseRecord(line: string): TraceRecord | null {
  try {
    return validRecord(JSON.parse(line))
  } catch {
    return null // torn
  }
}

/** What {@link readStoreRollup} read. */
export interface StoreRollup {
  /** Absolute path of the store's directory. */
  readonly dir: string
  /** The cells of the traces that pass the filters (see {@link readStoreRollup}). */
  readonly rollup: Rollup
  /** Lines of the whole store that are not a trace (torn, foreign, wrongly typed). */
  readonly skippedLines: number
  /** Files of traces in the store (segments and a pre-segment `traces.jsonl`). */
  readonly segments: number
  /** Lines parsed because no sidecar covered them or the window cut their hour. */
  readonly linesRead: number
  /** Sidecars read (with `by: 'day'`, closed segments the day cache holds are not). */
  readonly sidecarsRead: number
  /** Sidecars written because one was missing, torn or far behind its segment. */
  readonly sidecarsWritten: number
}

/**
 * The store's traces that pass `filters`, as rollup cells, read from the segments' sidecars
 * wherever they can answer exactly, else from lines. `buildReport(result.rollup.cells(),
 * filters)` equals the report over every line (`rollupTraces(readTraceSummaries(), filters)`):
 *
 * - A sidecar's cells of an hour the window covers wholly are used as they are; tenant,
 *   agent, model and status are parts of a cell's key, so those filters are exact.
 * - An hour the window covers only in part (`--since 10:30`) is read from the lines of the
 *   segments that have cells in it, trace by trace.
 * - Lines past a sidecar's `bytes` (the open segment, or one whose sidecar fell behind) are
 *   read; a segment without a valid sidecar (missing, torn, another version) is read whole and
 *   its sidecar rebuilt and written (best effort: a read-only store is only read).
 *
 * Memory is bounded by the cells in the window (hours x tenants x agents x models x status
 * classes), not by the number of traces.
 * @throws an `ENOENT` error when there is no store.
 * @example
 * ```ts
 * const { rollup, skippedLines, dir } = await readStoreRollup({ dir: '.tracium' }, { tenant: 'acme' })
 * const report = buildReport(rollup.cells(), { tenant: 'acme' }, { file: dir, skippedLines })
 * ```
 */
export async function readStoreRollup(
  options: ReadRollupOptions = {},
  filters: TraceFilters = {},
): Promise<StoreRollup> {
  const dir = storeDir(options.dir)
  const window = new HourWindow(filters)
  const segments = await listSegments(dir)
  if (options.by === 'day') {
    const result = new Rollup()
    const stats = { skippedLines: 0, linesRead: 0, sidecarsRead: 0, sidecarsWritten: 0 }
    if (await readByDay(dir, segments, filters, window, result, stats)) {
      return { dir, rollup: result, segments: segments.length, ...stats }
    }
    // The day cache was damaged (and is removed): read by hour, as without one.
  }
  const result = new Rollup()
  const stats = { skippedLines: 0, linesRead: 0, sidecarsRead: 0, sidecarsWritten: 0 }
  for (const segment of segments) await readSegment(segment, filters, window, result, stats)
  return { dir, rollup: result, segments: segments.length, ...stats }
}

/** Options of {@link readStoreRollup}. */
export interface ReadRollupOptions extends ReadTracesOptions {
  /**
   * The report's time buckets. With `'day'` the cells of closed segments come from the day
   * cache (`store/day-cache.ts`) with one cell per day, not per hour, for every day the window
   * covers wholly; only the report by day may use it. Default: `'hour'`.
   */
  by?: 'day' | 'hour'
}

// Reads closed segments from the day cache, the rest from their sidecars and lines; `false`
// when a cell of the cache does not decode (the cache is then removed).
async function readByDay(
  dir: string,
  segments: SegmentFile[],
  filters: TraceFilters,
  window: HourWindow,
  result: Rollup,
  stats: ReadStats,
): Promise<boolean> {
  const days = new DayWindow(filters)
  const listed = new Map(segments.map((s) => [s.name, s]))
  let cache = await DayCache.load(dir)
  // A cached segment gone (retention) or changed: its days are rebuilt from the others.
  const stale = new Set<string>()
  for (const [name, cached] of [...cache.segments]) {
    if (listed.get(name)?.size !== cached.bytes) for (const day of cache.drop(name)) stale.add(day)
  }
  if (stale.size > 0) {
    for (const name of cache.segmentsOn(stale)) {
      const segment = listed.get(name)
      const cells = segment && (await closedCells(segment, stats))
      if (!cells) {
        cache = new DayCache() // damaged under the cache: start over
        break
      }
      cache.addDays(cells.json, stale)
    }
  }
  for (const segment of segments) {
    if (cache.segments.has(segment.name)) continue
    const cells = await closedCells(segment, stats)
    if (cells) cache.add(segment.name, segment.size, cells.skippedLines, cells.json)
    else await readSegment(segment, filters, window, result, stats) // open, or no sidecar
  }
  // Days the window cuts are read per hour (and the hours it cuts, per trace).
  const cutWindow = new HourWindow(filters, days.cut)
  for (const name of cache.segmentsOn(days.cut)) {
    await readSegment(listed.get(name)!, filters, cutWindow, result, stats, false)
  }
  for (const cached of cache.segments.values()) stats.skippedLines += cached.skippedLines
  const whole = cache.select(
    (day) => days.wholly(day),
    (cell) => keyMatches(cellKey(cell), filters),
  )
  if (whole === null) {
    await rm(join(dir, DAY_CACHE_FILE), { force: true })
    return false
  }
  result.mergeFrom(whole)
  if (cache.changed) {
    try {
      await cache.save(dir, readerTag)
    } catch {
      // A store we may only read: the next report adds these segments again.
    }
  }
  return true
}

// A closed segment's cells, from a closed sidecar that covers it all; else `null`.
async function closedCells(segment: SegmentFile, stats: ReadStats) {
  const sidecar = await readSidecar(sidecarPath(segment.path), segment.name, segment.size)
  stats.sidecarsRead++
  if (sidecar === null || !sidecar.closed || sidecar.bytes !== segment.size) return null
  const json = asRollupJSON(sidecar.cells)
  if (json === null || Rollup.fromJSON(json) === null) return null
  return { json, skippedLines: sidecar.skippedLines }
}

/** The time window of the filters in whole UTC days, and the at most two days it cuts. */
class DayWindow {
  readonly #from: string | null = null
  readonly #to: string | null = null
  readonly cut = new Set<string>()

  constructor({ since, until }: TraceFilters) {
    if (since !== undefined) {
      const day = since.slice(0, 10)
      if (since === `${day}T00:00:00.000Z`) this.#from = day
      else {
        this.cut.add(day)
        this.#from = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10)
      }
    }
    if (until !== undefined) {
      const day = until.slice(0, 10)
      this.#to = day
      if (until !== `${day}T00:00:00.000Z` && (since === undefined || until > since)) {
        this.cut.add(day)
      }
    }
  }

  /** Whether the window covers the UTC day `day` (`2025-01-31`) wholly. */
  wholly(day: string): boolean {
    return (this.#from === null || day >= this.#from) && (this.#to === null || day < this.#to)
  }
}

interface ReadStats {
  skippedLines: number
  linesRead: number
  sidecarsRead: number
  sidecarsWritten: number
}

// A reader writes a sidecar when the segment had none, or when it had to read this many
// bytes past it: often enough that the open segment is not read whole by every report, rarely
// enough that a report on a busy store does not rewrite sidecars all the time.
const REWRITE_AFTER_BYTES = 1 << 20
const readerTag = `reader-${newWriterId()}`

async function readSegment(
  segment: SegmentFile,
  filters: TraceFilters,
  window: HourWindow,
  result: Rollup,
  stats: ReadStats,
  countSkipped = true,
): Promise<void> {
  const path = sidecarPath(segment.path)
  let sidecar = await readSidecar(path, segment.name, segment.size)
  stats.sidecarsRead++
  const raw = sidecar === null ? null : asRollupJSON(sidecar.cells)
  // Only the cells this report uses are decoded (and checked): most of a sidecar, for a
  // report of one tenant or one day, is not.
  const used = raw === null ? null : Rollup.fromJSON(window.selectWhole(raw, filters))
  if (used === null) sidecar = null // missing, torn or foreign: rebuilt from the lines
  const start = sidecar?.bytes ?? 0
  // Traces of the hours the window cuts, taken one by one (exact).
  const cutTraces = new Rollup()
  const takeIfCut = (trace: ReportTrace) => {
    if (window.cuts(trace.startedAt) && matches(trace, filters)) cutTraces.addTrace(trace)
  }
  const scan: LineScan = { covered: 0, tail: null }
  if (sidecar !== null && raw !== null && window.hasCutCells(raw, filters)) {
    for await (const batch of lineBatches(segment.path, 0, scan, start)) {
      for (const line of batch) {
        // A trace of a cut hour has that hour in its line (`"2025-03-01T10:`): the others
        // are skipped unparsed, exactly.
        if (!window.mayCut(line)) continue
        stats.linesRead++
        const trace = parseReportLine(line)
        if (trace !== null) takeIfCut(trace)
      }
    }
  }
  // Past the sidecar (or all of a segment without one): every trace, kept for the sidecar.
  const read = new Rollup()
  let lines = 0
  let skipped = 0
  for await (const batch of lineBatches(segment.path, start, scan)) {
    for (const line of batch) {
      const trace = parseReportLine(line)
      if (trace === null) skipped++
      else {
        read.addTrace(trace)
        takeIfCut(trace)
      }
    }
    lines += batch.length
  }
  stats.linesRead += lines
  // A torn tail is skipped like any bad line, and left out of the sidecar (it may yet end).
  if (countSkipped) {
    if (scan.tail !== null) stats.skippedLines++
    stats.skippedLines += (sidecar?.skippedLines ?? 0) + skipped
  }
  if (used !== null && sidecar !== null) result.mergeFrom(used)
  if (lines > 0) {
    const json = read.toJSON()
    const selected = window.selectWhole(json, filters)
    result.mergeFrom(selected === json ? read : (Rollup.fromJSON(selected) ?? new Rollup()))
  }
  result.mergeFrom(cutTraces)
  if (sidecar === null || scan.covered - start >= REWRITE_AFTER_BYTES) {
    const whole = sidecar === null || raw === null ? read : Rollup.fromJSON(raw)?.mergeFrom(read)
    if (whole === undefined || whole === null) return
    const rebuilt: Sidecar = {
      closed: sidecar?.closed ?? false,
      segment: segment.name,
      bytes: scan.covered,
      lines: (sidecar?.lines ?? 0) + lines,
      skippedLines: (sidecar?.skippedLines ?? 0) + skipped,
      cells: whole.toJSON(),
    }
    try {
      await writeSidecar(path, rebuilt, readerTag)
      stats.sidecarsWritten++
    } catch {
      // A store we may only read: the next report rebuilds it again.
    }
  }
}

function asRollupJSON(value: unknown): RollupJSON | null {
  return typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { cells?: unknown }).cells)
    ? (value as RollupJSON)
    : null
}

/**
 * The time window of the filters in whole hours: the hours it covers wholly (`from` ≤ hour <
 * `to`, as hour-start strings) and the at most two hours it cuts.
 */
class HourWindow {
  readonly #from: string | null
  readonly #to: string | null
  readonly #cut = new Set<string>()
  // Only hours of these UTC days, when set (the days a day window cuts).
  readonly #days: ReadonlySet<string> | null
  // The text of each cut hour as it starts an instant in a line: `"2025-03-01T10:`.
  readonly #needles: string[]

  constructor({ since, until }: TraceFilters, days: ReadonlySet<string> | null = null) {
    this.#from = null
    this.#to = null
    this.#days = days
    if (since !== undefined) {
      const hour = hourOf(since)
      if (since === hour) this.#from = hour
      else {
        this.#cut.add(hour)
        this.#from = nextHour(hour)
      }
    }
    if (until !== undefined) {
      const hour = hourOf(until)
      this.#to = hour
      if (until !== hour && (since === undefined || until > since)) this.#cut.add(hour)
    }
    this.#needles = [...this.#cut].map((hour) => `"${hour.slice(0, 13)}:`)
  }

  /**
   * Whether `line` may hold a trace of a cut hour: the hour's text occurs in it, or the line
   * has a `\u` escape (JSON may spell a character of the instant that way).
   */
  mayCut(line: string): boolean {
    for (const needle of this.#needles) if (line.includes(needle)) return true
    return line.includes('\\u')
  }

  /** Whether the window cuts the hour of `startedAt` (of the days it is restricted to). */
  cuts(startedAt: string): boolean {
    return (
      this.#cut.size > 0 &&
      this.#cut.has(hourOf(startedAt)) &&
      (this.#days === null || this.#days.has(startedAt.slice(0, 10)))
    )
  }

  /** Whether `rollup` has a cell, passing the other filters, in an hour the window cuts. */
  hasCutCells(rollup: RollupJSON, filters: TraceFilters): boolean {
    if (this.#cut.size === 0) return false
    return rollup.cells.some(
      (c) => Array.isArray(c) && this.#cut.has(c[0]) && keyMatches(cellKey(c), filters),
    )
  }

  /** The cells of `rollup` in hours the window covers wholly that pass the other filters. */
  selectWhole(rollup: RollupJSON, filters: TraceFilters): RollupJSON {
    const all = this.#from === null && this.#to === null && this.#days === null
    if (all && !hasKeyFilter(filters)) return rollup
    return {
      ...rollup,
      // A cell that is not an array is kept: fromJSON refuses it, and the sidecar is rebuilt.
      cells: rollup.cells.filter(
        (c) => !Array.isArray(c) || (this.#covers(c[0]) && keyMatches(cellKey(c), filters)),
      ),
    }
  }

  #covers(hour: string): boolean {
    return (
      (this.#from === null || hour >= this.#from) &&
      (this.#to === null || hour < this.#to) &&
      (this.#days === null || this.#days.has(hour.slice(0, 10)))
    )
  }
}

function nextHour(hour: string): string {
  return new Date(Date.parse(hour) + 3_600_000).toISOString()
}

type CellKey = Pick<ReportTrace, 'tenantId' | 'agentName' | 'modelId'> & { status: string }

function cellKey(c: RollupCellJSON): CellKey {
  return { status: c[1], tenantId: c[2], agentName: c[3], modelId: c[4] }
}

function hasKeyFilter(f: TraceFilters): boolean {
  return (
    f.tenant !== undefined ||
    f.agent !== undefined ||
    f.model !== undefined ||
    f.status !== undefined
  )
}

// Whether a trace of this cell can pass `filters`: its key matches, and its hour is not wholly
// before `since` or at or after `until` (a cut hour may hold some).
function cellMayMatch(c: RollupCellJSON, filters: TraceFilters): boolean {
  if (!Array.isArray(c)) return true // not a cell: read the segment
  const hour = c[0]
  if (filters.since !== undefined && hour < hourOf(filters.since)) return false
  if (filters.until !== undefined && hour >= filters.until) return false
  return keyMatches(cellKey(c), filters)
}

function keyMatches(cell: CellKey, filters: TraceFilters): boolean {
  if (filters.tenant !== undefined && cell.tenantId !== filters.tenant) return false
  if (filters.agent !== undefined && cell.agentName !== filters.agent) return false
  if (filters.model !== undefined && cell.modelId !== filters.model) return false
  if (filters.status !== undefined && cell.status !== filters.status) return false
  return true
}
