/** One tenant: its agents and models, its recent and failed traces. */
import { get, type TenantView } from '../api.ts'
import type { ViewContext } from '../context.ts'
import { h } from '../dom.ts'
import { NO_TENANT } from '../format.ts'
import { apiParams, withState } from '../state.ts'
import { breakdown, summary, traceList } from './tables.ts'

export async function renderTenant(ctx: ViewContext, into: HTMLElement): Promise<void> {
  const { state } = ctx
  const id = state.id ?? state.filters.tenant
  if (id === undefined) {
    into.append(h('p', { class: 'empty' }, 'Pick a tenant on the Tenants view.'))
    return
  }
  const params = apiParams(state, ctx.now)
  params.delete('tenant')
  params.set('id', id)
  const view = await get<TenantView>('/api/tenant', params)
  into.append(
    h(
      'div',
      { class: 'crumbs' },
      ctx.a(withState(state, { view: 'tenants', id: undefined }), 'Tenants'),
      ' / ',
      h('span', {}, id === NO_TENANT ? '(no tenant)' : id),
    ),
    h('h1', { 'data-tenant-title': id }, id === NO_TENANT ? 'Traces without a tenant' : id),
    summary(view.report.total),
    breakdown(
      ctx,
      'Agents',
      view.report.agents.map((r) => ({
        name: r.agentName,
        filter: { agent: r.agentName },
        stats: r,
      })),
    ),
    breakdown(
      ctx,
      'Models',
      view.report.models.map((r) => ({
        name: r.modelId ?? '(no model)',
        filter: r.modelId === null ? undefined : { model: r.modelId },
        stats: r,
      })),
    ),
    traceList(ctx, 'Failed traces', view.failed, 'failed'),
    traceList(ctx, 'Recent traces', view.recent, 'recent'),
  )
}
