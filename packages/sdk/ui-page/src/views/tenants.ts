/** Tenants: one row per tenant, sortable, with change vs the previous window and a sparkline. */
import { get, type TenantsView } from '../api.ts'
import type { ViewContext } from '../context.ts'
import { h } from '../dom.ts'
import { change, count, duration, NO_TENANT, percent, tenantLabel, usd } from '../format.ts'
import { sparkline } from '../sparkline.ts'
import { apiParams, withState } from '../state.ts'

// The total row has no tenant id; the columns read only the numbers and, for tenants, the id.
type Row = TenantsView['report']['total'] & { tenantId?: string | null }

interface Column {
  key: string
  label: string
  value: (row: Row) => number | string | null
  text: (row: Row) => string
  /** The previous window's row, for the change columns. */
  vs?: boolean
}

const COLUMNS: Column[] = [
  {
    key: 'tenant',
    label: 'Tenant',
    value: (r) => tenantLabel(r.tenantId ?? null),
    text: (r) => tenantLabel(r.tenantId ?? null),
  },
  { key: 'traces', label: 'Traces', value: (r) => r.traces, text: (r) => count(r.traces) },
  {
    key: 'errorRate',
    label: 'Failure rate',
    value: (r) => r.errorRate,
    text: (r) => percent(r.errorRate),
  },
  {
    key: 'clientErrors',
    label: 'Client errors',
    value: (r) => r.clientErrors,
    text: (r) => count(r.clientErrors),
  },
  { key: 'p50Ms', label: 'p50', value: (r) => r.p50Ms, text: (r) => duration(r.p50Ms) },
  { key: 'p95Ms', label: 'p95', value: (r) => r.p95Ms, text: (r) => duration(r.p95Ms) },
  {
    key: 'inputTokens',
    label: 'Input tokens',
    value: (r) => r.inputTokens,
    text: (r) => count(r.inputTokens),
  },
  {
    key: 'outputTokens',
    label: 'Output tokens',
    value: (r) => r.outputTokens,
    text: (r) => count(r.outputTokens),
  },
  { key: 'costUsd', label: 'Cost', value: (r) => r.costUsd, text: (r) => usd(r.costUsd) },
]

export async function renderTenants(ctx: ViewContext, into: HTMLElement): Promise<void> {
  const { state } = ctx
  const view = await get<TenantsView>('/api/tenants', apiParams(state, ctx.now))
  const before = new Map((view.previous?.tenants ?? []).map((r) => [r.tenantId, r]))
  const sortKey = state.sort ?? 'traces'
  const column = COLUMNS.find((c) => c.key === sortKey) ?? COLUMNS[1]!
  const rows = [...view.report.tenants].sort((a, b) =>
    compare(column.value(a), column.value(b), state.asc === true),
  )

  into.append(h('h1', {}, 'Tenants'), cards(view))
  if (rows.length === 0) {
    into.append(
      h(
        'p',
        { class: 'empty' },
        'No traces match these filters yet. New traces appear here as they are written.',
      ),
    )
    return
  }
  const head = h('tr', {})
  for (const c of COLUMNS) {
    const active = c.key === column.key
    const next = withState(state, { sort: c.key, asc: active ? !state.asc : c.key === 'tenant' })
    head.append(
      h(
        'th',
        {
          class: c.key === 'tenant' ? 'text' : 'num',
          'aria-sort': active ? (state.asc ? 'ascending' : 'descending') : undefined,
        },
        ctx.a(next, c.label, active ? (state.asc ? ' ▲' : ' ▼') : ''),
      ),
    )
  }
  head.append(
    h(
      'th',
      { class: 'num', title: 'Traces against the window of the same length just before' },
      'vs previous',
    ),
    h('th', { class: 'text' }, 'Per day'),
  )
  const body = h('tbody', {})
  const max = Math.max(1, ...Object.values(view.sparklines).flat())
  for (const row of rows) {
    const key = tenantLabel(row.tenantId ?? null)
    const tr = h('tr', { 'data-tenant': key })
    for (const c of COLUMNS) {
      if (c.key === 'tenant') {
        const target = withState(state, {
          view: 'tenant',
          id: key,
          sort: undefined,
          asc: undefined,
        })
        tr.append(
          h(
            'td',
            { class: 'text', 'data-col': c.key },
            ctx.a(target, key === NO_TENANT ? '(no tenant)' : key),
          ),
        )
      } else {
        const value = c.value(row)
        tr.append(
          h(
            'td',
            {
              class: 'num',
              'data-col': c.key,
              'data-value': value === null ? 'null' : String(value),
            },
            c.text(row),
          ),
        )
      }
    }
    const prev = view.previous === null ? null : (before.get(row.tenantId ?? null)?.traces ?? 0)
    tr.append(
      h(
        'td',
        { class: `num delta ${trend(row.traces, prev)}`, 'data-col': 'change' },
        change(row.traces, prev),
      ),
      h('td', { class: 'spark' }, sparkline(view.sparklines[key] ?? [], max, view.days)),
    )
    body.append(tr)
  }
  const total = view.report.total
  const foot = h('tr', { class: 'total', 'data-tenant': '(all)' })
  for (const c of COLUMNS) {
    if (c.key === 'tenant') foot.append(h('td', { class: 'text' }, 'All tenants'))
    else {
      const value = c.value(total)
      foot.append(
        h(
          'td',
          {
            class: 'num',
            'data-col': c.key,
            'data-value': value === null ? 'null' : String(value),
          },
          c.text(total),
        ),
      )
    }
  }
  const prevTotal = view.previous?.total.traces ?? null
  foot.append(
    h('td', { class: 'num delta', 'data-col': 'change' }, change(total.traces, prevTotal)),
    h('td', {}),
  )
  into.append(
    h(
      'div',
      { class: 'card table-card' },
      h('table', { class: 'grid tenants' }, h('thead', {}, head), body, h('tfoot', {}, foot)),
    ),
  )
}

function cards(view: TenantsView): HTMLElement {
  const t = view.report.total
  const p = view.previous?.total ?? null
  const card = (label: string, value: string, delta: string, cls = '') =>
    h(
      'div',
      { class: 'stat' },
      h('span', { class: 'label' }, label),
      h('span', { class: 'value' }, value),
      h('span', { class: `delta ${cls}` }, delta),
    )
  return h(
    'div',
    { class: 'stats' },
    card(
      'Traces',
      count(t.traces),
      vsText(t.traces, p?.traces ?? null),
      trend(t.traces, p?.traces ?? null),
    ),
    card('Failure rate', percent(t.errorRate), p === null ? '' : `was ${percent(p.errorRate)}`),
    card('p95 latency', duration(t.p95Ms), p === null ? '' : `was ${duration(p.p95Ms)}`),
    card('Cost', usd(t.costUsd), vsText(t.costUsd, p?.costUsd ?? null)),
    card('Tenants', count(view.report.tenants.length), ''),
  )
}

function vsText(now: number | null, before: number | null): string {
  return before === null ? '' : `${change(now, before)} vs previous`
}

function trend(now: number, before: number | null): string {
  if (before === null || now === before) return ''
  return now > before ? 'up' : 'down'
}

function compare(a: number | string | null, b: number | string | null, asc: boolean): number {
  if (a === b) return 0
  if (a === null) return 1 // missing values last either way
  if (b === null) return -1
  const order = a < b ? -1 : 1
  return asc ? order : -order
}
