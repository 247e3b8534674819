/** Tables shared by the One tenant view: report rows (agents, models) and trace lists. */
import type { TenantView } from '../api.ts'
import type { ViewContext } from '../context.ts'
import { h } from '../dom.ts'
import { count, duration, percent, time, usd } from '../format.ts'
import { withState } from '../state.ts'

type ReportRow = TenantView['agents'][number]
type TraceRow = TenantView['recent'][number]

export function breakdown(
  title: string,
  rows: ReportRow[],
  empty: string,
  filter?: (row: ReportRow) => Partial<ViewContext['state']['filters']>,
  ctx?: ViewContext,
): HTMLElement {
  const head = h(
    'tr',
    {},
    ...['', 'Traces', 'Failure rate', 'p50', 'p95', 'Input tokens', 'Output tokens', 'Cost'].map(
      (t, i) => h('th', { class: i === 0 ? 'text' : 'num' }, t),
    ),
  )
  const body = h('tbody', {})
  for (const row of rows) {
    const name = row.tenantId ?? empty
    const cell = filter && ctx ? ctx.a(withState(ctx.state, { filters: filter(row) }), name) : name
    body.append(
      h(
        'tr',
        { 'data-name': name },
        h('td', { class: 'text' }, cell),
        num('traces', row.traces, count(row.traces)),
        num('errorRate', row.errorRate, percent(row.errorRate)),
        num('p50Ms', row.p50Ms, duration(row.p50Ms)),
        num('p95Ms', row.p95Ms, duration(row.p95Ms)),
        num('inputTokens', row.inputTokens, count(row.inputTokens)),
        num('outputTokens', row.outputTokens, count(row.outputTokens)),
        num('costUsd', row.costUsd, usd(row.costUsd)),
      ),
    )
  }
  return h(
    'div',
    { class: 'card table-card' },
    h('h2', {}, title),
    h('table', { class: 'grid' }, h('thead', {}, head), body),
  )
}

export function traceList(
  ctx: ViewContext,
  title: string,
  rows: TraceRow[],
  key: string,
): HTMLElement {
  const card = h('div', { class: 'card table-card', 'data-list': key }, h('h2', {}, title))
  if (rows.length === 0) {
    card.append(h('p', { class: 'empty' }, 'None in this window.'))
    return card
  }
  const head = h(
    'tr',
    {},
    ...['Started', 'Agent', 'Status', 'Duration', 'Spans', 'Tokens in/out', 'Cost', 'Error'].map(
      (t, i) => h('th', { class: i >= 3 && i <= 6 ? 'num' : 'text' }, t),
    ),
  )
  const body = h('tbody', {})
  for (const row of rows) {
    const target = withState(ctx.state, {
      view: 'trace',
      id: row.id,
      sort: undefined,
      asc: undefined,
    })
    body.append(
      h(
        'tr',
        { 'data-trace': row.id },
        h('td', { class: 'text' }, ctx.a(target, time(row.startedAt))),
        h('td', { class: 'text' }, row.agentName),
        h('td', { class: 'text' }, status(row.status)),
        h('td', { class: 'num' }, duration(row.durationMs)),
        h('td', { class: 'num' }, count(row.spans)),
        h('td', { class: 'num' }, `${count(row.inputTokens)} / ${count(row.outputTokens)}`),
        h('td', { class: 'num' }, usd(row.costUsd)),
        h('td', { class: 'text error-text' }, row.error ?? ''),
      ),
    )
  }
  card.append(h('table', { class: 'grid' }, h('thead', {}, head), body))
  return card
}

export function status(value: string): HTMLElement {
  return h(
    'span',
    { class: `badge ${value === 'failed' ? 'bad' : value === 'completed' ? 'ok' : 'running'}` },
    value,
  )
}

function num(col: string, value: number | null, text: string): HTMLElement {
  return h(
    'td',
    { class: 'num', 'data-col': col, 'data-value': value === null ? 'null' : String(value) },
    text,
  )
}
