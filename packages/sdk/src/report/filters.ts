/**
 * The filters of `tracium report`, `tracium traces` and `tracium ui`: `--tenant`, `--agent`,
 * `--model`, `--status`, `--since`, `--until`. The same rules apply to a trace
 * ({@link matches}) and to a rollup cell ({@link cellMatches}), so a report built from rollups
 * and one built from the raw store agree.
 */
import type { RollupCell, StatusClass } from './rollup.js'
import { hourOf, statusClass } from './rollup.js'
import type { ReportTrace } from './valid-trace.js'

/**
 * Which traces a report or listing covers. Unset filters match everything.
 * @example
 * ```ts
 * const filters: TraceFilters = { tenant: null, status: 'failed', since: '2025-03-01T00:00:00.000Z' }
 * ```
 */
export interface TraceFilters {
  /** Exact tenant id; `null`: only traces without a tenant. */
  tenant?: string | null
  /** Exact agent name. */
  agent?: string
  /** Exact model id; `null`: only traces without a model. */
  model?: string | null
  /** Only traces of this status class. */
  status?: StatusClass
  /** ISO 8601 instant; traces that started at or after it. */
  since?: string
  /** ISO 8601 instant; traces that started before it (exclusive). */
  until?: string
}

const RELATIVE = /^(\d+)(s|m|h|d|w)$/
const UNIT_MS = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 } as const

/**
 * Reads `--since` / `--until`: a duration back from `now` (`30m`, `12h`, `7d`, `2w`), `now`, or
 * a date/time (`2025-01-31`, `2025-01-31T12:00:00Z`). Returns an ISO 8601 instant, or `null`
 * when the text is none of these.
 * @example
 * ```ts
 * parseSince('1h', new Date('2025-01-01T12:00:00Z')) // '2025-01-01T11:00:00.000Z'
 * ```
 */
export function parseSince(text: string, now: Date): string | null {
  if (text === 'now') return now.toISOString()
  const relative = RELATIVE.exec(text)
  if (relative) {
    const unit = relative[2] as keyof typeof UNIT_MS
    const time = now.getTime() - Number(relative[1]) * UNIT_MS[unit]
    return Number.isFinite(time) && Math.abs(time) <= MAX_TIME ? new Date(time).toISOString() : null
  }
  const time = Date.parse(text)
  return Number.isNaN(time) ? null : new Date(time).toISOString()
}

// ECMAScript's time range: beyond it `new Date(t).toISOString()` throws.
const MAX_TIME = 8.64e15

/**
 * Whether `trace` passes `filters`. Times compare as ISO strings: the store writes every time
 * with `toISOString()` (fixed width, UTC), where string order is time order, and a million
 * `Date.parse` calls are avoided.
 * @example
 * ```ts
 * matches(trace, { tenant: 'acme', since: '2025-03-01T00:00:00.000Z' })
 * ```
 */
export function matches(trace: ReportTrace, filters: TraceFilters): boolean {
  if (filters.tenant !== undefined && trace.tenantId !== filters.tenant) return false
  if (filters.agent !== undefined && trace.agentName !== filters.agent) return false
  if (filters.model !== undefined && trace.modelId !== filters.model) return false
  if (filters.status !== undefined && statusClass(trace) !== filters.status) return false
  if (filters.since !== undefined && !(trace.startedAt >= filters.since)) return false
  if (filters.until !== undefined && !(trace.startedAt < filters.until)) return false
  return true
}

/**
 * How much of the UTC hour starting at `hour` the time window of `filters` covers: `all`,
 * `part` (the window starts or ends inside the hour) or `none`. A stored rollup cell of a
 * `part` hour cannot be cut; read that hour's traces instead.
 * @example
 * ```ts
 * hourCoverage('2025-03-01T10:00:00.000Z', { since: '2025-03-01T10:30:00.000Z' }) // 'part'
 * ```
 */
export function hourCoverage(hour: string, filters: TraceFilters): 'all' | 'part' | 'none' {
  const { since, until } = filters
  const next = new Date(Date.parse(hour) + 3600e3).toISOString()
  if (since !== undefined && since >= next) return 'none'
  if (until !== undefined && until <= hour) return 'none'
  if ((since !== undefined && since > hour) || (until !== undefined && until < next)) return 'part'
  return 'all'
}

/**
 * Whether a rollup cell passes `filters`: its tenant, agent, model and status match exactly and
 * its hour lies in the window. An hour the window covers only in `part` counts as in it: the
 * cells of such an hour must come from traces filtered with {@link matches}, as the raw reader's
 * do.
 * @example
 * ```ts
 * const cells = [...rollup.cells()].filter((cell) => cellMatches(cell, filters))
 * ```
 */
export function cellMatches(cell: RollupCell, filters: TraceFilters): boolean {
  if (filters.tenant !== undefined && cell.tenantId !== filters.tenant) return false
  if (filters.agent !== undefined && cell.agentName !== filters.agent) return false
  if (filters.model !== undefined && cell.modelId !== filters.model) return false
  if (filters.status !== undefined && cell.status !== filters.status) return false
  if (filters.since !== undefined && cell.hour < hourOf(filters.since)) return false
  if (filters.until !== undefined && !(cell.hour < filters.until)) return false
  return true
}
