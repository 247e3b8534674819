/**
 * `tracium report` / `traces` / `trace` as a user runs them (issue 12): wrongly typed lines, the
 * status split, the filters, buckets, sorting, CSV and the single-trace view, on the built CLI.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TraceRecord } from '../src/index.js'
import { tracium } from './cli-helpers.js'
import { spanRecord, traceRecord } from './fixtures.js'
import { tempDir } from './helpers.js'

async function storeOf(lines: Array<TraceRecord | string>): Promise<string> {
  const dir = await tempDir()
  const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')
  await writeFile(join(dir, 'traces.jsonl'), `${text}\n`)
  return dir
}

async function reportJson(dir: string, ...args: string[]) {
  const { code, stdout, stderr } = await tracium(['report', '--dir', dir, '--json', ...args])
  expect([code, stderr]).toEqual([0, ''])
  return JSON.parse(stdout)
}

/** A request trace as `tracium.trace()` writes it. */
function request(overrides: Partial<TraceRecord>, statusCode: number, aborted = false) {
  return traceRecord({
    tags: ['@http'],
    metadata: { http: { method: 'GET', path: '/x', route: '/x', statusCode, aborted } },
    ...overrides,
  })
}

describe('wrongly typed lines (issue 12)', () => {
  it('a line with "tenantId": 123 is skipped and counted, the table still prints', async () => {
    // Before: `tracium report` crashed with "cell.padEnd is not a function".
    const good = traceRecord({ id: 'good' })
    const bad = JSON.stringify(good).replace('"tenantId":"acme"', '"tenantId":123')
    const dir = await storeOf([good, bad])
    const table = await tracium(['report', '--dir', dir])
    expect([table.code, table.stderr]).toEqual([0, ''])
    expect(table.stdout).toContain('1 unreadable line(s) skipped')
    const report = await reportJson(dir)
    expect(report.skippedLines).toBe(1)
    expect(report.tenants.map((t: { tenantId: string }) => t.tenantId)).toEqual(['acme'])
    expect((await tracium(['traces', '--dir', dir])).code).toBe(0)
  })

  it('string token counts are skipped, never concatenated into the sum', async () => {
    // Before: the input token total was the string "0lots0000".
    const dir = await storeOf([
      traceRecord({ id: 'a', inputTokens: 10 }),
      JSON.stringify(traceRecord({ id: 'b' })).replace('"inputTokens":0', '"inputTokens":"lots"'),
      JSON.stringify(traceRecord({ id: 'c' })).replace('"outputTokens":0', '"outputTokens":"7"'),
      traceRecord({ id: 'd', inputTokens: 5 }),
    ])
    const report = await reportJson(dir)
    expect(report.total).toMatchObject({ traces: 2, inputTokens: 15, outputTokens: 0 })
    expect(report.skippedLines).toBe(2)
  })

  it('negative, null (NaN) and string durations, bad times and bad costs are skipped', async () => {
    const line = (from: string, to: string) => JSON.stringify(traceRecord()).replace(from, to)
    const dir = await storeOf([
      traceRecord({ id: 'ok', durationMs: 10, costUsd: 0.5 }),
      line('"durationMs":1000', '"durationMs":-5'),
      line('"durationMs":1000', '"durationMs":null'), // JSON.stringify(NaN)
      line('"durationMs":1000', '"durationMs":"1000"'),
      line('"startedAt":"2025-03-01T10:00:00.000Z"', '"startedAt":"yesterday"'),
      line('"costUsd":null', '"costUsd":"0.5"'),
      line('"costUsd":null', '"costUsd":1e308'),
      line('"status":"completed"', '"status":"done"'),
      line('"agentName":"support-bot"', '"agentName":{}'),
    ])
    const report = await reportJson(dir)
    expect(report.total).toMatchObject({ traces: 1, costUsd: 0.5 })
    expect(report.skippedLines).toBe(8)
  })
})

describe('the status split', () => {
  const store = () =>
    storeOf([
      request({ id: 'ok' }, 200),
      request({ id: 'redirect' }, 302),
      request({ id: 'unauth' }, 401),
      request({ id: 'forbid' }, 403),
      request({ id: 'missing' }, 404),
      request({ id: 'boom', status: 'failed', error: 'HTTP 503' }, 503),
      request({ id: 'gone', status: 'failed', error: 'Request aborted' }, 200, true),
      traceRecord({ id: 'job', status: 'failed' }), // not a request
      traceRecord({ id: 'job2' }),
    ])

  it('counts ok (2xx/3xx), client errors with 401 and 403 apart, and failed (5xx, aborted)', async () => {
    const report = await reportJson(await store())
    expect(report.total).toMatchObject({
      traces: 9,
      ok: 3,
      clientErrors: 3,
      unauthorized: 1,
      forbidden: 1,
      failed: 3,
      errorRate: 3 / 9,
      clientErrorRate: 3 / 9,
    })
  })

  it('--status filters to one class, and the traces list shows class and HTTP status', async () => {
    const failed = await reportJson(await store(), '--status', 'failed')
    expect(failed.total).toMatchObject({ traces: 3, failed: 3, ok: 0 })
    const clientErrors = await reportJson(await store(), '--status', 'client-error')
    expect(clientErrors.total).toMatchObject({ traces: 3, unauthorized: 1, forbidden: 1 })
    const rows = JSON.parse(
      (await tracium(['traces', '--dir', await store(), '--status', 'client-error', '--json']))
        .stdout,
    )
    expect(rows.map((r: { id: string; httpStatus: number }) => [r.id, r.httpStatus])).toEqual([
      ['missing', 404],
      ['forbid', 403],
      ['unauth', 401],
    ])
  })
})

describe('filters, buckets, breakdowns and sorting', () => {
  const store = () =>
    storeOf([
      traceRecord({ id: 'a1', startedAt: '2025-03-01T09:15:00.000Z', modelId: 'gpt-4o' }),
      traceRecord({ id: 'a2', startedAt: '2025-03-01T09:45:00.000Z', modelId: 'gpt-4o' }),
      traceRecord({
        id: 'a3',
        startedAt: '2025-03-01T10:05:00.000Z',
        agentName: 'router',
        costUsd: 2,
      }),
      traceRecord({
        id: 'g1',
        tenantId: 'globex',
        startedAt: '2025-03-02T10:00:00.000Z',
        costUsd: 5,
      }),
      traceRecord({ id: 'n1', tenantId: null, startedAt: '2025-03-02T11:00:00.000Z' }),
      traceRecord({ id: 'n2', tenantId: null, startedAt: '2025-03-03T00:00:00.000Z' }),
    ])

  it('--since is inclusive and --until exclusive, to the millisecond', async () => {
    const report = await reportJson(
      await store(),
      '--since',
      '2025-03-01T09:45:00.000Z',
      '--until',
      '2025-03-02T11:00:00.000Z',
    )
    expect(report.total.traces).toBe(3) // a2, a3, g1
    expect(report.filters).toEqual({
      since: '2025-03-01T09:45:00.000Z',
      until: '2025-03-02T11:00:00.000Z',
    })
  })

  it('--by day and --by hour bucket by UTC start time, oldest first', async () => {
    const days = await reportJson(await store())
    expect(days.buckets.map((b: { start: string; traces: number }) => [b.start, b.traces])).toEqual(
      [
        ['2025-03-01T00:00:00.000Z', 3],
        ['2025-03-02T00:00:00.000Z', 2],
        ['2025-03-03T00:00:00.000Z', 1],
      ],
    )
    const hours = await reportJson(await store(), '--by', 'hour', '--tenant', 'acme')
    expect(
      hours.buckets.map((b: { start: string; traces: number }) => [b.start, b.traces]),
    ).toEqual([
      ['2025-03-01T09:00:00.000Z', 2],
      ['2025-03-01T10:00:00.000Z', 1],
    ])
  })

  it("--no-tenant and --tenant '' select the traces without a tenant", async () => {
    for (const args of [['--no-tenant'], ['--tenant', '']]) {
      const report = await reportJson(await store(), ...args)
      expect(report.filters).toEqual({ tenant: null })
      expect(
        report.tenants.map((t: { tenantId: null; traces: number }) => [t.tenantId, t.traces]),
      ).toEqual([[null, 2]])
    }
  })

  it('breaks down per agent and per model; --model and --agent filter', async () => {
    const report = await reportJson(await store())
    expect(
      report.agents.map((a: { agentName: string; traces: number }) => [a.agentName, a.traces]),
    ).toEqual([
      ['support-bot', 5],
      ['router', 1],
    ])
    expect(
      report.models.map((m: { modelId: string; traces: number }) => [m.modelId, m.traces]),
    ).toEqual([
      [null, 4],
      ['gpt-4o', 2],
    ])
    expect((await reportJson(await store(), '--model', 'gpt-4o')).total.traces).toBe(2)
    expect((await reportJson(await store(), '--model', '')).total.traces).toBe(4)
    expect((await reportJson(await store(), '--agent', 'router')).total.traces).toBe(1)
  })

  it("a trace without a model of its own counts under its first span's model", async () => {
    const dir = await storeOf([
      traceRecord({
        id: 'r1',
        modelId: null,
        spans: [spanRecord({ spanType: 'tool', modelId: null }), spanRecord({ modelId: 'claude' })],
      }),
      traceRecord({ id: 'r2', modelId: 'gpt-4o', spans: [spanRecord({ modelId: 'claude' })] }),
      traceRecord({ id: 'r3', modelId: null, metadata: { note: '"modelId":"fake"' } }),
    ])
    const report = await reportJson(dir)
    expect(report.models.map((m: { modelId: string | null }) => m.modelId)).toEqual([
      'claude',
      'gpt-4o',
      null,
    ])
  })

  it('--sort orders tenants, agents and models', async () => {
    const tenants = async (sort: string) =>
      (await reportJson(await store(), '--sort', sort)).tenants.map(
        (t: { tenantId: string | null }) => t.tenantId,
      )
    expect(await tenants('traces')).toEqual(['acme', null, 'globex'])
    expect(await tenants('cost')).toEqual(['globex', 'acme', null])
    expect(await tenants('name')).toEqual(['acme', 'globex', null])
  })
})

describe('--format csv', () => {
  it('quotes per RFC 4180 and neutralises formula cells (CSV injection)', async () => {
    const dir = await storeOf([
      traceRecord({ id: 'x1', tenantId: '=HYPERLINK("http://evil","click")', durationMs: 0 }),
      traceRecord({ id: 'x2', tenantId: '@SUM(A1)', agentName: 'a,b', durationMs: 0 }),
      traceRecord({ id: 'x3', tenantId: '+1', agentName: '-2', durationMs: 0 }),
      traceRecord({ id: 'x4', tenantId: 'line\nbreak', durationMs: 0 }),
    ])
    const { code, stdout } = await tracium(['report', '--dir', dir, '--format', 'csv'])
    expect(code).toBe(0)
    const lines = stdout.split('\r\n')
    expect(lines[0]).toBe(
      'group,name,traces,ok,client_errors,unauthorized,forbidden,failed,error_rate,p50_ms,p95_ms,input_tokens,output_tokens,cached_input_tokens,cost_usd',
    )
    const row = (group: string, name: string, n: number) =>
      `${group},${name},${n},${n},0,0,0,0,0,0,0,0,0,0,`
    expect(lines.slice(1)).toEqual([
      row('total', '', 4),
      row('tenant', "'+1", 1),
      row('tenant', `"'=HYPERLINK(""http://evil"",""click"")"`, 1),
      row('tenant', "'@SUM(A1)", 1),
      row('tenant', '"line\nbreak"', 1),
      row('agent', 'support-bot', 2),
      row('agent', "'-2", 1),
      row('agent', '"a,b"', 1),
      row('model', '', 4),
      row('day', '2025-03-01T00:00:00.000Z', 4),
      '',
    ])
    // The table escapes the newline instead of breaking its row.
    expect((await tracium(['report', '--dir', dir])).stdout).toContain('line\\u{a}break')
  })
})

describe('tracium trace <id>', () => {
  it('prints the trace and its spans as a tree, children under their parent', async () => {
    const trace = request(
      {
        id: 't-1',
        durationMs: 900,
        inputTokens: 120,
        outputTokens: 45,
        costUsd: 0.0012,
        spans: [
          // Written in the order they ended: children first.
          spanRecord({
            id: 's-llm',
            parentSpanId: 's-plan',
            name: 'answer',
            startedAt: '2025-03-01T10:00:00.300Z',
            latencyMs: 500,
            costUsd: 0.0012,
          }),
          spanRecord({
            id: 's-tool',
            parentSpanId: 's-plan',
            spanType: 'tool',
            name: 'lookup',
            modelId: null,
            inputTokens: null,
            outputTokens: null,
            startedAt: '2025-03-01T10:00:00.100Z',
            latencyMs: 150,
            status: 'failed',
            error: 'timeout',
          }),
          spanRecord({
            id: 's-plan',
            spanType: 'plan',
            name: 'route',
            modelId: null,
            inputTokens: null,
            outputTokens: null,
            startedAt: '2025-03-01T10:00:00.050Z',
            latencyMs: 800,
          }),
        ],
      },
      200,
    )
    const dir = await storeOf([traceRecord({ id: 'other' }), trace])
    const { code, stdout } = await tracium(['trace', 't-1', '--dir', dir])
    expect(code).toBe(0)
    expect(stdout).toBe(
      [
        'trace t-1',
        '  agent    support-bot',
        '  tenant   acme',
        '  status   completed (ok, HTTP 200)',
        '  started  2025-03-01T10:00:00.000Z',
        '  duration 900.0 ms',
        '  tokens   120 in / 45 out / 0 cached',
        '  cost     $0.001200',
        '',
        'Spans (3):',
        '  plan "route"  completed  800.0 ms',
        '    tool "lookup"  failed  150.0 ms  error="timeout"',
        '    llm "answer"  completed  500.0 ms  model=gpt-4o-mini  tokens=120/45  cost=$0.001200',
        '',
      ].join('\n'),
    )
    const json = await tracium(['trace', 't-1', '--dir', dir, '--json'])
    expect(JSON.parse(json.stdout)).toEqual(trace)
  })

  it('exits 1 when no trace has the id', async () => {
    const dir = await storeOf([traceRecord()])
    const { code, stderr } = await tracium(['trace', 'nope', '--dir', dir])
    expect(code).toBe(1)
    expect(stderr).toContain('no trace with id "nope"')
  })
})

describe('usage errors exit 2 with a clear message', () => {
  it.each([
    [['report', '--format', 'xml'], /--format takes table, json, csv, got "xml"/],
    [['traces', '--format', 'csv'], /--format takes table, json, got "csv"/],
    [['report', '--by', 'week'], /--by takes day, hour, got "week"/],
    [['report', '--sort', 'size'], /--sort takes traces, failed, .*name, got "size"/],
    [['report', '--status', '500'], /--status takes ok, client-error, failed, got "500"/],
    [['report', '--until', 'soon'], /--until takes 30m, 12h, 7d, 2w, now or a date/],
    [['report', '--since', '1d', '--until', '2d'], /--since .* must be before --until/],
    [['report', '--tenant', 'acme', '--no-tenant'], /--tenant and --no-tenant disagree/],
    [['report', '--format', 'csv', '--json'], /--json and --format csv disagree/],
    [['traces', '--by', 'hour'], /--by does not apply to "traces"/],
    [['report', '--limit', '3'], /--limit does not apply to "report"/],
    [['trace'], /trace takes a trace id/],
    [['trace', 'a', 'b'], /unexpected argument "b"/],
    [['trace', 'a', '--tenant', 'x'], /--tenant does not apply to "trace"/],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await tracium(args)
    expect([code, stdout]).toEqual([2, ''])
    expect(stderr).toMatch(message)
  })
})
