/** Pieces of the One tenant view: stat cards, report rows (agents, models) and trace lists. */
import type { TenantView } from '../api.ts'
import type { ViewContext } from '../context.ts'
import { h } from '../dom.ts'
import { count, duration, percent, time, usd } from '../format.ts'
import { type PageState, withState } from '../state.ts'

type Stats = TenantView['report']['total']
type TraceRow = TenantView['recent'][number]

/** The headline numbers of a report total. */
export function summary(t: Stats): HTMLElement {
  const card = (label: string, value: string, key: string, detail = '') =>
    h(
      'div',
      { class: 'stat', 'data-stat': key },
      h('span', { class: 'label' }, label),
      h('span', { class: 'value' }, value),
      h('span', { class: 'delta' }, detail),
    )
  return h(
    'div',
    { class: 'stats' },
    card('Traces', count(t.traces), 'traces'),
    card('Failure rate', percent(t.errorRate), 'errorRate', `${count(t.failed)} failed`),
    card(
      'Client errors',
      count(t.clientErrors),
      'clientErrors',
      `${count(t.unauthorized)} × 401 · ${count(t.forbidden)} × 403`,
    ),
    card('p50 / p95', `${duration(t.p50Ms)} / ${duration(t.p95Ms)}`, 'latency'),
    card('Tokens in / out', `${count(t.inputTokens)} / ${count(t.outputTokens)}`, 'tokens'),
    card('Cost', usd(t.costUsd), 'cost'),
  )
}

/** Rows of a report breakdown; a row's name links to the same view filtered to it. */
export function breakdown(
  ctx: ViewContext,
  title: string,
  rows: { name: string; filter: PageState['filters'] | undefined; stats: Stats }[],
): HTMLElement {
  const head = h(
    'tr',
    {},
    ...[
      '',
      'Traces',
      'Failure rate',
      'Client errors',
      'p50',
      'p95',
      'Input tokens',
      'Output tokens',
      'Cost',
    ].map((t, i) => h('th', { class: i === 0 ? 'text' : 'num' }, t)),
  )
  const body = h('tbody', {})
  for (const { name, filter, stats: s } of rows) {
    const cell = filter ? ctx.a(withState(ctx.state, { filters: filter }), name) : name
    body.append(
      h(
        'tr',
        { 'data-name': name },
        h('td', { class: 'text' }, cell),
        num('traces', s.traces, count(s.traces)),
        num('errorRate', s.errorRate, percent(s.errorRate)),
        num('clientErrors', s.clientErrors, count(s.clientErrors)),
        num('p50Ms', s.p50Ms, duration(s.p50Ms)),
        num('p95Ms', s.p95Ms, duration(s.p95Ms)),
        num('inputTokens', s.inputTokens, count(s.inputTokens)),
        num('outputTokens', s.outputTokens, count(s.outputTokens)),
        num('costUsd', s.costUsd, usd(s.costUsd)),
      ),
    )
  }
  return h(
    'div',
    { class: 'card table-card', 'data-breakdown': title.toLowerCase() },
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
    ...[
      'Started',
      'Agent',
      'Model',
      'Status',
      'Duration',
      'Spans',
      'Tokens in/out',
      'Cost',
      'Error',
    ].map((t, i) => h('th', { class: i >= 4 && i <= 7 ? 'num' : 'text' }, t)),
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
        h('td', { class: 'text' }, row.modelId ?? '–'),
        h('td', { class: 'text' }, status(row.statusClass, row.httpStatus)),
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

const BADGE: Record<string, string> = {
  ok: 'ok',
  completed: 'ok',
  'client-error': 'warn',
  failed: 'bad',
}

/** A status badge: `ok`, `client-error` (with its code), `failed`, or a span's status. */
export function status(value: string, httpStatus: number | null = null): HTMLElement {
  const text = httpStatus === null ? value : `${value} · ${httpStatus}`
  return h('span', { class: `badge ${BADGE[value] ?? 'running'}` }, text)
}

function num(col: string, value: number | null, text: string): HTMLElement {
  return h(
    'td',
    { class: 'num', 'data-col': col, 'data-value': value === null ? 'null' : String(value) },
    text,
  )
}
