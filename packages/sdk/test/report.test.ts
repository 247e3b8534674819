import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildReport, rollupTraces } from '../src/report/build-report.js'
import { matches, parseSince, type TraceFilters } from '../src/report/filters.js'
import { LogHistogram, RELATIVE_ERROR } from '../src/report/histogram.js'
import { readTraceSummaries, readTraces } from '../src/report/read-store.js'
import { recentTraces } from '../src/report/recent.js'
import { toReportTrace } from '../src/report/valid-trace.js'
import { traceRecord } from './fixtures.js'
import { tempDir } from './helpers.js'

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!
}

describe('LogHistogram', () => {
  it('property: quantiles are within 1% of the exact nearest-rank quantiles', () => {
    expect(RELATIVE_ERROR).toBeLessThan(0.01)
    const duration = fc.oneof(
      fc.constant(0),
      fc.double({ min: 0.001, max: 1e9, noNaN: true }),
      fc.integer({ min: 1, max: 100_000 }),
    )
    fc.assert(
      fc.property(
        fc.array(duration, { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (values, q) => {
          const histogram = new LogHistogram()
          for (const v of values) histogram.add(v)
          const exact = exactQuantile(values, q)
          const approx = histogram.quantile(q)!
          expect(Math.abs(approx - exact)).toBeLessThanOrEqual(exact * RELATIVE_ERROR * (1 + 1e-9))
        },
      ),
    )
  })

  it('is empty until a value is added; ignores negative and non-finite values', () => {
    const histogram = new LogHistogram()
    expect(histogram.quantile(0.5)).toBeNull()
    histogram.add(-1)
    histogram.add(Number.NaN)
    histogram.add(Number.POSITIVE_INFINITY)
    expect(histogram.count).toBe(0)
    histogram.add(0)
    expect(histogram.quantile(0.95)).toBe(0)
  })

  it('keeps memory bounded: a million values from 0.1 ms to 100 s fit in 700 buckets', () => {
    const histogram = new LogHistogram()
    for (let i = 1; i <= 1_000_000; i++) histogram.add(i / 10)
    expect(histogram.count).toBe(1_000_000)
    // log(1e6) / log(1.02) ≈ 697.7
    expect(histogram.buckets).toBeLessThanOrEqual(700)
    const median = histogram.quantile(0.5)!
    expect(Math.abs(median - 50_000) / 50_000).toBeLessThan(0.01)
  })
})

describe('filters', () => {
  const now = new Date('2025-03-10T12:00:00.000Z')

  it.each([
    ['30s', '2025-03-10T11:59:30.000Z'],
    ['15m', '2025-03-10T11:45:00.000Z'],
    ['2h', '2025-03-10T10:00:00.000Z'],
    ['7d', '2025-03-03T12:00:00.000Z'],
    ['1w', '2025-03-03T12:00:00.000Z'],
    ['2025-03-01', '2025-03-01T00:00:00.000Z'],
    ['2025-03-01T08:30:00+01:00', '2025-03-01T07:30:00.000Z'],
  ])('--since %s', (text, iso) => {
    expect(parseSince(text, now)).toBe(iso)
  })

  it('rejects what is neither a duration nor a date', () => {
    expect(parseSince('yesterday', now)).toBeNull()
    expect(parseSince('5y', now)).toBeNull()
  })

  it('matches tenant, agent and start time exactly', () => {
    const trace = toReportTrace(traceRecord({ startedAt: '2025-03-01T10:00:00.000Z' }))!
    expect(matches(trace, {})).toBe(true)
    expect(matches(trace, { tenant: 'acme', agent: 'support-bot' })).toBe(true)
    expect(matches(trace, { tenant: 'ACME' })).toBe(false)
    expect(matches(trace, { agent: 'other' })).toBe(false)
    expect(matches(trace, { since: '2025-03-01T10:00:00.000Z' })).toBe(true)
    expect(matches(trace, { since: '2025-03-01T10:00:00.001Z' })).toBe(false)
  })
})

async function reportOf(dir: string, filters: TraceFilters = {}) {
  const reader = readTraceSummaries({ dir })
  const rollup = await rollupTraces(reader, filters)
  return buildReport(rollup.cells(), filters, { skippedLines: reader.skippedLines })
}

describe('buildReport and recentTraces', () => {
  async function storeOf(traces: ReturnType<typeof traceRecord>[], extra = '') {
    const dir = await tempDir()
    const lines = traces.map((t) => JSON.stringify(t)).join('\n')
    await writeFile(join(dir, 'traces.jsonl'), `${lines}\n${extra}`)
    return dir
  }

  const traces = [
    traceRecord({ id: 'a1', durationMs: 100, inputTokens: 10, outputTokens: 5, costUsd: 0.5 }),
    traceRecord({ id: 'a2', durationMs: 300, status: 'failed', costUsd: 0.25 }),
    traceRecord({ id: 'g1', tenantId: 'globex', agentName: 'router', durationMs: 50 }),
    traceRecord({ id: 'n1', tenantId: null, durationMs: 0 }),
    traceRecord({ id: 'a3', durationMs: 200, startedAt: '2025-03-02T00:00:00.000Z' }),
  ]

  it('aggregates per tenant, most traces first, with a total row', async () => {
    const report = await reportOf(await storeOf(traces, '{"id":"torn'))
    expect(report.skippedLines).toBe(1)
    expect(report.tenants.map((r) => [r.tenantId, r.traces, r.failed])).toEqual([
      ['acme', 3, 1],
      ['globex', 1, 0],
      [null, 1, 0],
    ])
    const acme = report.tenants[0]!
    expect(acme.errorRate).toBeCloseTo(1 / 3)
    expect(acme.p50Ms! / 200).toBeCloseTo(1, 1)
    expect(acme.p95Ms! / 300).toBeCloseTo(1, 1)
    expect([acme.inputTokens, acme.outputTokens, acme.costUsd]).toEqual([10, 5, 0.75])
    expect(report.tenants[1]?.costUsd).toBeNull() // no prices: no cost
    expect(report.total).toMatchObject({ traces: 5, failed: 1, costUsd: 0.75 })
  })

  it('applies the filters', async () => {
    const byAgent = await reportOf(await storeOf(traces), { agent: 'router' })
    expect(byAgent.tenants.map((r) => r.tenantId)).toEqual(['globex'])
    const since = await reportOf(await storeOf(traces), { since: '2025-03-02T00:00:00.000Z' })
    expect(since.total.traces).toBe(1)
  })

  it('lists the most recent traces first, bounded by the limit', async () => {
    const rows = await recentTraces(
      readTraces({ dir: await storeOf(traces) }),
      { tenant: 'acme' },
      2,
    )
    expect(rows.map((r) => r.id)).toEqual(['a3', 'a2'])
    const all = await recentTraces(readTraces({ dir: await storeOf(traces) }), {}, 50)
    expect(all.map((r) => r.id)).toEqual(['a3', 'n1', 'g1', 'a2', 'a1'])
  })
})

describe('readTraceSummaries: the report parses each line only up to "version" (and the metadata)', () => {
  const summaryKeys = [
    'id',
    'tenantId',
    'agentName',
    'status',
    'startedAt',
    'endedAt',
    'durationMs',
    'inputTokens',
    'outputTokens',
    'cachedInputTokens',
    'costUsd',
    'modelId',
  ] as const

  it('property: it reads the same fields as a full parse, whatever the strings hold', async () => {
    const tricky = fc.oneof(
      fc.string(),
      fc.constantFrom(
        ',"modelId":',
        '","modelId":"x"}',
        ',"version":',
        ',"metadata":{"http":{"statusCode":500}}',
        ',"summary":',
        '"statusCode":404',
        '\\',
        '}',
        '"',
      ),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(tricky, tricky, fc.option(fc.integer({ min: 100, max: 599 }))), {
          minLength: 1,
          maxLength: 5,
        }),
        async (triples) => {
          const dir = await tempDir()
          const records = triples.map(([tenant, error, statusCode], i) =>
            traceRecord({
              id: `t${i}`,
              tenantId: tenant,
              modelId: error,
              tags: [tenant],
              error,
              metadata: {
                modelId: tenant,
                nested: { modelId: error, summary: tenant },
                ...(statusCode !== null && { http: { statusCode } }),
              },
              summary: { statusCode: 418 },
            }),
          )
          await writeFile(
            join(dir, 'traces.jsonl'),
            records.map((r) => `${JSON.stringify(r)}\n`).join(''),
          )
          const summaries = []
          for await (const summary of readTraceSummaries({ dir })) summaries.push(summary)
          expect(summaries).toEqual(
            records.map((r) => ({
              ...Object.fromEntries(summaryKeys.map((k) => [k, r[k]])),
              httpStatus:
                (r.metadata.http as { statusCode?: number } | undefined)?.statusCode ?? null,
            })),
          )
        },
      ),
      { numRuns: 40 },
    )
  })

  it('skips a line torn before its end and counts it', async () => {
    const dir = await tempDir()
    const line = JSON.stringify(traceRecord())
    await writeFile(
      join(dir, 'traces.jsonl'),
      `${line}\n${line.slice(0, 30)}\n${line.slice(0, -3)}`,
    )
    const reader = readTraceSummaries({ dir })
    const ids = []
    for await (const summary of reader) ids.push(summary.id)
    expect(ids).toEqual(['trace-1'])
    expect(reader.skippedLines).toBe(2)
  })
})
