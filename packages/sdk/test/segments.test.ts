/**
 * The segmented store (store-path.ts): rotation, rollup sidecars, retention, crash safety and
 * two processes on one directory, all through the real writer (`localStore`) and reader.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  mkdir,
  readdir,
  readFile,
  stat,
  truncate,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { buildReport, rollupTraces } from '../src/report/build-report.js'
import type { TraceFilters } from '../src/report/filters.js'
import {
  readSegmentsNewestFirst,
  readStoreRollup,
  readTraceSummaries,
  readTraces,
} from '../src/report/read-store.js'
import { recentStoreTraces, recentTraces } from '../src/report/recent.js'
import { STATUS_CLASSES } from '../src/report/rollup.js'
import { findTrace } from '../src/report/trace-view.js'
import { traceRecord } from './fixtures.js'
import { onCleanup, tempDir } from './helpers.js'

const dist = fileURLToPath(new URL('../dist/index.mjs', import.meta.url))

function store(options: tracium.LocalStoreOptions) {
  const exporter = tracium.localStore(options)
  onCleanup(() => exporter.shutdown(5_000))
  return exporter
}

/** Writes `traces` one write each (a batch is never split across segments), then shuts down. */
async function writeTraces(options: tracium.LocalStoreOptions, traces: tracium.TraceRecord[]) {
  const exporter = store(options)
  for (const trace of traces) {
    exporter.export(trace)
    await exporter.flush(5_000)
  }
  expect(await exporter.shutdown(5_000)).toBe(true)
  return exporter
}

/** Segment and sidecar names in the store, sorted. */
async function segmentFiles(dir: string) {
  const names = (await readdir(join(dir, 'segments')).catch(() => [] as string[])).sort()
  return {
    segments: names.filter((n) => n.endsWith('.jsonl')).map((n) => join(dir, 'segments', n)),
    sidecars: names.filter((n) => n.endsWith('.rollup.json')).map((n) => join(dir, 'segments', n)),
  }
}

async function ids(dir: string): Promise<string[]> {
  const out: string[] = []
  for await (const trace of tracium.readTraces({ dir })) out.push(trace.id)
  return out
}

/** The report two ways: from every line, and from sidecars plus lines (what the CLI does). */
async function bothReports(dir: string, filters: TraceFilters, by: 'day' | 'hour' = 'hour') {
  const reader = readTraceSummaries({ dir })
  const fromLines = buildReport((await rollupTraces(reader, filters)).cells(), filters, {
    by,
    skippedLines: reader.skippedLines,
  })
  const read = await readStoreRollup({ dir, by }, filters)
  const fromRollups = buildReport(read.rollup.cells(), filters, {
    by,
    skippedLines: read.skippedLines,
  })
  return { fromLines, fromRollups, read }
}

/** The latest traces and one trace by id two ways: over every line, and newest segment first. */
async function bothRecent(dir: string, filters: TraceFilters, limit: number, id: string) {
  let last: tracium.TraceRecord | null = null
  for await (const trace of readTraces({ dir })) if (trace.id === id) last = trace
  return {
    fromLines: { rows: await recentTraces(readTraces({ dir }), filters, limit), trace: last },
    newestFirst: {
      rows: await recentStoreTraces(readSegmentsNewestFirst({ dir }, filters), filters, limit),
      trace: await findTrace(readSegmentsNewestFirst({ dir }), id),
    },
  }
}

// Cost sums are doubles added in another order (per cell, then across segments), so they may
// differ in the last bits; every other number must be equal.
function roundCosts(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) =>
    key === 'costUsd' && typeof v === 'number' ? Number(v.toPrecision(12)) : v,
  )
}

const HOUR = 3_600_000
const BASE = Date.parse('2025-03-01T00:00:00.000Z')

function at(ms: number): string {
  return new Date(BASE + ms).toISOString()
}

/** A trace of `kb` kilobytes (padding in metadata) started `ms` after BASE. */
function sized(id: string, ms: number, kb = 1, overrides: Partial<tracium.TraceRecord> = {}) {
  return traceRecord({
    id,
    startedAt: at(ms),
    endedAt: at(ms + 10),
    metadata: { pad: 'x'.repeat(kb * 1000) },
    ...overrides,
  })
}

describe('rotation', () => {
  it('by size: segments stay under segmentMaxBytes, each closed with a sidecar', async () => {
    const dir = await tempDir()
    const traces = Array.from({ length: 40 }, (_, i) => sized(`t${i}`, i * 1000))
    await writeTraces({ dir, segmentMaxBytes: 8_000, lingerMs: 0 }, traces)
    const { segments, sidecars } = await segmentFiles(dir)
    expect(segments.length).toBeGreaterThan(4)
    expect(sidecars).toEqual(segments.map((s) => `${s}.rollup.json`))
    for (const segment of segments) {
      const { size } = await stat(segment)
      const sidecar = JSON.parse(await readFile(`${segment}.rollup.json`, 'utf8'))
      expect(sidecar).toMatchObject({
        format: 'tracium-rollup',
        version: 1,
        closed: true,
        bytes: size,
        skippedLines: 0,
      })
      // A batch is never split, so only a one-batch segment may pass the limit.
      if (sidecar.lines > 1) expect(size).toBeLessThanOrEqual(8_000)
    }
    expect(await ids(dir)).toEqual(traces.map((t) => t.id))
    const { fromLines, fromRollups, read } = await bothReports(dir, {})
    expect(fromRollups).toEqual(fromLines)
    expect(fromRollups.total.traces).toBe(40)
    expect(read.linesRead).toBe(0) // every segment closed: no line read
  })

  it('by age: a segment open longer than segmentMaxAgeMs is closed before the next write', async () => {
    const dir = await tempDir()
    const exporter = store({ dir, segmentMaxAgeMs: 20, lingerMs: 0 })
    exporter.export(sized('a', 0))
    await exporter.flush(5_000)
    const first = exporter.file
    // Wait on the clock itself (not a fixed sleep): the segment's age is what is tested.
    const opened = Date.now()
    while (Date.now() - opened < 25) await new Promise((r) => setImmediate(r))
    exporter.export(sized('b', 1))
    await exporter.flush(5_000)
    expect(exporter.file).not.toBe(first)
    expect(JSON.parse(await readFile(`${first}.rollup.json`, 'utf8'))).toMatchObject({
      closed: true,
      lines: 1,
    })
    await exporter.shutdown(5_000)
    expect((await segmentFiles(dir)).sidecars).toHaveLength(2)
    expect(await ids(dir)).toEqual(['a', 'b'])
  })

  it('rejects limits that are not positive numbers, and a retention shorter than a segment', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      for (const name of [
        'segmentMaxBytes',
        'segmentMaxAgeMs',
        'retentionMaxAgeMs',
        'retentionMaxBytes',
      ]) {
        expect(() => tracium.localStore({ [name]: bad })).toThrow(
          expect.objectContaining({
            code: 'INVALID_ARGUMENT',
            message: expect.stringMatching(new RegExp(`^@tracium/sdk: ${name} must be`)),
          }),
        )
      }
    }
    expect(() => tracium.localStore({ retentionMaxAgeMs: 1000, segmentMaxAgeMs: 2000 })).toThrow(
      /retentionMaxAgeMs \(1000\) must be at least segmentMaxAgeMs \(2000\)/,
    )
  })
})

describe('retention', () => {
  it('by age: whole closed segments last written before retentionMaxAgeMs are deleted', async () => {
    const dir = await tempDir()
    const old = Array.from({ length: 12 }, (_, i) => sized(`old${i}`, i))
    await writeTraces({ dir, segmentMaxBytes: 4_000, lingerMs: 0 }, old)
    const before = await segmentFiles(dir)
    const keep = before.segments.at(-1)!
    const day = 86_400_000
    for (const segment of before.segments.slice(0, -1)) {
      const then = new Date(Date.now() - 3 * day)
      await utimes(segment, then, then)
    }
    await writeTraces({ dir, retentionMaxAgeMs: 2 * day, lingerMs: 0 }, [sized('new', 1e6)])
    // Left: `keep` and the new writer's segment, in either order. A writer names its segments
    // max(now, last + 1) ms, so the first writer's names can run a few ms ahead of the clock and
    // the new writer's name sort before `keep` (seen in CI).
    const after = await segmentFiles(dir)
    expect(after.segments).toHaveLength(2)
    expect(after.segments).toContain(keep)
    expect(after.sidecars).toHaveLength(2) // the deleted segments' sidecars went with them
    const left = await ids(dir)
    expect(left).toContain('new')
    expect(left.length).toBeLessThan(old.length)
  })

  it('by size: the oldest closed segments go first; an open segment of another writer stays', async () => {
    const dir = await tempDir()
    // Another writer, still running, with an open segment and no sidecar yet.
    const other = store({ dir, lingerMs: 0 })
    other.export(sized('other', 0))
    await other.flush(5_000)
    await writeTraces(
      { dir, segmentMaxBytes: 4_000, lingerMs: 0 },
      Array.from({ length: 12 }, (_, i) => sized(`c${i}`, i + 1)),
    )
    const closed = (await segmentFiles(dir)).segments.filter((s) => s !== other.file)
    await writeTraces({ dir, retentionMaxBytes: 12_000, lingerMs: 0 }, [sized('last', 99)])
    const after = await segmentFiles(dir)
    let total = 0
    for (const file of [...after.segments, ...after.sidecars]) total += (await stat(file)).size
    expect(total).toBeLessThanOrEqual(12_000)
    expect(after.segments).toContain(other.file)
    // What is left of the closed ones is the newest, in order.
    const kept = closed.filter((s) => after.segments.includes(s))
    expect(kept).toEqual(closed.slice(closed.length - kept.length))
    expect(kept.length).toBeLessThan(closed.length)
    const left = await ids(dir)
    expect(left).toContain('other')
    expect(left).toContain('last')
  })
})

describe('sidecars: torn, missing, behind', () => {
  it('a torn or missing sidecar is rebuilt from its segment; the report does not change', async () => {
    const dir = await tempDir()
    const traces = Array.from({ length: 30 }, (_, i) =>
      sized(`t${i}`, i * 600_000, 1, { tenantId: i % 3 === 0 ? 'acme' : 'globex' }),
    )
    await writeTraces({ dir, segmentMaxBytes: 6_000, lingerMs: 0 }, traces)
    const { fromLines: expected } = await bothReports(dir, {})
    const { sidecars } = await segmentFiles(dir)
    const intact = await readFile(sidecars[1]!, 'utf8')
    await truncate(sidecars[1]!, 40) // torn mid-write by a crash of another tool
    await unlink(sidecars[2]!)
    await writeFile(sidecars[3]!, intact) // a sidecar of another segment
    const first = await bothReports(dir, {})
    expect(first.fromRollups).toEqual(expected)
    expect(first.read.sidecarsWritten).toBe(3)
    for (const file of sidecars) {
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1 })
    }
    const second = await bothReports(dir, {})
    expect(second.fromRollups).toEqual(expected)
    expect(second.read).toMatchObject({ sidecarsWritten: 0, linesRead: 0 })
  })

  it('lines past a sidecar are read; a sidecar of another version is rebuilt', async () => {
    const dir = await tempDir()
    const exporter = store({ dir, lingerMs: 0 })
    exporter.export(sized('a', 0))
    exporter.export(sized('b', 1))
    await exporter.flush(5_000)
    // The reader writes a sidecar for the open segment's prefix…
    expect((await bothReports(dir, {})).read.sidecarsWritten).toBe(1)
    exporter.export(sized('c', 2))
    await exporter.flush(5_000)
    const file = exporter.file
    // …and reads only the line after it next time.
    const next = await bothReports(dir, {})
    expect(next.fromRollups).toEqual(next.fromLines)
    expect(next.read).toMatchObject({ linesRead: 1, sidecarsWritten: 0 })
    expect(next.fromRollups.total.traces).toBe(3)
    await exporter.shutdown(5_000)
    const sidecar = `${file}.rollup.json`
    const text = await readFile(sidecar, 'utf8')
    expect(JSON.parse(text)).toMatchObject({ closed: true, lines: 3 })
    await writeFile(sidecar, text.replace('"version":1', '"version":99'))
    const again = await bothReports(dir, {})
    expect(again.fromRollups).toEqual(again.fromLines)
    expect(again.read).toMatchObject({ linesRead: 3, sidecarsWritten: 1 })
  })
})

describe('a window edge inside an hour', () => {
  it('reads that hour from the lines, also a line that spells its instant with \\u escapes', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'segments'))
    const lines = [sized('a', 10 * 60_000), sized('b', 40 * 60_000), sized('c', 2 * HOUR)].map(
      (t) => JSON.stringify(t),
    )
    // JSON may spell ':' as \u003a; the line is the same trace.
    lines[1] = lines[1]!.replace(
      '"startedAt":"2025-03-01T00:40',
      '"startedAt":"2025-03-01T00\\u003a40',
    )
    await writeFile(
      join(dir, 'segments', '20250301T000000000Z-1-00000000.jsonl'),
      lines.map((l) => `${l}\n`).join(''),
    )
    expect((await bothReports(dir, {})).read.sidecarsWritten).toBe(1) // a sidecar for the cut
    const filters = { since: at(30 * 60_000) }
    const { fromLines, fromRollups, read } = await bothReports(dir, filters)
    expect(fromRollups).toEqual(fromLines)
    expect(fromRollups.total.traces).toBe(2) // b and c
    // a's and b's lines are parsed (a is of the cut hour, b has an escape); c's is skipped.
    expect(read.linesRead).toBe(2)
  })
})

describe('the day cache (reports by day)', () => {
  it('holds the closed segments per day; the next report reads no sidecar of them', async () => {
    const dir = await tempDir()
    // 48 hours, two traces an hour, in segments of a few traces.
    const traces = Array.from({ length: 96 }, (_, i) => sized(`t${i}`, i * 1_800_000))
    await writeTraces({ dir, segmentMaxBytes: 6_000, lingerMs: 0 }, traces)
    const { segments } = await segmentFiles(dir)
    const first = await bothReports(dir, {}, 'day')
    expect(first.fromRollups).toEqual(first.fromLines)
    expect(first.read.sidecarsRead).toBe(segments.length)
    const cache = JSON.parse(await readFile(join(dir, 'rollup-days.json'), 'utf8'))
    expect(cache).toMatchObject({ format: 'tracium-rollup-days', version: 1 })
    expect(Object.keys(cache.segments)).toHaveLength(segments.length)
    expect(new Set(cache.cells.cells.map((c: unknown[]) => c[0]))).toEqual(
      new Set(['2025-03-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z']),
    )
    const again = await bothReports(dir, {}, 'day')
    expect(again.fromRollups).toEqual(first.fromLines)
    expect(again.read).toMatchObject({ sidecarsRead: 0, linesRead: 0 })
    // A window that cuts a day reads that day's segments per hour, and the cut hour per line.
    const cut = { since: at(30 * HOUR + 60_000), until: at(40 * HOUR) }
    const edges = await bothReports(dir, cut, 'day')
    expect(edges.fromRollups).toEqual(edges.fromLines)
    expect(edges.read.sidecarsRead).toBeLessThan(segments.length)
  })

  it('a segment deleted by retention: only its days are rebuilt; a damaged cache is dropped', async () => {
    const dir = await tempDir()
    const traces = Array.from({ length: 96 }, (_, i) => sized(`t${i}`, i * 1_800_000))
    await writeTraces({ dir, segmentMaxBytes: 6_000, lingerMs: 0 }, traces)
    await bothReports(dir, {}, 'day')
    const { segments } = await segmentFiles(dir)
    await unlink(segments[0]!)
    const after = await bothReports(dir, {}, 'day')
    expect(after.fromRollups).toEqual(after.fromLines)
    // The first day's other segments are read again; the second day's are not.
    expect(after.read.sidecarsRead).toBeGreaterThan(0)
    expect(after.read.sidecarsRead).toBeLessThan(segments.length / 2 + 2)
    const cacheFile = join(dir, 'rollup-days.json')
    const text = await readFile(cacheFile, 'utf8')
    await writeFile(cacheFile, text.replace(/"ok",/, '"bogus",'))
    const damaged = await bothReports(dir, {}, 'day')
    expect(damaged.fromRollups).toEqual(after.fromLines)
    await expect(stat(cacheFile)).rejects.toThrow(/ENOENT/) // removed; the next report rebuilds it
    expect((await bothReports(dir, {}, 'day')).fromRollups).toEqual(after.fromLines)
    await truncate(cacheFile, 100)
    const torn = await bothReports(dir, {}, 'day')
    expect(torn.fromRollups).toEqual(after.fromLines)
    expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toMatchObject({ version: 1 })
  })
})

describe('the latest traces: newest segment first', () => {
  /** Wraps the segments to count how many a reader took. */
  function counted(segments: AsyncIterable<AsyncIterable<tracium.TraceRecord>>) {
    const seen = { count: 0 }
    async function* each() {
      for await (const traces of segments) {
        seen.count++
        yield traces
      }
    }
    return { seen, segments: each() }
  }

  it('stop at the segments that hold the rows, and skip the ones whose sidecar has no match', async () => {
    const dir = await tempDir()
    // 30 traces of globex, then 10 of acme: at 8 kB a segment, several of each.
    const traces = Array.from({ length: 40 }, (_, i) =>
      sized(`t${i}`, i * 1000, 1, { tenantId: i < 30 ? 'globex' : 'acme' }),
    )
    await writeTraces({ dir, segmentMaxBytes: 8_000, lingerMs: 0 }, traces)
    const { segments } = await segmentFiles(dir)
    expect(segments.length).toBeGreaterThan(5)

    const latest = counted(readSegmentsNewestFirst({ dir }))
    const rows = await recentStoreTraces(latest.segments, {}, 2)
    expect(rows.map((r) => r.id)).toEqual(['t39', 't38'])
    expect(latest.seen.count).toBe(1)

    // acme's traces are all in the newest segments: globex's are never opened.
    const acme = { tenant: 'acme' }
    const all = counted(readSegmentsNewestFirst({ dir }, acme))
    expect((await recentStoreTraces(all.segments, acme, 100)).map((r) => r.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${39 - i}`),
    )
    const holdingAcme = new Set<string>()
    for (const segment of segments) {
      if ((await readFile(segment, 'utf8')).includes('"acme"')) holdingAcme.add(segment)
    }
    expect(all.seen.count).toBe(holdingAcme.size)

    const byId = counted(readSegmentsNewestFirst({ dir }))
    expect((await findTrace(byId.segments, 't37'))?.id).toBe('t37')
    expect(byId.seen.count).toBeLessThan(segments.length)
  })
})

describe('the single-file layout (before segments)', () => {
  it('stays readable beside segments, and its report gets a sidecar too', async () => {
    const dir = await tempDir()
    const legacy = [sized('old1', 0), sized('old2', 1)]
    await writeFile(
      join(dir, 'traces.jsonl'),
      `${legacy.map((t) => JSON.stringify(t)).join('\n')}\n{"id":"torn",`,
    )
    await writeTraces({ dir, lingerMs: 0 }, [sized('new', 2)])
    expect(await ids(dir)).toEqual(['old1', 'old2', 'new'])
    const first = await bothReports(dir, {})
    expect(first.fromRollups).toEqual(first.fromLines)
    expect(first.fromRollups).toMatchObject({ skippedLines: 1, total: { traces: 3 } })
    expect(JSON.parse(await readFile(join(dir, 'traces.jsonl.rollup.json'), 'utf8'))).toMatchObject(
      { closed: false, lines: 2, segment: 'traces.jsonl' },
    )
    const second = await bothReports(dir, {})
    expect(second.fromRollups).toEqual(first.fromLines)
    expect(second.read.linesRead).toBe(0)
  })
})

describe('property: the report from rollups, and the latest traces newest segment first, equal reads of every line', () => {
  const traceArb = fc.record({
    // Three UTC days: the day cache (by day) and the hour cells (by hour) both get edges.
    ms: fc.integer({ min: 0, max: 72 * HOUR }),
    tenantId: fc.option(fc.constantFrom('acme', 'globex', 'a"b'), { nil: null }),
    agentName: fc.constantFrom('chat', 'GET /users/:id'),
    modelId: fc.option(fc.constantFrom('gpt-4o', 'claude'), { nil: null }),
    status: fc.constantFrom('completed' as const, 'failed' as const),
    httpStatus: fc.option(fc.constantFrom(200, 401, 403, 404, 500), { nil: null }),
    durationMs: fc.double({ min: 0, max: 1e5, noNaN: true }),
    inputTokens: fc.nat(1e6),
    costUsd: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: null }),
    kb: fc.integer({ min: 0, max: 3 }),
  })
  const instant = fc.oneof(
    // anywhere, mostly inside an hour
    { arbitrary: fc.integer({ min: -HOUR, max: 73 * HOUR }), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 73 }).map((h) => h * HOUR), weight: 1 }, // on an hour
    { arbitrary: fc.integer({ min: 0, max: 3 }).map((d) => d * 24 * HOUR), weight: 1 }, // on a day
  )
  // The window is what cells can get wrong: since and until are each set three times in four,
  // each other filter once in four (more would leave most reports empty).
  const edge = fc.option(instant.map(at), { nil: undefined, freq: 4 })
  const sometimes = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 })
  const filtersArb = fc
    .record({
      since: edge,
      until: edge,
      tenant: sometimes(fc.constantFrom('acme', null)),
      agent: sometimes(fc.constant('chat')),
      model: sometimes(fc.constantFrom('gpt-4o', null)),
      status: sometimes(fc.constantFrom(...STATUS_CLASSES)),
    })
    .map(
      (f) =>
        Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as TraceFilters,
    )
  // What a store may also hold: a line torn by a crash, a wrongly typed one, a lost sidecar.
  const damageArb = fc.record({
    tornTail: fc.boolean(),
    foreignLine: fc.boolean(),
    dropSidecar: fc.boolean(),
    legacy: fc.nat(5),
    // After the first report (which writes the day cache): a segment deleted, as retention does.
    deleteSegment: fc.boolean(),
  })

  it('whatever the traces, segment sizes, filters, window edges and damage', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(traceArb, { minLength: 5, maxLength: 80 }),
        fc.integer({ min: 1_500, max: 20_000 }),
        fc.array(filtersArb, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('day' as const, 'hour' as const),
        damageArb,
        fc.integer({ min: 1, max: 30 }),
        async (specs, segmentMaxBytes, filterSets, by, damage, limit) => {
          const dir = await tempDir()
          const records = specs.map((s, i) =>
            sized(`t${i}`, s.ms, s.kb, {
              tenantId: s.tenantId,
              agentName: s.agentName,
              modelId: s.modelId,
              status: s.status,
              durationMs: s.durationMs,
              inputTokens: s.inputTokens,
              costUsd: s.costUsd,
              metadata: {
                pad: 'x'.repeat(s.kb * 500),
                ...(s.httpStatus !== null && { http: { statusCode: s.httpStatus } }),
              },
            }),
          )
          const legacy = records.slice(0, damage.legacy)
          if (legacy.length > 0) {
            await writeFile(
              join(dir, 'traces.jsonl'),
              legacy.map((t) => `${JSON.stringify(t)}\n`).join(''),
            )
          }
          const exporter = await writeTraces(
            { dir, segmentMaxBytes, lingerMs: 0 },
            records.slice(damage.legacy),
          )
          const { segments, sidecars } = await segmentFiles(dir)
          const last = segments.at(-1)
          if (damage.foreignLine && last) {
            await writeFile(last, `${await readFile(last, 'utf8')}{"id":"x","tenantId":123}\n`)
          }
          if (damage.tornTail && last) {
            await writeFile(last, `${await readFile(last, 'utf8')}{"id":"torn","tena`)
          }
          if (damage.dropSidecar && sidecars[0]) await unlink(sidecars[0])
          expect(exporter.stats().failed).toBe(0)
          for (const [i, filters] of [{}, ...filterSets, {}].entries()) {
            const { fromLines, fromRollups } = await bothReports(dir, filters, by)
            expect(roundCosts(fromRollups)).toEqual(roundCosts(fromLines))
            const recent = await bothRecent(dir, filters, limit, `t${i * 7}`)
            expect(recent.newestFirst).toEqual(recent.fromLines)
            if (i === 0 && damage.deleteSegment && segments.length > 1) {
              await unlink(segments[0]!)
              await unlink(`${segments[0]!}.rollup.json`).catch(() => {})
            }
          }
        },
      ),
      { numRuns: 80 },
    )
  })
})

describe('crash safety and two processes', () => {
  /** A child process running `body`, an ES module in which `t` is the built SDK. */
  function spawnWithSdk(body: string): ChildProcess {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import * as t from ${JSON.stringify(dist)}\n${body}`],
      { stdio: 'ignore' },
    )
    onCleanup(() => child.kill('SIGKILL'))
    return child
  }
  const exitOf = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => child.once('exit', resolve))

  it('SIGKILL mid-write: the torn tail is skipped, the segment without a sidecar is rolled up', {
    timeout: 60_000,
  }, async () => {
    const dir = await tempDir()
    const child = spawnWithSdk(`
      const s = t.localStore({ dir: ${JSON.stringify(dir)}, maxQueueSize: 1e6, segmentMaxBytes: 2e6 })
      t.init({ exporter: s })
      const pad = 'x'.repeat(20000)
      for (let i = 0; ; i++) {
        t.withTenant(i % 2 ? 'acme' : 'globex', () => t.startTrace({ traceId: 'c' + i, metadata: { pad } }, () => {}))
        if (i % 50 === 0) await new Promise((r) => setImmediate(r))
      }`)
    const exited = exitOf(child)
    // Kill it once it has closed a few segments and is writing another (a deadline, not a
    // count of polls: a slow start on a busy machine must not kill it before it wrote).
    const deadline = Date.now() + 40_000
    const writingFourth = async () => {
      const { segments, sidecars } = await segmentFiles(dir)
      const open = segments[3]
      return sidecars.length >= 3 && open !== undefined && (await stat(open)).size > 100_000
    }
    while (!(await writingFourth()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(await writingFourth()).toBe(true)
    child.kill('SIGKILL')
    await exited
    const { segments, sidecars } = await segmentFiles(dir)
    expect(segments.length).toBeGreaterThan(sidecars.length) // the one being written
    const traces = await ids(dir)
    expect(traces.every((id, i) => id === `c${i}`)).toBe(true)
    const { fromLines, fromRollups, read } = await bothReports(dir, {})
    expect(fromRollups).toEqual(fromLines)
    expect(fromRollups.total.traces).toBe(traces.length)
    expect(fromRollups.skippedLines).toBeLessThanOrEqual(1)
    expect(read.sidecarsWritten).toBe(1)
  })

  it('two processes writing one directory: every trace whole, none lost, each in order', {
    timeout: 60_000,
  }, async () => {
    const dir = await tempDir()
    const writer = (name: string) =>
      spawnWithSdk(`
        t.init({ exporter: t.localStore({ dir: ${JSON.stringify(dir)}, segmentMaxBytes: 200000, lingerMs: 0 }) })
        const pad = 'y'.repeat(3000)
        for (let i = 0; i < 1500; i++) {
          t.startTrace({ traceId: '${name}' + i, metadata: { pad } }, () => {})
          if (i % 20 === 0) await new Promise((r) => setImmediate(r))
        }
        await t.shutdown()`)
    const codes = await Promise.all([exitOf(writer('p')), exitOf(writer('q'))])
    expect(codes).toEqual([0, 0])
    const all = await ids(dir)
    expect(all).toHaveLength(3000)
    for (const name of ['p', 'q']) {
      expect(all.filter((id) => id.startsWith(name))).toEqual(
        Array.from({ length: 1500 }, (_, i) => `${name}${i}`),
      )
    }
    const { fromLines, fromRollups, read } = await bothReports(dir, {})
    expect(fromRollups).toEqual(fromLines)
    expect(fromRollups.skippedLines).toBe(0)
    expect(read.linesRead).toBe(0)
  })
})
