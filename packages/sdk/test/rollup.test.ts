import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildReport } from '../src/report/build-report.js'
import { cellMatches, hourCoverage, matches, type TraceFilters } from '../src/report/filters.js'
import { merge, Rollup, statusClass } from '../src/report/rollup.js'
import type { ReportTrace } from '../src/report/valid-trace.js'

const start = Date.parse('2025-03-01T00:00:00.000Z')

const trace: fc.Arbitrary<ReportTrace> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  tenantId: fc.option(fc.constantFrom('acme', 'globex', ''), { nil: null }),
  agentName: fc.constantFrom('chat', 'users-id', 'unmatched'),
  status: fc.constantFrom('completed', 'failed'),
  startedAt: fc
    .integer({ min: 0, max: 3 * 86400e3 })
    .map((ms) => new Date(start + ms).toISOString()),
  endedAt: fc.constant('2025-03-04T00:00:00.000Z'),
  durationMs: fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 1e6, noNaN: true })),
  inputTokens: fc.nat(1e6),
  outputTokens: fc.nat(1e6),
  cachedInputTokens: fc.nat(1e6),
  costUsd: fc.option(
    fc.integer({ min: 0, max: 1e6 }).map((n) => n / 1024),
    { nil: null },
  ),
  modelId: fc.option(fc.constantFrom('gpt-4o', 'claude'), { nil: null }),
  httpStatus: fc.option(fc.constantFrom(200, 302, 400, 401, 403, 404, 500, 503), { nil: null }),
})

function rollupOf(traces: ReportTrace[]): Rollup {
  const rollup = new Rollup()
  for (const t of traces) rollup.addTrace(t)
  return rollup
}

describe('Rollup', () => {
  it('property: merging the rollups of two halves reports exactly what one rollup does', () => {
    fc.assert(
      fc.property(fc.array(trace, { maxLength: 60 }), fc.nat(60), (traces, at) => {
        const whole = buildReport(rollupOf(traces).cells(), {}, { by: 'hour' })
        const halves = merge(rollupOf(traces.slice(0, at)), rollupOf(traces.slice(at)))
        // Costs in 1/1024 USD add exactly in floating point, whatever the order.
        expect(buildReport(halves.cells(), {}, { by: 'hour' })).toEqual(whole)
        expect(halves.traces).toBe(traces.length)
      }),
    )
  })

  it('property: toJSON / fromJSON is lossless', () => {
    fc.assert(
      fc.property(fc.array(trace, { maxLength: 40 }), (traces) => {
        const rollup = rollupOf(traces)
        const again = Rollup.fromJSON(JSON.parse(JSON.stringify(rollup)))
        expect(again).not.toBeNull()
        expect(JSON.stringify(again)).toBe(JSON.stringify(rollup))
        expect(buildReport(again!.cells(), {})).toEqual(buildReport(rollup.cells(), {}))
      }),
    )
  })

  it('fromJSON returns null for a torn or foreign sidecar, never a wrong rollup', () => {
    const json = JSON.stringify(
      rollupOf([
        {
          id: 't',
          tenantId: 'acme',
          agentName: 'chat',
          status: 'completed',
          startedAt: '2025-03-01T10:30:00.000Z',
          endedAt: '2025-03-01T10:30:01.000Z',
          durationMs: 1000,
          inputTokens: 1,
          outputTokens: 2,
          cachedInputTokens: 0,
          costUsd: null,
          modelId: null,
          httpStatus: 200,
        },
      ]),
    )
    expect(Rollup.fromJSON(JSON.parse(json))?.traces).toBe(1)
    const cell = JSON.parse(json).cells[0]
    for (const [index, wrong] of [
      [0, '2025-03-01T10:30:00.000Z'], // not an hour
      [1, 'fine'],
      [2, 7],
      [5, 2], // traces disagree with the histogram
      [8, '1'],
      [11, -1],
      [12, [0, 1.5, 1]],
    ] as const) {
      const bad = [...cell]
      bad[index] = wrong
      expect(Rollup.fromJSON({ version: 1, cells: [bad] }), `field ${index}`).toBeNull()
    }
    expect(Rollup.fromJSON({ version: 2, cells: [] })).toBeNull()
    expect(Rollup.fromJSON(null)).toBeNull()
  })

  it('classes statuses: 2xx/3xx ok, 4xx client error, 5xx and failed traces failed', () => {
    const of = (status: 'completed' | 'failed', httpStatus: number | null) =>
      statusClass({ status, httpStatus })
    expect([of('completed', null), of('completed', 204), of('completed', 304)]).toEqual([
      'ok',
      'ok',
      'ok',
    ])
    expect([of('completed', 401), of('completed', 403), of('completed', 404)]).toEqual([
      'client-error',
      'client-error',
      'client-error',
    ])
    expect([of('failed', null), of('failed', 200), of('completed', 503)]).toEqual([
      'failed',
      'failed',
      'failed',
    ])
  })
})

describe('time windows over rollup cells', () => {
  const hour = '2025-03-01T10:00:00.000Z'

  it('hourCoverage: all, part or none of an hour', () => {
    expect(hourCoverage(hour, {})).toBe('all')
    expect(hourCoverage(hour, { since: hour, until: '2025-03-01T11:00:00.000Z' })).toBe('all')
    expect(hourCoverage(hour, { since: '2025-03-01T10:30:00.000Z' })).toBe('part')
    expect(hourCoverage(hour, { until: '2025-03-01T10:00:00.001Z' })).toBe('part')
    expect(hourCoverage(hour, { since: '2025-03-01T11:00:00.000Z' })).toBe('none')
    expect(hourCoverage(hour, { until: hour })).toBe('none')
  })

  it('property: a report over cells of traces filtered by matches() equals the same report filtered again by cellMatches()', () => {
    fc.assert(
      fc.property(
        fc.array(trace, { maxLength: 40 }),
        fc.integer({ min: 0, max: 3 * 86400e3 }),
        fc.integer({ min: 1, max: 86400e3 }),
        fc.option(fc.constantFrom('acme', 'globex'), { nil: null }),
        (traces, from, span, tenant) => {
          const filters: TraceFilters = {
            since: new Date(start + from).toISOString(),
            until: new Date(start + from + span).toISOString(),
            tenant,
          }
          const exact = rollupOf(traces.filter((t) => matches(t, filters)))
          const report = buildReport(exact.cells(), filters)
          expect(report.total.traces).toBe(traces.filter((t) => matches(t, filters)).length)
          // Filtering cells again changes nothing: every cell of matching traces passes.
          const all = [...exact.cells()]
          expect(all.every((cell) => cellMatches(cell, filters))).toBe(true)
        },
      ),
    )
  })
})
