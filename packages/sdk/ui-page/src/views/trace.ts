/**
 * One trace: the span waterfall (offset and length from each span's times), and for the chosen
 * span its status, tokens, cost, input, output and metadata, all shown as text.
 */
import { ApiError, get, type TraceRecord } from '../api.ts'
import type { ViewContext } from '../context.ts'
import { h, replace } from '../dom.ts'
import { count, duration, NO_TENANT, time, usd } from '../format.ts'
import { withState } from '../state.ts'
import { status } from './tables.ts'

type Span = TraceRecord['spans'][number]

export async function renderTrace(ctx: ViewContext, into: HTMLElement): Promise<void> {
  const { state } = ctx
  if (state.id === undefined) {
    into.append(h('p', { class: 'empty' }, 'No trace chosen.'))
    return
  }
  let trace: TraceRecord
  try {
    trace = await get<TraceRecord>('/api/trace', new URLSearchParams({ id: state.id }))
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      into.append(
        h('h1', {}, 'Trace not found'),
        h('p', { class: 'empty' }, `No trace with id ${state.id} in this store.`),
      )
      return
    }
    throw error
  }
  const tenant = trace.tenantId ?? NO_TENANT
  into.append(
    h(
      'div',
      { class: 'crumbs' },
      ctx.a(withState(state, { view: 'tenants', id: undefined }), 'Tenants'),
      ' / ',
      ctx.a(
        withState(state, { view: 'tenant', id: tenant }),
        tenant === NO_TENANT ? '(no tenant)' : tenant,
      ),
      ' / ',
      h('span', {}, trace.id),
    ),
    h('h1', {}, trace.agentName, ' ', status(trace.status)),
    facts([
      ['Trace', trace.id],
      ['Tenant', tenant],
      ['Started', time(trace.startedAt)],
      ['Duration', duration(trace.durationMs)],
      ['Model', trace.modelId ?? '–'],
      ['Tokens in / out', `${count(trace.inputTokens ?? 0)} / ${count(trace.outputTokens ?? 0)}`],
      ['Cost', usd(trace.costUsd ?? null)],
      ['Version', trace.version ?? '–'],
    ]),
  )
  if (trace.error) into.append(h('p', { class: 'error', 'data-trace-error': '' }, trace.error))
  const detail = h('div', { class: 'card detail', 'data-detail': '' })
  const spans = Array.isArray(trace.spans) ? trace.spans : []
  into.append(
    waterfall(trace, spans, (span) => showSpan(detail, span)),
    detail,
  )
  if (spans[0]) showSpan(detail, spans[0])
  into.append(
    h(
      'div',
      { class: 'card' },
      h('h2', {}, 'Trace metadata'),
      json({ tags: trace.tags, metadata: trace.metadata, summary: trace.summary }),
    ),
  )
}

function waterfall(trace: TraceRecord, spans: Span[], choose: (span: Span) => void): HTMLElement {
  const start = Date.parse(trace.startedAt)
  const total = Math.max(trace.durationMs, 1e-3)
  const depth = depths(spans)
  const rows = h('div', { class: 'waterfall', role: 'list' })
  const ordered = [...spans].sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)))
  for (const span of ordered) {
    const offset = clamp((Date.parse(span.startedAt) - start) / total)
    const length = span.latencyMs === null ? 1 - offset : clamp(span.latencyMs / total)
    const bar = h('span', { class: `bar ${span.status}` })
    bar.style.marginLeft = `${(offset * 100).toFixed(2)}%`
    bar.style.width = `max(2px, ${(Math.min(length, 1 - offset) * 100).toFixed(2)}%)`
    const name = h(
      'span',
      { class: 'span-name' },
      h('span', { class: 'type' }, span.spanType),
      ' ',
      span.name,
    )
    name.style.paddingLeft = `${(depth.get(span.id) ?? 0) * 14}px`
    const row = h(
      'button',
      {
        type: 'button',
        class: 'span-row',
        role: 'listitem',
        'data-span': span.id,
        onclick: () => choose(span),
      },
      name,
      h('span', { class: 'track' }, bar),
      h('span', { class: 'num' }, span.latencyMs === null ? 'running' : duration(span.latencyMs)),
    )
    rows.append(row)
  }
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, `Spans (${spans.length})`),
    spans.length ? rows : h('p', { class: 'empty' }, 'This trace has no spans.'),
  )
}

function showSpan(detail: HTMLElement, span: Span): void {
  for (const row of document.querySelectorAll('.span-row.active')) row.classList.remove('active')
  detail.parentElement
    ?.querySelector(`.span-row[data-span="${CSS.escape(span.id)}"]`)
    ?.classList.add('active')
  replace(
    detail,
    h('h2', {}, span.name, ' ', status(span.status)),
    facts([
      ['Type', span.spanType],
      ['Duration', span.latencyMs === null ? 'running' : duration(span.latencyMs)],
      ['Model', span.modelId ?? '–'],
      ['Tokens in / out', `${count(span.inputTokens ?? 0)} / ${count(span.outputTokens ?? 0)}`],
      ['Cost', usd(span.costUsd ?? null)],
      ['Started', time(span.startedAt)],
    ]),
    span.error ? h('p', { class: 'error' }, span.error) : null,
    h(
      'div',
      { class: 'io' },
      h('div', {}, h('h3', {}, 'Input'), json(span.input)),
      h('div', {}, h('h3', {}, 'Output'), json(span.output)),
    ),
    h('h3', {}, 'Metadata'),
    json({ tags: span.tags, metadata: span.metadata }),
  )
}

function facts(items: [string, string][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...items.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))
}

/** Inputs and outputs are user data: pretty JSON, as text in a <pre>, never as markup. */
function json(value: unknown): HTMLElement {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2)
  return h('pre', { class: 'json' }, text ?? 'null')
}

function depths(spans: Span[]): Map<string, number> {
  const parent = new Map(spans.map((s) => [s.id, s.parentSpanId]))
  const out = new Map<string, number>()
  for (const span of spans) {
    let d = 0
    let at = span.parentSpanId
    // Bounded by the number of spans: a cycle in a hostile store cannot loop forever.
    while (at !== null && at !== undefined && parent.has(at) && d < spans.length) {
      d++
      at = parent.get(at) ?? null
    }
    out.set(span.id, d)
  }
  return out
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0
}
