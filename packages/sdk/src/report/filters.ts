/**
 * The CLI's filters: `--tenant`, `--agent`, `--since`.
 */
import type { TraceSummary } from '../records.js'

/** Which traces a report or listing covers. Unset filters match everything. */
export interface TraceFilters {
  /** Exact tenant id. */
  tenant?: string
  /** Exact agent name. */
  agent?: string
  /** ISO 8601 instant; traces that started at or after it. */
  since?: string
}

const RELATIVE = /^(\d+)(s|m|h|d|w)$/
const UNIT_MS = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 } as const

/**
 * Reads `--since`: a duration back from `now` (`30m`, `12h`, `7d`, `2w`) or a date/time
 * (`2025-01-31`, `2025-01-31T12:00:00Z`). Returns an ISO 8601 instant, or `null` when the text is
 * neither.
 * @example
 * ```ts
 * parseSince('1h', new Date('2025-01-01T12:00:00Z')) // '2025-01-01T11:00:00.000Z'
 * ```
 */
export function parseSince(text: string, now: Date): string | null {
  const relative = RELATIVE.exec(text)
  if (relative) {
    const unit = relative[2] as keyof typeof UNIT_MS
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[unit]).toISOString()
  }
  const time = Date.parse(text)
  return Number.isNaN(time) ? null : new Date(time).toISOString()
}

/**
 * Whether `trace` passes `filters`. `since` compares ISO strings: the store writes every time
 * with `toISOString()` (fixed width, UTC), where string order is time order, and a million
 * `Date.parse` calls are avoided.
 * @example
 * ```ts
 * matches(trace, { tenant: 'acme', since: '2025-03-01T00:00:00.000Z' })
 * ```
 */
export function matches(trace: TraceSummary, filters: TraceFilters): boolean {
  if (filters.tenant !== undefined && trace.tenantId !== filters.tenant) return false
  if (filters.agent !== undefined && trace.agentName !== filters.agent) return false
  if (filters.since !== undefined && !(trace.startedAt >= filters.since)) return false
  return true
}
