// One benchmark server in its own process: `node server.js <framework> <variant>`. It listens on
// 127.0.0.1 (a free port), tells the parent the port over IPC, and answers heap requests
// (after a forced GC) for the memory soak and CPU-time requests for the per-request cost. The parent kills it when the cell is done.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const [framework, variant] = process.argv.slice(2)
// "otel-http": OpenTelemetry's request traces instead of the SDK (otel-http.js); it must patch
// `http` before the framework loads it.
const otel = variant === 'otel-http' ? await (await import('./otel-http.js')).startOtelHttp() : null
const { createApp } = await import(`./apps/${framework}.js`)

// "tracium-trace": the header source plus the SDK's per-request traces in the embedded store.
// "tracium-otlp": the same traces as OpenTelemetry spans, over OTLP/proto to run.js's sink.
const SDK_VARIANTS = ['tracium-trace', 'tracium-otlp']
const appVariant = [...SDK_VARIANTS, 'otel-http'].includes(variant) ? 'tracium-header' : variant
const sdk = SDK_VARIANTS.includes(variant) ? await import('@tracium/sdk') : null
if (variant === 'tracium-trace') {
  const dir = mkdtempSync(join(tmpdir(), 'tracium-bench-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  sdk.trace({ dir, exporter: sdk.localStore({ dir }) }) // an explicit exporter: no start-up notice
} else if (variant === 'tracium-otlp') {
  sdk.trace({ endpoint: process.env.BENCH_OTLP_SINK })
}

const server = await createApp(appVariant).listen(0)
process.send({ port: server.address().port })
process.on('message', async (message) => {
  if (message === 'heap') {
    globalThis.gc?.()
    globalThis.gc?.()
    process.send({ heapUsed: process.memoryUsage().heapUsed })
  } else if (message === 'cpu') {
    // CPU time (user + system, µs) this process has used: the parent divides the difference
    // over a run by its requests, a per-request cost that the load generator sharing the
    // machine's cores does not blur the way it blurs requests per second.
    const { user, system } = process.cpuUsage()
    process.send({ cpuMicros: user + system })
  } else if (message === 'exported') {
    // What the exporter did since the last ask (a window: warm-up, then the timed run), after a
    // flush: items ended, delivered and failed; null for cells that export nothing.
    const exported = otel ? await otel.exported() : sdk ? await sdkExported() : null
    process.send({ exported })
  }
})

// The SDK's window: its getQueueStats() counters (traces for the local store, spans for OTLP)
// since the previous ask. An item offered is one ended; a refused one counts as not delivered.
let before = { enqueued: 0, dropped: 0, sent: 0, failed: 0 }
async function sdkExported() {
  await sdk.flush(10_000)
  const now = sdk.getQueueStats()
  const window = {
    ended: now.enqueued + now.dropped - before.enqueued - before.dropped,
    delivered: now.sent - before.sent,
    failed: now.failed - before.failed,
  }
  before = now
  return window
}
// A normal exit, so `--cpu-prof` writes its profile.
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
