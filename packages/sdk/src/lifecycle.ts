/**
 * Flushing, shutting down and counting: the Python SDK's `flush`, `close` and `get_queue_stats`.
 */
import { within } from './client.js'
import { peekClient, takeClient } from './init.js'
import { stopLlmInstrumentation } from './llm-instrumentation.js'
import { type QueueStats, withRates } from './queue.js'
import { stopRequestTracing } from './request-traces.js'

/**
 * How long `flush()` and `shutdown()` wait by default, in milliseconds.
 * @example
 * ```ts
 * await tracium.flush(DEFAULT_FLUSH_TIMEOUT_MS)
 * ```
 */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000

/**
 * Waits until every finished trace has been exported (written to the store, or sent), or until
 * `timeoutMs` passed. Never throws.
 *
 * @param timeoutMs Default: `10000`.
 * @returns `true` when nothing is left to export.
 * @example
 * ```ts
 * await tracium.flush() // e.g. at the end of a serverless handler
 * ```
 */
export async function flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
  const client = peekClient()
  if (client === null) return true
  return trueWithin(timeoutMs, client.flush(timeoutMs))
}

/**
 * Stops per-request traces and the LLM client instrumentation, flushes, and closes the exporters
 * (the store's file, the queue, OpenTelemetry's batch processor and OTLP exporter). Returns within
 * `timeoutMs`, whatever an exporter does. A later trace initializes the SDK afresh. Never throws.
 * SIGTERM, SIGINT and `beforeExit` flush on their own (`init({ flushOnExit })`).
 *
 * @param timeoutMs Default: `10000`.
 * @returns `true` when everything was exported in time.
 * @example
 * ```ts
 * process.once('SIGTERM', async () => {
 *   await tracium.shutdown()
 *   process.exit(0)
 * })
 * ```
 */
export async function shutdown(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
  stopRequestTracing()
  stopLlmInstrumentation()
  const client = takeClient()
  if (client === null) return true
  // Returns within timeoutMs whatever an exporter does; what is still in flight then is lost.
  return trueWithin(timeoutMs, client.shutdown(timeoutMs))
}

/** `true` when `work` resolves `true` within `timeoutMs`; `false` if it says so, fails or is late. */
async function trueWithin(timeoutMs: number, work: Promise<boolean>): Promise<boolean> {
  let ok = false
  const done = await within(
    timeoutMs,
    work.then((result) => (ok = result)),
  )
  return done && ok
}

/**
 * The export queue's counters (summed over exporters that queue): size, capacity, enqueued,
 * sent, failed, dropped, success rate and drop rate. All zero before `init()` and for exporters
 * without a queue (memory, console). Counts are spans for OTLP (a trace is its root plus one
 * per span; `failed` counts spans whose export failed after OpenTelemetry's retries, `dropped`
 * spans refused because the queue was full), HTTP calls for the hosted HTTP API exporter (a
 * trace is at least two) and traces for the local store.
 *
 * @example
 * ```ts
 * const { dropped, failed } = tracium.getQueueStats()
 * ```
 */
export function getQueueStats(): QueueStats {
  return (
    peekClient()?.stats() ??
    withRates({ queueSize: 0, capacity: 0, enqueued: 0, sent: 0, failed: 0, dropped: 0 })
  )
}
