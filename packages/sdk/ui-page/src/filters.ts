/** The filter bar every view shares: window, tenant, agent, model, status. */
import type { ViewContext } from './context.ts'
import { h } from './dom.ts'
import { NO_TENANT } from './format.ts'
import { type FilterName, RANGES, withState } from './state.ts'

const RANGE_LABELS: Record<string, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
  custom: 'Custom…',
}

export function filterBar(ctx: ViewContext): HTMLElement {
  const { state, meta } = ctx
  const bar = h('div', { class: 'filter-row' })
  const range = select(
    'range',
    'Window',
    [...Object.keys(RANGES), 'custom'].map((r) => [r, RANGE_LABELS[r] ?? r]),
    state.range,
    (value) => {
      const change =
        value === 'custom'
          ? { range: value, from: isoDay(ctx.now - 7 * 86400e3), to: isoDay(ctx.now + 86400e3) }
          : { range: value, from: undefined, to: undefined }
      ctx.go(withState(state, change))
    },
  )
  bar.append(range)
  if (state.range === 'custom') {
    for (const name of ['from', 'to'] as const) {
      const input = h('input', {
        type: 'datetime-local',
        name,
        value: state[name] ? localInput(state[name]) : '',
      })
      input.addEventListener('change', () => {
        const value = input.value ? new Date(input.value).toISOString() : undefined
        ctx.go(withState(state, { [name]: value }))
      })
      bar.append(
        h('label', { class: 'field' }, h('span', {}, name === 'from' ? 'From' : 'To'), input),
      )
    }
  }
  const options: Record<FilterName, string[][]> = {
    tenant: meta.tenants.map((t) => [t, t === NO_TENANT ? '(no tenant)' : t]),
    agent: meta.agents.map((a) => [a, a]),
    model: meta.models.map((m) => [m, m]),
    status: [
      ['ok', 'ok (2xx/3xx)'],
      ['client-error', 'client error (4xx)'],
      ['failed', 'failed (5xx, aborted)'],
    ],
  }
  for (const name of ['tenant', 'agent', 'model', 'status'] as const) {
    const current = state.filters[name]
    const choices = options[name]
    // A value from a link that the store no longer has stays selectable, so the URL is honest.
    if (current !== undefined && !choices.some(([v]) => v === current))
      choices.push([current, current])
    bar.append(
      select(
        name,
        name[0]!.toUpperCase() + name.slice(1),
        [['', 'All'], ...choices],
        current ?? '',
        (value) => ctx.go(withState(state, { filters: { [name]: value || undefined } })),
      ),
    )
  }
  const active = Object.values(state.filters).some(Boolean) || state.range !== '7d'
  if (active) {
    bar.append(
      h(
        'button',
        {
          type: 'button',
          class: 'clear',
          onclick: () =>
            ctx.go(
              withState(state, {
                range: '7d',
                from: undefined,
                to: undefined,
                filters: {
                  tenant: undefined,
                  agent: undefined,
                  model: undefined,
                  status: undefined,
                },
              }),
            ),
        },
        'Clear filters',
      ),
    )
  }
  return bar
}

function select(
  name: string,
  label: string,
  choices: string[][],
  current: string,
  onChange: (value: string) => void,
): HTMLElement {
  const el = h('select', { name })
  for (const [value, text] of choices) {
    el.append(h('option', { value: value!, selected: value === current }, text!))
  }
  el.addEventListener('change', () => onChange(el.value))
  return h('label', { class: 'field' }, h('span', {}, label), el)
}

function isoDay(ms: number): string {
  return new Date(Math.floor(ms / 86400e3) * 86400e3).toISOString()
}

// datetime-local shows local time without a zone.
function localInput(iso: string): string {
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}
