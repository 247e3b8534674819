/// <reference lib="dom" />
// (Callbacks given to page.evaluate run in the browser.)
/**
 * `tracium ui` as a person uses it: the real page in headless Chromium over a store written like
 * an app's. The numbers on the page are compared with `tracium report`'s JSON for the same
 * store, the tenant → trace drill-down is clicked through, filters are changed and the charts
 * checked, stored markup must stay text, and a trace written while the page is open appears.
 */
import { appendFile, copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tracium from '../../src/index.js'
import type { ReportStats } from '../../src/report/build-report.js'
import type { TenantsView } from '../../src/ui/data.js'
import { traceRecord } from '../fixtures.js'
import { onCleanup, tempDir } from '../helpers.js'
import {
  closeBrowser,
  openPage,
  type RunningUi,
  reportJson,
  screenshot,
  settled,
  startUi,
  visit,
} from './harness.js'
import {
  demoTraces,
  IMG_AGENT,
  IMG_OUTPUT,
  SCRIPT_INPUT,
  SCRIPT_TENANT,
  writeStore,
} from './store.js'

const NOW = Date.now()
// A window with a start, so the page has a previous window to compare with; fixed in the URL so
// that the page and `tracium report --since` cover exactly the same traces.
const FROM = new Date(NOW - 7 * 86400e3).toISOString()
const README_IMAGE = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url))

// One store and one `tracium ui` for the file (the live test starts its own).
let dir: string
let ui: RunningUi
let url: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracium-ui-'))
  await writeStore(dir, demoTraces(NOW))
  ui = await startUi(dir)
  url = ui.url
}, 60_000) // a loaded CI machine may take a while to start Node and the CLI
afterAll(async () => {
  await closeBrowser()
  await ui?.stop()
  await rm(dir, { recursive: true, force: true })
})

const COLUMNS = [
  'traces',
  'errorRate',
  'clientErrors',
  'p50Ms',
  'p95Ms',
  'inputTokens',
  'outputTokens',
  'costUsd',
] as const

function expected(row: ReportStats): Record<string, string> {
  return Object.fromEntries(COLUMNS.map((c) => [c, row[c] === null ? 'null' : String(row[c])]))
}

describe('tracium ui in a browser', () => {
  it('Tenants: every number on the page is the one tracium report prints', async () => {
    const page = await openPage()
    await visit(page, `${url}?view=tenants&range=custom&from=${encodeURIComponent(FROM)}`)
    const report = await reportJson(dir, ['--since', FROM])
    expect(report.tenants.length).toBe(5)

    const onPage = await page.$$eval('table.tenants tbody tr', (rows) =>
      rows.map((tr) => ({
        tenant: tr.getAttribute('data-tenant'),
        name: tr.querySelector('td[data-col="tenant"]')?.textContent,
        values: Object.fromEntries(
          [...tr.querySelectorAll('td[data-value]')].map((td) => [
            td.getAttribute('data-col'),
            td.getAttribute('data-value'),
          ]),
        ),
        traces: tr.querySelector('td[data-col="traces"]')?.textContent,
      })),
    )
    expect(onPage.map((r) => r.tenant).sort()).toEqual(
      report.tenants.map((t) => t.tenantId ?? '(none)').sort(),
    )
    for (const row of report.tenants) {
      const shown = onPage.find((r) => r.tenant === (row.tenantId ?? '(none)'))!
      expect(shown.values).toEqual(expected(row))
      expect(shown.traces).toBe(row.traces.toLocaleString('en-US'))
    }
    const total = await page.$$eval('table.tenants tfoot td[data-value]', (tds) =>
      Object.fromEntries(
        tds.map((td) => [td.getAttribute('data-col'), td.getAttribute('data-value')]),
      ),
    )
    expect(total).toEqual(expected(report.total))
    // The same object, not only the same numbers: the page's API is the report.
    const api = await page.evaluate(async (from) => {
      const res = await fetch(`/api/tenants?from=${encodeURIComponent(from)}`)
      return (await res.json()) as TenantsView
    }, FROM)
    expect(api.report.tenants).toEqual(report.tenants)
    expect(api.report.total).toEqual(report.total)
    // The previous window (same length, just before) is the report of that window.
    const before = await reportJson(dir, ['--since', new Date(NOW - 14 * 86400e3).toISOString()])
    expect(api.previous!.total.traces).toBe(before.total.traces - report.total.traces)
    const shot = await screenshot(page, 'tenants')
    // The README's image; refreshed on request only, so a test run leaves the tree clean.
    if (process.env.TRACIUM_UPDATE_SCREENSHOT === '1') await copyFile(shot, README_IMAGE)
  }, 60_000)

  it('sorting by a column reorders the rows and is kept in the URL', async () => {
    const page = await openPage()
    await visit(page, `${url}?view=tenants&range=all`)
    await settled(page, () => page.click('th a:text("Cost")'))
    expect(page.url()).toContain('sort=costUsd')
    const costs = await page.$$eval('table.tenants tbody td[data-col="costUsd"]', (tds) =>
      tds.map((td) => Number(td.getAttribute('data-value'))),
    )
    expect(costs).toEqual([...costs].sort((a, b) => b - a))
    await settled(page, () => page.click('th a:text("Cost")'))
    const ascending = await page.$$eval('table.tenants tbody td[data-col="costUsd"]', (tds) =>
      tds.map((td) => Number(td.getAttribute('data-value'))),
    )
    expect(ascending).toEqual([...costs].reverse())
  }, 60_000)

  it('drill-down: tenant → its agents, models and failed traces → one trace and its spans', async () => {
    const page = await openPage()
    await visit(page, `${url}?view=tenants&range=custom&from=${encodeURIComponent(FROM)}`)
    await settled(page, () => page.click('tr[data-tenant="acme"] a'))
    expect(page.url()).toContain('view=tenant')
    expect(await page.textContent('h1')).toBe('acme')
    const report = await reportJson(dir, ['--since', FROM, '--tenant', 'acme'])
    const agents = await page.$$eval('[data-breakdown="agents"] tbody tr', (rows) =>
      rows.map((tr) => [
        tr.getAttribute('data-name'),
        Number(tr.querySelector('td[data-col="traces"]')?.getAttribute('data-value')),
      ]),
    )
    expect(agents).toEqual(report.agents.map((a) => [a.agentName, a.traces]))
    const models = await page.$$eval('[data-breakdown="models"] tbody tr', (rows) =>
      rows.map((tr) => tr.getAttribute('data-name')),
    )
    expect(models).toEqual(report.models.map((m) => m.modelId ?? '(no model)'))
    await screenshot(page, 'tenant')

    const failed = await page.$$eval('[data-list="failed"] tr[data-trace]', (rows) =>
      rows.map((tr) => tr.getAttribute('data-trace')),
    )
    expect(failed.length).toBe(Math.min(20, report.total.failed))
    const id = failed[0]!
    await settled(page, () => page.click(`[data-list="failed"] tr[data-trace="${id}"] a`))
    expect(page.url()).toContain(`id=${id}`)
    const trace = demoTraces(NOW).find((t) => t.id === id)!
    expect(trace.status).toBe('failed')
    expect(await page.textContent('[data-trace-error]')).toBe(trace.error)
    expect(await page.$$eval('.span-row', (rows) => rows.length)).toBe(trace.spans.length)
    // The failed LLM span: its bar is drawn as failed, and choosing it shows its output.
    const llm = trace.spans.find((s) => s.spanType === 'llm')!
    await page.click(`.span-row[data-span="${llm.id}"]`)
    expect(await page.getAttribute(`.span-row[data-span="${llm.id}"] .bar`, 'class')).toContain(
      'failed',
    )
    const detail = await page.textContent('[data-detail]')
    expect(detail).toContain(String(llm.inputTokens))
    expect(detail).toContain(String(llm.output)) // a string output is shown as it is
    await screenshot(page, 'trace')

    await settled(page, () => page.goBack())
    expect(await page.textContent('h1')).toBe('acme')
  }, 60_000)

  it('filters change the charts, and the URL carries them', async () => {
    const page = await openPage()
    await visit(page, `${url}?view=time&range=custom&from=${encodeURIComponent(FROM)}`)
    const report = await reportJson(dir, ['--since', FROM])
    const chart = async (key: string) => ({
      total: Number(await page.getAttribute(`[data-chart="${key}"]`, 'data-total')),
      series: JSON.parse((await page.getAttribute(`[data-chart="${key}"]`, 'data-series'))!),
    })
    // The busiest three tenants are compared by default, beside all traces.
    const all = await chart('requests')
    expect(all.total).toBe(report.total.traces)
    expect(all.series).toEqual(['All traces', ...report.tenants.slice(0, 3).map((t) => t.tenantId)])
    expect((await chart('cost')).total).toBeCloseTo(report.total.costUsd!, 5)
    await screenshot(page, 'over-time')

    await settled(page, () => page.selectOption('select[name="status"]', 'failed'))
    expect(page.url()).toContain('status=failed')
    const failed = await reportJson(dir, ['--since', FROM, '--status', 'failed'])
    expect(failed.total.traces).toBe(report.total.failed)
    expect((await chart('requests')).total).toBe(failed.total.traces)
    expect((await chart('cost')).total).toBeCloseTo(failed.total.costUsd ?? 0, 5)

    await settled(page, () => page.selectOption('select[name="tenant"]', 'initech'))
    const initech = await reportJson(dir, [
      '--since',
      FROM,
      '--status',
      'failed',
      '--tenant',
      'initech',
    ])
    expect((await chart('requests')).total).toBe(initech.total.traces)
    expect(initech.total.traces).toBeGreaterThan(0)
    expect((await chart('requests')).series).toEqual(['All traces', 'initech'])

    // Comparing another tenant adds its line; reloading the URL keeps every choice.
    await settled(page, () => page.selectOption('select[name="tenant"]', ''))
    await settled(page, () => page.check('input[name="compare"][value="(none)"]'))
    expect((await chart('requests')).series).toContain('(no tenant)')
    const link = page.url()
    await visit(page, link)
    expect((await chart('requests')).series).toContain('(no tenant)')
    expect((await chart('requests')).total).toBe(report.total.failed)
  }, 60_000)

  it('stored <script> and <img onerror> stay text: in a tenant id, an agent name, inputs and outputs', async () => {
    const page = await openPage({ dark: true })
    await visit(page, `${url}?view=tenants&range=all`)
    expect(
      await page.textContent(`tr[data-tenant="${cssString(SCRIPT_TENANT)}"] td[data-col="tenant"]`),
    ).toBe(SCRIPT_TENANT)
    await settled(page, () => page.click(`tr[data-tenant="${cssString(SCRIPT_TENANT)}"] a`))
    expect(await page.textContent('h1')).toBe(SCRIPT_TENANT)
    const traces = demoTraces(NOW)
    const byAgent = traces.find((t) => t.agentName === IMG_AGENT)!
    await visit(page, `${url}?view=trace&id=${byAgent.id}`)
    expect(await page.textContent('h1')).toContain(IMG_AGENT)
    // Input (JSON, shown pretty) with a <script>, output (a string) with an <img onerror>.
    const withMarkup = traces.find((t) => t.spans[1]!.output === IMG_OUTPUT)!
    await visit(page, `${url}?view=trace&id=${withMarkup.id}`)
    expect(await page.textContent('[data-detail] pre')).toBe(
      JSON.stringify(withMarkup.spans[0]!.input, null, 2),
    )
    expect(JSON.stringify(withMarkup.spans[0]!.input)).toContain(JSON.stringify(SCRIPT_INPUT))
    await page.click(`.span-row[data-span="${withMarkup.spans[1]!.id}"]`)
    expect(await page.$$eval('[data-detail] pre', (p) => p.map((e) => e.textContent))).toContain(
      IMG_OUTPUT,
    )
    await screenshot(page, 'trace-dark')
    expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined()
    // The only script is the bundle; no element came from stored markup.
    expect(await page.$$eval('script', (s) => s.map((e) => e.getAttribute('src')))).toEqual([
      expect.stringMatching(/^\/assets\/index-[\w-]+\.js$/),
    ])
    expect(await page.$$eval('img', (imgs) => imgs.length)).toBe(0)
  }, 60_000)

  it('live: a trace written while the page is open appears without a reload', async () => {
    const own = await tempDir()
    await writeStore(own, demoTraces(NOW, 40))
    const live = await startUi(own)
    onCleanup(live.stop)
    const page = await openPage()
    await visit(page, `${live.url}?view=tenants&range=24h`)
    expect(await page.$('tr[data-tenant="newco"]')).toBeNull()
    const at = new Date().toISOString()
    await appendFile(
      join(own, 'traces.jsonl'),
      `${JSON.stringify(traceRecord({ id: 'live-1', tenantId: 'newco', startedAt: at, endedAt: at }))}\n`,
    )
    await page.waitForSelector('tr[data-tenant="newco"]')
    expect(await page.textContent('tr[data-tenant="newco"] td[data-col="traces"]')).toBe('1')
  }, 60_000)

  it('live from nothing: the app writes its first traces through the SDK while the page is open', async () => {
    const own = await tempDir() // no store yet: the page opens on an empty dashboard
    const live = await startUi(own)
    onCleanup(live.stop)
    const page = await openPage()
    await visit(page, `${live.url}?view=tenants&range=1h`)
    expect(await page.textContent('main .empty')).toContain('No traces match')
    const exporter = tracium.localStore({ dir: own })
    tracium.init({ exporter })
    onCleanup(() => tracium.shutdown())
    for (const tenant of ['acme', 'acme', 'globex']) {
      await tracium.withTenant(tenant, () => tracium.startTrace({ agentName: 'bot' }, () => {}))
    }
    expect(await exporter.flush(5_000)).toBe(true)
    await page.waitForSelector('tr[data-tenant="globex"]')
    expect(await page.textContent('tr[data-tenant="acme"] td[data-col="traces"]')).toBe('2')
  }, 60_000)
})

function cssString(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')
}
