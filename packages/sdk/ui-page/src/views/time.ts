/** Over time: requests, p95 latency, error rate and cost per hour/day, overall and per tenant. */
import { get, type SeriesView, type TenantsView } from '../api.ts'
import { colour, lineChart } from '../charts.ts'
import type { ViewContext } from '../context.ts'
import { h } from '../dom.ts'
import { count, duration, NO_TENANT, percent, usd } from '../format.ts'
import { apiParams, withState } from '../state.ts'

const MAX_COMPARE = 8
const DEFAULT_COMPARE = 3

export async function renderTime(ctx: ViewContext, into: HTMLElement): Promise<void> {
  const { state } = ctx
  const params = apiParams(state, ctx.now)
  let compare = state.compare
  if (compare.length === 0 && state.filters.tenant === undefined) {
    // Nothing picked yet: the busiest tenants, so the first look already compares.
    const top = await get<TenantsView>('/api/tenants', params)
    compare = top.report.tenants.slice(0, DEFAULT_COMPARE).map((r) => r.tenantId ?? NO_TENANT)
  } else if (compare.length === 0) {
    compare = [state.filters.tenant!]
  }
  const query = new URLSearchParams(params)
  for (const t of compare) query.append('compare', t)
  if (state.bucket) query.set('bucket', state.bucket)
  const view = await get<SeriesView>('/api/series', query)

  into.append(h('h1', {}, 'Over time'), picker(ctx, compare, view))
  if (view.buckets.length === 0) {
    into.append(h('p', { class: 'empty' }, 'No traces match these filters yet.'))
    return
  }
  const x = view.buckets.map((b) => Date.parse(b))
  const label = (t: string | null) =>
    t === null ? 'All traces' : t === NO_TENANT ? '(no tenant)' : t
  const lines = <K extends 'requests' | 'p95Ms' | 'errorRate' | 'costUsd'>(key: K) =>
    view.series.map((s) => ({ label: label(s.tenantId), values: s[key] as (number | null)[] }))
  const width = chartWidth()
  const per = view.bucket === 'hour' ? 'per hour' : 'per day'
  into.append(
    h(
      'div',
      { class: 'charts' },
      lineChart({
        key: 'requests',
        title: `Requests ${per}`,
        x,
        lines: lines('requests'),
        format: (v) => count(Math.round(v)),
        width,
      }),
      lineChart({
        key: 'p95',
        title: `p95 latency ${per}`,
        x,
        lines: lines('p95Ms'),
        format: duration,
        width,
      }),
      lineChart({
        key: 'errorRate',
        title: `Error rate ${per}`,
        x,
        lines: lines('errorRate'),
        format: percent,
        width,
      }),
      lineChart({
        key: 'cost',
        title: `Cost ${per}`,
        x,
        lines: lines('costUsd'),
        format: usd,
        axis: shortUsd,
        width,
      }),
    ),
  )
}

function picker(ctx: ViewContext, compare: string[], view: SeriesView): HTMLElement {
  const { state, meta } = ctx
  const box = h('div', { class: 'picker card' }, h('span', { class: 'label' }, 'Compare tenants'))
  meta.tenants.forEach((tenant) => {
    const on = compare.includes(tenant)
    const index = compare.indexOf(tenant)
    const input = h('input', {
      type: 'checkbox',
      name: 'compare',
      value: tenant,
      checked: on,
      disabled: !on && compare.length >= MAX_COMPARE,
    })
    input.addEventListener('change', () => {
      const next = input.checked ? [...compare, tenant] : compare.filter((t) => t !== tenant)
      ctx.go(withState(state, { compare: next }))
    })
    const swatch = h('span', { class: 'swatch', 'data-colour': on ? String(index) : 'none' })
    if (on) swatch.style.background = colour(index)
    box.append(
      h('label', { class: 'check' }, input, swatch, tenant === NO_TENANT ? '(no tenant)' : tenant),
    )
  })
  const bucket = h('select', { name: 'bucket' })
  for (const [value, text] of [
    ['', `Auto (${view.bucket})`],
    ['hour', 'Hourly'],
    ['day', 'Daily'],
  ]) {
    bucket.append(h('option', { value: value!, selected: (state.bucket ?? '') === value }, text!))
  }
  bucket.addEventListener('change', () =>
    ctx.go(withState(state, { bucket: bucket.value || undefined })),
  )
  box.append(h('label', { class: 'field' }, h('span', {}, 'Buckets'), bucket))
  return box
}

function shortUsd(v: number): string {
  return v === 0 ? '$0' : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(2)}`
}

function chartWidth(): number {
  const page = Math.min(document.documentElement.clientWidth, 1400) - 64
  // Two columns from 900 px (style.css): card padding and border are 34 px, the gap 16 px.
  return page + 64 >= 900 ? Math.floor((page - 16) / 2) - 34 : page - 34
}
