/**
 * The dashboard page: a header, the shared filters, and one view, all driven by the URL.
 * New traces appear without a reload: the page polls `/api/stamp` and redraws when it moves.
 */
import 'uplot/dist/uPlot.min.css'
import './style.css'
import { get, type MetaView } from './api.ts'
import type { ViewContext } from './context.ts'
import { h, replace } from './dom.ts'
import { filterBar } from './filters.ts'
import { type PageState, readState, VIEWS, withState, writeState } from './state.ts'
import { renderTenant } from './views/tenant.ts'
import { renderTenants } from './views/tenants.ts'
import { renderTime } from './views/time.ts'
import { renderTrace } from './views/trace.ts'

const POLL_MS = 2000

const app = document.getElementById('app')!
const nav = h('nav', { class: 'tabs' })
const live = h('span', { class: 'live', title: 'New traces appear as they are written' }, 'Live')
const filters = h('section', { class: 'filters', 'aria-label': 'Filters' })
const main = h('main', { id: 'view', 'data-state': 'loading' })
const storeLine = h('footer', { class: 'store' })
app.append(
  h('header', { class: 'top' }, h('span', { class: 'brand' }, 'Tracium'), nav, live),
  filters,
  main,
  storeLine,
)

let renders = 0
let lastStamp: string | null = null

function go(state: PageState): void {
  history.pushState(null, '', writeState(state))
  void render()
}

function link(state: PageState): string {
  return writeState(state)
}

function a(state: PageState, ...children: (Node | string)[]): HTMLAnchorElement {
  return h('a', { href: link(state), onclick: navigate }, ...children)
}

async function render(): Promise<void> {
  const token = ++renders
  const state = readState(location.search)
  main.dataset.state = 'loading'
  try {
    const meta = await get<MetaView>('/api/meta')
    if (token !== renders) return
    const ctx: ViewContext = { state, meta, now: Date.now(), go, a }
    replace(
      nav,
      ...VIEWS.map(({ view, label }) =>
        h(
          'a',
          {
            href: link(withState(state, { view, id: undefined })),
            class: state.view === view ? 'tab active' : 'tab',
            onclick: navigate,
          },
          label,
        ),
      ),
    )
    replace(filters, filterBar(ctx))
    const body = document.createElement('div')
    const draw = {
      tenants: renderTenants,
      time: renderTime,
      tenant: renderTenant,
      trace: renderTrace,
    }
    await draw[state.view](ctx, body)
    if (token !== renders) return
    main.replaceChildren(body)
    replace(
      storeLine,
      `Store: ${meta.file}`,
      meta.skippedLines > 0 ? ` · ${meta.skippedLines} unreadable line(s) skipped` : '',
    )
    main.dataset.state = 'ready'
  } catch (error) {
    if (token !== renders) return
    replace(main, h('p', { class: 'error' }, `Could not load: ${(error as Error).message}`))
    main.dataset.state = 'error'
  }
  main.dataset.render = String(token)
}

/** Links inside the page move by pushState, so back/forward work and nothing reloads. */
function navigate(event: Event): void {
  const anchor = event.currentTarget as HTMLAnchorElement
  const mouse = event as MouseEvent
  if (mouse.metaKey || mouse.ctrlKey || mouse.shiftKey || mouse.button !== 0) return
  event.preventDefault()
  history.pushState(null, '', anchor.getAttribute('href'))
  void render()
}

async function poll(): Promise<void> {
  try {
    const { stamp } = await get<{ stamp: string }>('/api/stamp')
    live.classList.remove('offline')
    replace(live, 'Live')
    if (lastStamp !== null && stamp !== lastStamp) void render()
    lastStamp = stamp
  } catch {
    live.classList.add('offline')
    replace(live, 'Offline')
  }
  setTimeout(poll, POLL_MS)
}

addEventListener('popstate', () => void render())
// Charts read their colours from CSS: redraw when the system switches dark/light.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => void render())
void render()
void poll()
