/** How the page writes numbers: the same units as `tracium report`, shorter where it helps. */

const COUNT = new Intl.NumberFormat('en-US')

export const NO_TENANT = '(none)'

export function count(n: number): string {
  return COUNT.format(n)
}

export function percent(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)}%`
}

export function duration(ms: number | null): string {
  if (ms === null) return '–'
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`
}

export function usd(value: number | null): string {
  if (value === null) return '–'
  return `$${value.toFixed(value >= 1 ? 2 : 6)}`
}

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
