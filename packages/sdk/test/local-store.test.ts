import { type ChildProcess, spawn } from 'node:child_process'
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { traceRecord } from './fixtures.js'
import { onCleanup, tempDir, ticks } from './helpers.js'

const dist = fileURLToPath(new URL('../dist/index.mjs', import.meta.url))

async function readAll(dir: string) {
  const reader = tracium.readTraces({ dir })
  const traces: tracium.TraceRecord[] = []
  for await (const trace of reader) traces.push(trace)
  return { traces, skipped: reader.skippedLines }
}

/** Bytes in the store's segments. */
async function storeBytes(dir: string): Promise<number> {
  const names = await readdir(join(dir, 'segments')).catch(() => [])
  let total = 0
  for (const name of names) total += (await stat(join(dir, 'segments', name))).size
  return total
}

function store(options: tracium.LocalStoreOptions) {
  const exporter = tracium.localStore(options)
  onCleanup(() => exporter.shutdown(5_000))
  return exporter
}

/** A child process running `body`, an ES module in which `t` is the built SDK. */
function spawnWithSdk(body: string) {
  return spawn(
    process.execPath,
    ['--input-type=module', '-e', `import * as t from ${JSON.stringify(dist)}\n${body}`],
    { stdio: 'ignore' },
  )
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', resolve))
}

describe('localStore(): append-only JSONL', () => {
  it('writes one line per finished trace, which reads back as the same record', async () => {
    const dir = await tempDir()
    const memory = tracium.memoryExporter()
    const exporter = store({ dir })
    tracium.init({ exporter: [memory, exporter] })
    onCleanup(() => tracium.shutdown())
    tracium.withTenant('acme', () =>
      tracium.startTrace({ agentName: 'bot', metadata: { text: 'line\nbreak\u2028' } }, (t) => {
        t.span({ spanType: 'llm', input: { q: 'hi' } })
          .recordOutput('hello')
          .end()
      }),
    )
    tracium.startTrace({}, () => {})
    expect(await exporter.flush(5_000)).toBe(true)
    // One segment of this writer (store-path.ts): <opened>-<pid>-<tag>.jsonl
    expect(exporter.file).toMatch(/\/segments\/\d{8}T\d{9}Z-[0-9a-z]+-[0-9a-f]{8}\.jsonl$/)
    expect(exporter.file.startsWith(join(dir, 'segments'))).toBe(true)
    const text = await readFile(exporter.file, 'utf8')
    expect(text.split('\n')).toHaveLength(3) // two lines and the final newline
    // U+2028 is escaped: Node 24's readline would end a line there.
    expect(text).not.toMatch(/[\u2028\u2029]/)
    expect(text.split('\n').map((l) => (l ? JSON.parse(l) : ''))).toEqual([
      ...JSON.parse(JSON.stringify(memory.traces)),
      '',
    ])
    expect(await readAll(dir)).toEqual({
      traces: JSON.parse(JSON.stringify(memory.traces)),
      skipped: 0,
    })
  })

  it('multi-byte text and batches larger than the write buffer read back byte for byte', async () => {
    const dir = await tempDir()
    const exporter = store({ dir })
    const texts = [
      'naïve café',
      '租户 テナント',
      '🚀 rocket',
      'lone \ud800 surrogate',
      'é'.repeat(300_000),
    ]
    // One batch: mixed sizes, and more bytes than the encoder's starting buffer (64 KiB).
    for (const [i, summary] of texts.entries())
      exporter.export(traceRecord({ id: `u${i}`, summary }))
    for (let i = 0; i < 50; i++) exporter.export(traceRecord({ id: `s${i}`, summary: 'ü' }))
    expect(await exporter.flush(5_000)).toBe(true)
    // A lone surrogate is written as JSON's \ud800 escape, so it reads back as itself.
    const { traces, skipped } = await readAll(dir)
    expect(skipped).toBe(0)
    expect(traces.slice(0, texts.length).map((t) => t.summary)).toEqual(texts)
    expect(traces.slice(texts.length).map((t) => [t.id, t.summary])).toEqual(
      Array.from({ length: 50 }, (_, i) => [`s${i}`, 'ü']),
    )
  })

  it('concurrent writers in one process never interleave lines', async () => {
    const dir = await tempDir()
    const a = store({ dir })
    const b = store({ dir }) // a second store on the same file, e.g. after a re-init
    await Promise.all(
      Array.from({ length: 1500 }, async (_, i) => {
        await ticks(i % 7)
        // Long lines make a torn or interleaved write visible.
        const record = traceRecord({ id: `t${i}`, summary: 'x'.repeat(2000 + (i % 500)) })
        ;(i % 2 === 0 ? a : b).export(record)
      }),
    )
    expect(await a.flush(10_000)).toBe(true)
    expect(await b.flush(10_000)).toBe(true)
    const { traces, skipped } = await readAll(dir)
    expect(skipped).toBe(0)
    expect(new Set(traces.map((t) => t.id)).size).toBe(1500)
    expect(a.stats()).toMatchObject({ enqueued: 750, sent: 750, failed: 0, dropped: 0 })
  })

  it('never throws for values JSON cannot hold: BigInt and cycles are written tolerant', async () => {
    const dir = await tempDir()
    const exporter = store({ dir })
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    exporter.export(traceRecord({ summary: { big: 10n, cyclic } }))
    await exporter.flush(5_000)
    const { traces } = await readAll(dir)
    expect(traces[0]?.summary).toEqual({ big: '10', cyclic: { name: 'loop', self: '[Circular]' } })
  })

  it('a full queue drops and counts; it never blocks or throws', async () => {
    const dir = await tempDir()
    const exporter = store({ dir, maxQueueSize: 5 })
    for (let i = 0; i < 8; i++) exporter.export(traceRecord({ id: `t${i}` }))
    await exporter.flush(5_000)
    expect(exporter.stats()).toMatchObject({ enqueued: 5, sent: 5, dropped: 3, dropRate: 3 / 8 })
    expect((await readAll(dir)).traces.map((t) => t.id)).toEqual(['t0', 't1', 't2', 't3', 't4'])
  })

  it('a store that cannot write counts failures and reports them, fail-open', async () => {
    const dir = await tempDir()
    const blocker = join(dir, 'not-a-dir')
    await writeFile(blocker, 'a file where the store directory should be')
    const errors: unknown[] = []
    const exporter = store({ dir: blocker, onError: (e) => errors.push(e) })
    exporter.export(traceRecord())
    expect(await exporter.flush(5_000)).toBe(true)
    expect(exporter.stats()).toMatchObject({ enqueued: 1, sent: 0, failed: 1 })
    expect((errors[0] as NodeJS.ErrnoException).code).toMatch(/EEXIST|ENOTDIR/)
  })

  it('after shutdown, traces are dropped and the file is closed', async () => {
    const dir = await tempDir()
    const exporter = store({ dir })
    exporter.export(traceRecord({ id: 'kept' }))
    expect(await exporter.shutdown(5_000)).toBe(true)
    exporter.export(traceRecord({ id: 'late' }))
    expect(exporter.stats()).toMatchObject({ sent: 1, dropped: 1 })
    expect((await readAll(dir)).traces.map((t) => t.id)).toEqual(['kept'])
  })
})

describe('crash safety', () => {
  it('a torn last line is skipped and counted; the next writer does not glue onto it', async () => {
    const dir = await tempDir()
    // A store of the single-file layout, torn: read still, never written again.
    const file = join(dir, 'traces.jsonl')
    const good = [traceRecord({ id: 'one' }), traceRecord({ id: 'two' })]
    const torn = JSON.stringify(traceRecord({ id: 'torn' })).slice(0, 57)
    await writeFile(file, `${good.map((t) => JSON.stringify(t)).join('\n')}\n${torn}`)
    expect(await readAll(dir)).toMatchObject({ skipped: 1 })
    expect((await readAll(dir)).traces.map((t) => t.id)).toEqual(['one', 'two'])

    const exporter = store({ dir })
    exporter.export(traceRecord({ id: 'three' }))
    await exporter.flush(5_000)
    const after = await readAll(dir)
    expect(after.traces.map((t) => t.id)).toEqual(['one', 'two', 'three'])
    expect(after.skipped).toBe(1)
    expect(await readFile(file, 'utf8')).toMatch(new RegExp(`${torn.slice(-20)}$`))
    expect(await readFile(exporter.file, 'utf8')).toMatch(/^\{"id":"three"/)
  })

  it('foreign lines are skipped and counted too; blank lines are ignored', async () => {
    const dir = await tempDir()
    await writeFile(
      join(dir, 'traces.jsonl'),
      `\n${JSON.stringify(traceRecord())}\n[1,2]\n"text"\nnull\n{"no":"id"}\n`,
    )
    expect(await readAll(dir)).toMatchObject({ skipped: 4, traces: [{ id: 'trace-1' }] })
  })

  it('a process killed with SIGKILL while writing leaves at most one torn line', {
    timeout: 30_000,
  }, async () => {
    const dir = await tempDir()
    // The built SDK, writing big traces as fast as it can until it is killed.
    const child =
      spawnWithSdk(`t.init({ exporter: t.localStore({ dir: ${JSON.stringify(dir)}, maxQueueSize: 1e6 }) })
         const pad = 'x'.repeat(20000)
         for (let i = 0; ; i++) {
           t.startTrace({ traceId: 'c' + i, metadata: { pad } }, () => {})
           if (i % 50 === 0) await new Promise((r) => setImmediate(r))
         }`)
    const exited = exitOf(child)
    onCleanup(() => child.kill('SIGKILL'))
    // Kill it mid-stream, once it has written a few megabytes (a deadline, not a count of
    // polls: a slow start on a busy machine must not kill it before it wrote anything).
    const written = () => storeBytes(dir)
    const deadline = Date.now() + 20_000
    while ((await written()) <= 4_000_000 && Date.now() < deadline) await sleep(5)
    expect(await written()).toBeGreaterThan(4_000_000)
    child.kill('SIGKILL')
    await exited
    const { traces, skipped } = await readAll(dir)
    expect(traces.length).toBeGreaterThan(100)
    expect(skipped).toBeLessThanOrEqual(1)
    // Lines are whole traces, in order: c0, c1, …
    expect(traces.every((t, i) => t.id === `c${i}`)).toBe(true)

    const exporter = store({ dir })
    exporter.export(traceRecord({ id: 'after-crash' }))
    await exporter.flush(5_000)
    const after = await readAll(dir)
    expect(after.traces.at(-1)?.id).toBe('after-crash')
    expect(after.skipped).toBe(skipped)
  })

  it('process.exit() right after traces end still writes them, also before the store exists', async () => {
    const dir = join(await tempDir(), 'created-at-exit')
    const child = spawnWithSdk(`t.init({ exporter: t.localStore({ dir: ${JSON.stringify(dir)} }) })
         for (let i = 0; i < 100; i++) t.startTrace({ traceId: 'e' + i }, () => {})
         process.exit(0)`)
    expect(await exitOf(child)).toBe(0)
    const { traces, skipped } = await readAll(dir)
    expect(skipped).toBe(0)
    expect(traces.map((t) => t.id)).toEqual(Array.from({ length: 100 }, (_, i) => `e${i}`))
  })
})

describe('lingerMs: finished traces wait to share one write', () => {
  it('a script that just ends writes what is still waiting; the wait never holds it open', async () => {
    const dir = join(await tempDir(), 'natural-exit')
    // A 60 s linger: if its timer kept the process alive, the test would time out.
    const child =
      spawnWithSdk(`t.init({ exporter: t.localStore({ dir: ${JSON.stringify(dir)}, lingerMs: 60_000 }) })
         for (let i = 0; i < 10; i++) t.startTrace({ traceId: 'n' + i }, () => {})`)
    expect(await exitOf(child)).toBe(0)
    const { traces } = await readAll(dir)
    expect(traces.map((t) => t.id)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`))
  })

  it('flush() writes at once, whatever the linger', async () => {
    const dir = await tempDir()
    tracium.init({ exporter: store({ dir, lingerMs: 60_000 }) })
    tracium.startTrace({ traceId: 'now' }, () => {})
    expect(await tracium.flush()).toBe(true)
    expect((await readAll(dir)).traces.map((t) => t.id)).toEqual(['now'])
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '50'])('rejects lingerMs %s', (lingerMs) => {
    expect(() => tracium.localStore({ lingerMs: lingerMs as number })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/lingerMs/),
      }),
    )
  })
})

describe('readTraces()', () => {
  it('reads TRACIUM_DIR by default and fails with ENOENT when there is no store', async () => {
    const dir = await tempDir()
    await appendFile(join(dir, 'traces.jsonl'), `${JSON.stringify(traceRecord())}\n`)
    const saved = process.env.TRACIUM_DIR
    process.env.TRACIUM_DIR = dir
    onCleanup(() => {
      if (saved === undefined) delete process.env.TRACIUM_DIR
      else process.env.TRACIUM_DIR = saved
    })
    const reader = tracium.readTraces()
    expect(reader.file).toBe(dir)
    expect((await readAll(dir)).traces).toHaveLength(1)
    await expect(readAll(join(dir, 'missing'))).rejects.toThrow(/ENOENT/)
  })
})
