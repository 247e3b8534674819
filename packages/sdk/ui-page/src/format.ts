/** How the page writes numbers: the same units as `tracium report`, shorter where it helps. */
import {
  count,
  duration as durationOf,
  percent as percentOf,
  usd as usdOf,
} from '../../src/report/units.ts'

export const NO_TENANT = '(none)'

// The report's own units (one definition, so page and report agree), with the page's dash.
const DASH = '–'

export { count }
export const percent = (rate: number | null): string => percentOf(rate, DASH)
export const duration = (ms: number | null): string => durationOf(ms, DASH)
export const usd = (value: number | null): string => usdOf(value, DASH)

/** Change against the previous window: `+12%`, `−3%`, `new` or `–`. */
export function change(now: number | null, before: number | null): string {
  if (now === null || before === null) return '–'
  if (before === 0) return now === 0 ? '0%' : 'new'
  const pct = ((now - before) / before) * 100
  return `${pct > 0 ? '+' : pct < 0 ? '−' : ''}${Math.abs(pct).toFixed(0)}%`
}

export function time(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}

export function tenantLabel(id: string | null): string {
  return id ?? NO_TENANT
}
