/**
 * A graceful stop loses nothing buffered: a child process with the built SDK finishes traces,
 * then gets SIGTERM or SIGINT (or simply runs out of work) while they are still buffered
 * (OpenTelemetry's batch waits 5 s, the local store 50 ms).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { storedTraces, tempDir } from './helpers.js'
import { receiver } from './otlp.js'

const dist = fileURLToPath(new URL('../dist/index.mjs', import.meta.url))
const TRACES = 200

/** Runs `body` (an ES module in which `t` is the built SDK) with `env`. */
function child(body: string, env: Record<string, string>): ChildProcess {
  const clean = { ...process.env }
  for (const key of Object.keys(clean)) if (/^(OTEL_|TRACIUM_)/.test(key)) delete clean[key]
  return spawn(
    process.execPath,
    ['--input-type=module', '-e', `import * as t from ${JSON.stringify(dist)}\n${body}`],
    { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  )
}

// Finishes TRACES traces, says so, then stays alive (a server) until a signal ends it.
const SERVER = `
for (let i = 0; i < ${TRACES}; i++) {
  t.startTrace({ agentName: 'job', traceId: 'job-' + i }, (trace) => {
    trace.span({ spanType: 'tool', name: 'step' }, () => {})
  })
}
setInterval(() => {}, 1000)
process.stdout.write('ready\\n')
`

async function ready(proc: ChildProcess): Promise<void> {
  let out = ''
  for await (const chunk of proc.stdout!) {
    out += String(chunk)
    if (out.includes('ready')) return
  }
  throw new Error('the child exited before it was ready')
}

async function exited(proc: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return (await once(proc, 'exit')) as [number | null, NodeJS.Signals | null]
}

describe('graceful stop: nothing buffered is lost', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'OTLP: %s flushes every span, then the process still ends by that signal',
    async (signal) => {
      const otlp = await receiver()
      const proc = child(SERVER, { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url })
      const exit = exited(proc)
      await ready(proc)
      expect(otlp.spans).toHaveLength(0) // still in the batch
      proc.kill(signal)
      expect(await exit).toEqual([null, signal])
      expect(otlp.spans).toHaveLength(TRACES * 2)
    },
  )

  it('the local store: SIGTERM writes every trace', async () => {
    const dir = await tempDir()
    const proc = child(SERVER, { TRACIUM_DIR: dir })
    const exit = exited(proc)
    await ready(proc)
    proc.kill('SIGTERM')
    expect(await exit).toEqual([null, 'SIGTERM'])
    const stored = await storedTraces(dir)
    expect(new Set(stored.map((trace) => trace.id)).size).toBe(TRACES)
  })

  it('an app that handles SIGTERM itself decides when to exit; the SDK only flushes', async () => {
    const otlp = await receiver()
    const proc = child(
      `process.on('SIGTERM', async () => { await t.shutdown(); process.exit(7) })\n${SERVER}`,
      { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
    )
    const exit = exited(proc)
    await ready(proc)
    proc.kill('SIGTERM')
    expect(await exit).toEqual([7, null])
    expect(otlp.spans).toHaveLength(TRACES * 2)
  })

  it('a script that runs out of work flushes on beforeExit and exits 0', async () => {
    const otlp = await receiver()
    const proc = child(SERVER.replace('setInterval(() => {}, 1000)', ''), {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    })
    expect(await exited(proc)).toEqual([0, null])
    expect(otlp.spans).toHaveLength(TRACES * 2)
  })

  it('flushOnExit: false leaves the signal alone: the batch is lost', async () => {
    const otlp = await receiver()
    const proc = child(`t.init({ flushOnExit: false })\n${SERVER}`, {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    })
    const exit = exited(proc)
    await ready(proc)
    proc.kill('SIGTERM')
    expect(await exit).toEqual([null, 'SIGTERM'])
    expect(otlp.spans).toHaveLength(0)
  })
})
