/**
 * Property (issue 12): whatever lines the store holds (arbitrary JSON, torn lines, real traces
 * with one field of the wrong type) the report never throws, counts every line that is not a
 * well-typed trace as skipped, and its numbers are exactly those of the well-typed lines alone.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TraceRecord } from '../src/index.js'
import { buildReport, rollupTraces } from '../src/report/build-report.js'
import { formatReport, formatTraces } from '../src/report/format.js'
import { readTraceSummaries, readTraces } from '../src/report/read-store.js'
import { recentTraces } from '../src/report/recent.js'
import { parseReportLine } from '../src/report/valid-trace.js'
import { toStoreLine } from '../src/store/lines.js'
import { traceRecord } from './fixtures.js'
import { tempDir } from './helpers.js'

const start = Date.parse('2025-03-01T00:00:00.000Z')

const validTrace: fc.Arbitrary<TraceRecord> = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    tenantId: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
    agentName: fc.string({ minLength: 1, maxLength: 6 }),
    status: fc.constantFrom('completed' as const, 'failed' as const),
    at: fc.integer({ min: 0, max: 5 * 86400e3 }),
    durationMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e9, noNaN: true })),
    inputTokens: fc.nat(),
    outputTokens: fc.nat(),
    cachedInputTokens: fc.nat(),
    costUsd: fc.option(
      fc.nat(1e6).map((n) => n / 1024),
      { nil: null },
    ),
    modelId: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
    // Metadata is the user's: any shape, sometimes a request's status.
    metadata: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
      fc.integer({ min: 100, max: 599 }).map((statusCode) => ({ http: { statusCode } })),
      fc.record({ http: fc.jsonValue({ maxDepth: 2 }) }),
    ),
  })
  .map(({ at, ...fields }) =>
    traceRecord({
      ...fields,
      startedAt: new Date(start + at).toISOString(),
      endedAt: new Date(start + at + 1).toISOString(),
      metadata: fields.metadata as Record<string, unknown>,
    }),
  )

const notCount = fc.oneof(
  fc.string(),
  fc.integer({ min: -1e6, max: -1 }),
  fc.double({ min: 0.1, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.constant(null),
  fc.boolean(),
  fc.constant(2 ** 53),
  fc.constant([]),
)
const notNullableString = fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]))

/** One field of the trace, and values of the wrong type for it. */
const WRONG: Record<string, fc.Arbitrary<unknown>> = {
  id: fc.oneof(fc.constant(''), fc.constant(null), notNullableString),
  tenantId: notNullableString,
  agentName: fc.oneof(fc.constant(''), fc.constant(null), notNullableString),
  status: fc.oneof(
    fc.string().filter((s) => s !== 'completed' && s !== 'failed'),
    fc.constant(null),
    fc.integer(),
  ),
  startedAt: fc.oneof(
    fc.string().filter((s) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(s)),
    fc.integer(),
    fc.constant(null),
  ),
  endedAt: fc.oneof(fc.constant('2025-03-01'), fc.integer()),
  durationMs: fc.oneof(
    fc.double({ min: -1e9, max: -0.001, noNaN: true }),
    fc.constant(null), // what JSON.stringify makes of NaN and Infinity
    fc.string(),
    fc.boolean(),
  ),
  inputTokens: notCount,
  outputTokens: notCount,
  cachedInputTokens: notCount,
  costUsd: fc.oneof(
    fc.string(),
    fc.double({ min: -1e6, max: -0.001, noNaN: true }),
    fc.constant(1e300),
    fc.boolean(),
    fc.constant({}),
  ),
  modelId: notNullableString,
}

const wrongLine = fc
  .tuple(validTrace, fc.constantFrom(...Object.keys(WRONG)))
  .chain(([trace, field]) =>
    WRONG[field]!.map((value) => JSON.stringify({ ...trace, [field]: value })),
  )
// Any JSON value on a line, and lines torn before their end (never ending in `}`).
const foreignLine = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))
const tornLine = fc
  .tuple(validTrace, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([trace, cut]) => {
    const line = JSON.stringify(trace)
    return line.slice(0, Math.floor(cut * (line.length - 1))).replace(/}+$/, '')
  })
  .filter((line) => line.trim().length > 0)

type Line = { valid: true; trace: TraceRecord } | { valid: false; text: string }
const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 3, arbitrary: validTrace.map((trace) => ({ valid: true as const, trace })) },
  { weight: 2, arbitrary: wrongLine.map((text) => ({ valid: false as const, text })) },
  { weight: 1, arbitrary: foreignLine.map((text) => ({ valid: false as const, text })) },
  { weight: 1, arbitrary: tornLine.map((text) => ({ valid: false as const, text })) },
)

async function report(lines: string[]) {
  const dir = await tempDir()
  await writeFile(join(dir, 'traces.jsonl'), lines.map((l) => `${l}\n`).join(''))
  const reader = readTraceSummaries({ dir })
  const rollup = await rollupTraces(reader, {})
  const built = buildReport(rollup.cells(), {}, { by: 'hour' })
  const traces = readTraces({ dir })
  const rows = await recentTraces(traces, {}, 1000)
  // The text forms must not throw either (they did: `cell.padEnd is not a function`).
  formatReport(built)
  formatTraces(rows)
  return { built, skipped: reader.skippedLines, rows, fullSkipped: traces.skippedLines }
}

describe('the report over arbitrary lines', () => {
  it('property: skips and counts every line that is not a well-typed trace; sums only the rest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 25 }), async (lines) => {
        const text = lines.map((l) => (l.valid ? JSON.stringify(l.trace) : l.text))
        const valid = lines.flatMap((l) => (l.valid ? [JSON.stringify(l.trace)] : []))
        const all = await report(text)
        const clean = await report(valid)
        const invalid = lines.length - valid.length
        expect(all.skipped).toBe(invalid)
        expect(all.fullSkipped).toBe(invalid)
        expect(clean.skipped).toBe(0)
        expect(all.built).toEqual(clean.built)
        expect(all.rows).toEqual(clean.rows)
      }),
      { numRuns: 60 },
    )
  })
})

// What JSON writes differently from what the record holds, where the report reads.
const jsonSpecial: Record<string, fc.Arbitrary<unknown>> = {
  costUsd: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
  durationMs: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
  startedAt: fc.constant(new Date(start)), // a Date: JSON writes its ISO string
  metadata: fc.constant({ toJSON: () => ({ http: { statusCode: 503 } }) }),
  modelId: fc.constant(undefined), // JSON leaves the key out
  spans: fc.constant([{ toJSON: () => ({ modelId: 'from-json' }) }]),
}
const specialRecord = fc
  .tuple(validTrace, fc.constantFrom(...Object.keys(jsonSpecial)))
  .chain(([trace, field]) =>
    jsonSpecial[field]!.map((value) => ({ ...trace, modelId: null, [field]: value })),
  )
// Keys in another order: the reader cuts lines at keys.
const reorderedRecord = validTrace.map(({ modelId, version, ...rest }) => ({
  ...rest,
  version,
  modelId: modelId ?? 'late-model',
}))
const wrongRecord = fc
  .tuple(validTrace, fc.constantFrom(...Object.keys(WRONG)))
  .chain(([trace, field]) => WRONG[field]!.map((value) => ({ ...trace, [field]: value })))

describe('the store line of a record (toStoreLine)', () => {
  it('property: its report view is what a reader parses from its line, whatever the record holds', () => {
    fc.assert(
      fc.property(fc.oneof(validTrace, specialRecord, reorderedRecord, wrongRecord), (record) => {
        const { text, report } = toStoreLine(record as TraceRecord)
        expect(report).toEqual(parseReportLine(text))
      }),
      { numRuns: 500 },
    )
  })
})
