/**
 * The page's state lives in its URL (`?view=tenant&id=acme&range=24h&status=failed`), so every
 * view and filter combination is a link that can be shared, reloaded or opened in a new tab.
 */

export type View = 'tenants' | 'time' | 'tenant' | 'trace'

export const VIEWS: { view: View; label: string }[] = [
  { view: 'tenants', label: 'Tenants' },
  { view: 'time', label: 'Over time' },
]

/** Windows that move with the clock; `all` has no start, `custom` uses from/to. */
export const RANGES: Record<string, number | null> = {
  '1h': 3600e3,
  '24h': 86400e3,
  '7d': 7 * 86400e3,
  '30d': 30 * 86400e3,
  all: null,
}

export const FILTERS = ['tenant', 'agent', 'model', 'status'] as const
export type FilterName = (typeof FILTERS)[number]

export interface PageState {
  view: View
  /** The tenant of the One tenant view, the trace of the One trace view. */
  id?: string
  range: string
  from?: string
  to?: string
  filters: Partial<Record<FilterName, string>>
  compare: string[]
  bucket?: string
  sort?: string
  asc?: boolean
}

const VIEW_NAMES = new Set<string>(['tenants', 'time', 'tenant', 'trace'])

export function readState(search: string): PageState {
  const p = new URLSearchParams(search)
  const view = p.get('view') ?? 'tenants'
  const state: PageState = {
    view: (VIEW_NAMES.has(view) ? view : 'tenants') as View,
    range: p.get('range') ?? (p.has('from') || p.has('to') ? 'custom' : '7d'),
    filters: {},
    compare: p.getAll('compare').filter(Boolean),
  }
  const id = p.get('id')
  if (id) state.id = id
  for (const name of ['from', 'to', 'bucket', 'sort'] as const) {
    const value = p.get(name)
    if (value) state[name] = value
  }
  if (p.get('asc') === '1') state.asc = true
  for (const name of FILTERS) {
    const value = p.get(name)
    if (value) state.filters[name] = value
  }
  return state
}

export function writeState(state: PageState): string {
  const p = new URLSearchParams()
  p.set('view', state.view)
  if (state.id !== undefined) p.set('id', state.id)
  if (state.range !== '7d') p.set('range', state.range)
  if (state.range === 'custom') {
    if (state.from) p.set('from', state.from)
    if (state.to) p.set('to', state.to)
  }
  for (const name of FILTERS) {
    const value = state.filters[name]
    if (value) p.set(name, value)
  }
  for (const t of state.compare) p.append('compare', t)
  if (state.bucket) p.set('bucket', state.bucket)
  if (state.sort) p.set('sort', state.sort)
  if (state.asc) p.set('asc', '1')
  return `?${p}`
}

/** The API's filter parameters; a moving window is resolved against `now`. */
export function apiParams(state: PageState, now: number): URLSearchParams {
  const p = new URLSearchParams()
  if (state.range === 'custom') {
    if (state.from) p.set('from', state.from)
    if (state.to) p.set('to', state.to)
  } else {
    const span = RANGES[state.range] ?? null
    if (span !== null) p.set('from', new Date(now - span).toISOString())
  }
  for (const name of FILTERS) {
    const value = state.filters[name]
    if (value) p.set(name, value)
  }
  return p
}

export function withState(state: PageState, change: Partial<PageState>): PageState {
  return { ...state, ...change, filters: { ...state.filters, ...change.filters } }
}
