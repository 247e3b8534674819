/**
 * Flushing, shutting down and counting: the Python SDK's `flush`, `close` and `get_queue_stats`.
 */
import { peekClient, takeClient } from './init.js'
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
  return (await peekClient()?.flush(timeoutMs)) ?? true
}

/**
 * Stops per-request traces, flushes, and closes the exporters (the store's file, the queue).
 * Call it before the process exits; a later trace initializes the SDK afresh. Never throws.
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
  return (await takeClient()?.shutdown(timeoutMs)) ?? true
}

/**
 * The export queue's counters (summed over exporters that queue): size, capacity, enqueued,
 * sent, failed, dropped, success rate and drop rate. All zero before `init()` and for exporters
 * without a queue (memory, console). Counts are HTTP calls for the HTTP exporter (a trace is
 * at least two) and traces for the local store.
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
