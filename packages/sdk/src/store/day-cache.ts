/**
 * The day cache: `<dir>/rollup-days.json`, the cells of every closed segment merged per UTC
 * day (a cell's `hour` is the day's start). A report by day reads this one file instead of
 * every sidecar: a sidecar holds a cell per hour, tenant, agent, model and status class, and
 * over a store of millions of traces those cells, not the traces, are the work.
 *
 * ```json
 * {"format":"tracium-rollup-days","version":1,
 *  "segments":{"20250131T120000123Z-k3x-9f86d081.jsonl":[67108412,0,"2025-01-31","2025-02-01"]},
 *  "cells":{"version":1,"cells":[["2025-01-31T00:00:00.000Z","ok","acme",…]]}}
 * ```
 *
 * `segments` lists what the cells hold: each closed segment's bytes, skipped lines, and first and
 * last day. A
 * closed segment never changes, so a listed segment of the same size needs no second look. The
 * cache is only ever a copy: deleting it, or any damage to it, costs one slower report that
 * rebuilds it from the sidecars. When a listed segment is gone (retention) or changed, only
 * the days it held are rebuilt, from the sidecars of the other segments of those days.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Rollup, type RollupCellJSON, type RollupJSON } from '../report/rollup.js'
import { writeFileAtomic } from './sidecar.js'

/** The day cache's file name in the store's directory. */
export const DAY_CACHE_FILE = 'rollup-days.json'

const FORMAT = 'tracium-rollup-days'
const VERSION = 1

/** What the cache knows of one closed segment. */
export interface CachedSegment {
  bytes: number
  /** Lines of the segment that were not a trace (the report counts them). */
  skippedLines: number
  /** First and last UTC day (`2025-01-31`) of its cells. */
  firstDay: string
  lastDay: string
}

/**
 * The day cells of the closed segments listed in `segments`, still encoded per cell (a report
 * of one tenant or one week decodes only what it uses).
 * @example
 * ```ts
 * const cache = await DayCache.load(dir)
 * cache.add('a.jsonl', 1024, sidecarCells)
 * await cache.save(dir, 'reader-1')
 * ```
 */
export class DayCache {
  readonly segments = new Map<string, CachedSegment>()
  // Cells by day, so a day is dropped or rebuilt without touching the others.
  readonly #days = new Map<string, RollupCellJSON[]>()
  #changed = false

  /** Whether the cache differs from the file it was loaded from. */
  get changed(): boolean {
    return this.#changed
  }

  /** The cache in `dir`; an empty one when it is missing, torn, or of another version. */
  static async load(dir: string): Promise<DayCache> {
    const cache = new DayCache()
    let value: unknown
    try {
      value = JSON.parse(await readFile(join(dir, DAY_CACHE_FILE), 'utf8'))
    } catch {
      return cache
    }
    const v = value as { format?: unknown; version?: unknown; segments?: unknown; cells?: unknown }
    const cells = v?.cells as RollupJSON | undefined
    if (
      v?.format !== FORMAT ||
      v.version !== VERSION ||
      typeof v.segments !== 'object' ||
      v.segments === null ||
      !Array.isArray(cells?.cells)
    ) {
      return cache
    }
    for (const [name, entry] of Object.entries(v.segments)) {
      const [bytes, skippedLines, firstDay, lastDay] = Array.isArray(entry) ? entry : []
      if (
        !Number.isSafeInteger(bytes) ||
        !Number.isSafeInteger(skippedLines) ||
        typeof firstDay !== 'string' ||
        typeof lastDay !== 'string'
      ) {
        return new DayCache()
      }
      cache.segments.set(name, { bytes, skippedLines, firstDay, lastDay })
    }
    for (const cell of cells.cells) {
      if (!Array.isArray(cell) || typeof cell[0] !== 'string') return new DayCache()
      cache.#push(cell[0].slice(0, 10), cell)
    }
    return cache
  }

  /** Adds a closed segment's hour cells (a sidecar's `cells`), merged per day. */
  add(name: string, bytes: number, skippedLines: number, cells: RollupJSON): void {
    let firstDay = '9999-12-31'
    let lastDay = '0000-01-01'
    for (const cell of cells.cells) {
      const day = cell[0].slice(0, 10)
      if (day < firstDay) firstDay = day
      if (day > lastDay) lastDay = day
      this.#push(day, dayCell(cell))
    }
    this.segments.set(name, { bytes, skippedLines, firstDay, lastDay })
    this.#changed = true
  }

  /**
   * Forgets `name` and every cell of the days it held; returns those days, which the caller
   * rebuilds from the other segments' sidecars ({@link DayCache.addDays}).
   */
  drop(name: string): string[] {
    const segment = this.segments.get(name)
    if (segment === undefined) return []
    this.segments.delete(name)
    const days = [...this.#days.keys()].filter(
      (day) => day >= segment.firstDay && day <= segment.lastDay,
    )
    for (const day of days) this.#days.delete(day)
    this.#changed = true
    return days
  }

  /** Adds the cells of a listed segment's sidecar that fall on `days`. */
  addDays(cells: RollupJSON, days: ReadonlySet<string>): void {
    for (const cell of cells.cells) {
      const day = cell[0].slice(0, 10)
      if (days.has(day)) this.#push(day, dayCell(cell))
    }
    this.#changed = true
  }

  /** The listed segments that hold cells of any of `days`. */
  segmentsOn(days: ReadonlySet<string>): string[] {
    const names: string[] = []
    for (const [name, { firstDay, lastDay }] of this.segments) {
      for (const day of days) {
        if (day >= firstDay && day <= lastDay) {
          names.push(name)
          break
        }
      }
    }
    return names
  }

  /**
   * The cells of the days `useDay` accepts whose encoded cell `useCell` accepts, decoded and
   * merged; `null` when a cell does not decode (then rebuild the cache).
   */
  select(useDay: (day: string) => boolean, useCell: (cell: RollupCellJSON) => boolean) {
    const cells: RollupCellJSON[] = []
    for (const [day, dayCells] of this.#days) {
      if (useDay(day)) for (const cell of dayCells) if (useCell(cell)) cells.push(cell)
    }
    return Rollup.fromJSON({ version: 1, cells })
  }

  /** Writes the cache atomically (best effort: a read-only store is only read). */
  async save(dir: string, tag: string): Promise<void> {
    // Merged per key first: a day's cells from many segments become one cell per key.
    const merged = Rollup.fromJSON({ version: 1, cells: [...this.#days.values()].flat() })
    if (merged === null) return
    const segments = Object.fromEntries(
      [...this.segments].map(([name, s]) => [
        name,
        [s.bytes, s.skippedLines, s.firstDay, s.lastDay],
      ]),
    )
    const text = JSON.stringify({ format: FORMAT, version: VERSION, segments, cells: merged })
    await writeFileAtomic(join(dir, DAY_CACHE_FILE), text, tag)
    this.#changed = false
  }

  #push(day: string, cell: RollupCellJSON): void {
    let cells = this.#days.get(day)
    if (cells === undefined) {
      cells = []
      this.#days.set(day, cells)
    }
    cells.push(cell)
  }
}

// The cell with its hour moved to the start of its UTC day (Rollup.fromJSON merges cells of
// the same key, so the hours of one day add up into one cell).
function dayCell(cell: RollupCellJSON): RollupCellJSON {
  const copy = [...cell] as RollupCellJSON
  copy[0] = `${cell[0].slice(0, 10)}T00:00:00.000Z`
  return copy
}
