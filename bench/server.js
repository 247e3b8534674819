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
const appVariant = ['tracium-trace', 'otel-http'].includes(variant) ? 'tracium-header' : variant
if (variant === 'tracium-trace') {
  const dir = mkdtempSync(join(tmpdir(), 'tracium-bench-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const sdk = await import('@tracium/sdk')
  sdk.trace({ dir, exporter: sdk.localStore({ dir }) }) // an explicit exporter: no start-up notice
}

const server = await createApp(appVariant).listen(0)
process.send({ port: server.address().port })
process.on('message', (message) => {
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
    // Spans ended, delivered and failed so far, after a flush; null for cells that export none.
    Promise.resolve(otel?.exported() ?? null).then((exported) => process.send({ exported }))
  }
})
// A normal exit, so `--cpu-prof` writes its profile.
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
