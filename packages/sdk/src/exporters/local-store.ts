/**
 * The embedded local store: traces appended as JSON lines to segments under `<dir>/segments`,
 * each closed segment with a rollup sidecar, so the SDK works with no account and no server,
 * and `tracium report` reads rollups instead of every line (layout: `store-path.ts`, writer:
 * `store/segment-writer.ts`, sidecar: `store/sidecar.ts`).
 *
 * Crash safety, by construction:
 * - One line per trace, written whole: lines are joined into one buffer and appended through a
 *   single file handle opened with O_APPEND, by one queue worker, so lines of concurrent traces
 *   never interleave. Each exporter writes its own segments: two processes (or two exporters)
 *   on one directory never append to the same file.
 * - A crash can tear only the last line of the segment being written. The reader skips and
 *   counts a line that does not parse; a segment without a valid sidecar is rolled up from its
 *   lines, so a torn or missing sidecar is rebuilt.
 * - On `process.exit()`, lines still queued are written synchronously and the segment closed.
 */
import { invalidArgument } from '../errors.js'
import { DeliveryQueue } from '../queue.js'
import { Rollup } from '../report/rollup.js'
import { type StoreLine, toStoreLine } from '../store/lines.js'
import { SegmentWriter } from '../store/segment-writer.js'
import { storeDir } from '../store-path.js'
import { warnOnce } from '../warn.js'
import type { TraceExporter } from './exporter.js'

/**
 * Options of {@link localStore}.
 * @example
 * ```ts
 * localStore({ dir: '/var/lib/app/.tracium', retentionMaxAgeMs: 30 * 86_400_000 })
 * ```
 */
export interface LocalStoreOptions {
  /** Directory of the store. Default: env `TRACIUM_DIR`, else `.tracium` in the working directory. */
  dir?: string
  /** Most traces waiting to be written; more are dropped and counted. Default: `10000`. */
  maxQueueSize?: number
  /**
   * How long finished traces wait to share one write, in milliseconds. `flush()`, `shutdown()`
   * and process exit write at once; a crash (SIGKILL) loses at most this much. Default: `50`.
   */
  lingerMs?: number
  /** Called when a batch of lines could not be written. Default: one process warning. */
  onError?: (error: unknown) => void
  /**
   * A segment is closed (its sidecar written) and a new one opened before a write would take
   * it past this many bytes. The report reads the open segment line by line, so this bounds
   * that part of its work. Default: `67108864` (64 MiB, about 50,000 traces of 1.3 kB).
   */
  segmentMaxBytes?: number
  /**
   * A segment open longer than this, in ms, is closed before the next write (an idle writer
   * closes it at shutdown or exit). Default: `3600000` (one hour).
   */
  segmentMaxAgeMs?: number
  /**
   * Retention by age, in ms: when a segment is opened, whole segments last written longer ago
   * than this are deleted. At least `segmentMaxAgeMs`. Default: none (keep everything).
   */
  retentionMaxAgeMs?: number
  /**
   * Retention by size, in bytes: when a segment is opened, the oldest whole segments are
   * deleted while the store's files take more than this. Default: none (keep everything).
   */
  retentionMaxBytes?: number
}

/** The exporter returned by {@link localStore}. */
export interface LocalStoreExporter extends Required<TraceExporter> {
  /** Absolute path of the store's directory. */
  readonly dir: string
  /**
   * Absolute path of the segment being written; before the first write, of the `segments`
   * folder it will be created in.
   */
  readonly file: string
}

// Lines per write: large enough to amortize the syscall, small enough to bound the buffer.
const MAX_LINES_PER_WRITE = 1000
// At 20,000 traces a second a write every 50 ms carries 1,000 lines; without a wait, a busy
// server wrote every few lines and paid a thread-pool round trip for each.
const DEFAULT_LINGER_MS = 50
const DEFAULT_SEGMENT_MAX_BYTES = 64 * 1024 * 1024
const DEFAULT_SEGMENT_MAX_AGE_MS = 3_600_000

/**
 * The local store exporter, the default when there is no API key and no exporter.
 *
 * @throws {TraciumError} `INVALID_ARGUMENT` for a negative or non-numeric `lingerMs`, a
 *   segment or retention limit that is not a positive number, or a `retentionMaxAgeMs` below
 *   `segmentMaxAgeMs`.
 * @example
 * ```ts
 * tracium.init({ exporter: tracium.localStore({ dir: '/var/lib/my-app/.tracium' }) })
 * // later: npx tracium report --dir /var/lib/my-app/.tracium
 * ```
 */
export function localStore(options: LocalStoreOptions = {}): LocalStoreExporter {
  const dir = storeDir(options.dir)
  const encoder = new LineEncoder()
  const lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS
  if (!Number.isFinite(lingerMs) || lingerMs < 0) {
    throw invalidArgument(`lingerMs must be a non-negative number, got ${String(lingerMs)}.`)
  }
  const segmentMaxBytes = positive(options, 'segmentMaxBytes') ?? DEFAULT_SEGMENT_MAX_BYTES
  const segmentMaxAgeMs = positive(options, 'segmentMaxAgeMs') ?? DEFAULT_SEGMENT_MAX_AGE_MS
  const maxAgeMs = positive(options, 'retentionMaxAgeMs')
  const maxBytes = positive(options, 'retentionMaxBytes')
  if (maxAgeMs !== undefined && maxAgeMs < segmentMaxAgeMs) {
    // A shorter retention could delete a segment its writer still appends to.
    throw invalidArgument(
      `retentionMaxAgeMs (${maxAgeMs}) must be at least segmentMaxAgeMs (${segmentMaxAgeMs}); ` +
        'raise it or lower segmentMaxAgeMs.',
    )
  }
  const writer = new SegmentWriter({
    dir,
    segmentMaxBytes,
    segmentMaxAgeMs,
    retention: {
      ...(maxAgeMs !== undefined && { maxAgeMs }),
      ...(maxBytes !== undefined && { maxBytes }),
    },
    newRollup: () => new Rollup(),
    onRetentionError: (error) =>
      warnOnce(
        'TRACIUM_EXPORT_FAILED',
        `@tracium/sdk: local store retention could not delete old segments in ${dir}: ${String(error)}`,
      ),
  })

  const queue = new DeliveryQueue<StoreLine>({
    capacity: options.maxQueueSize ?? 10_000,
    maxBatch: MAX_LINES_PER_WRITE,
    lingerMs,
    deliver: (lines) => writer.append(lines, encoder.encode(lines)),
    ...(options.onError && { onError: options.onError }),
  })
  const pending = { writer, queue }
  exitWriter.track(pending)

  return {
    dir,
    get file() {
      return writer.file
    },
    export(trace) {
      queue.push([toStoreLine(trace)])
    },
    flush: (timeoutMs) => queue.drain(timeoutMs),
    async shutdown(timeoutMs) {
      const drained = await queue.close(timeoutMs)
      exitWriter.untrack(pending)
      await writer.close()
      return drained
    },
    stats: () => queue.stats(),
  }
}

type LimitName = 'segmentMaxBytes' | 'segmentMaxAgeMs' | 'retentionMaxAgeMs' | 'retentionMaxBytes'

function positive(options: LocalStoreOptions, name: LimitName): number | undefined {
  const value = options[name]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(`${name} must be a positive number, got ${String(value)}.`)
  }
  return value
}

/**
 * Encodes a batch of lines into one reused buffer. Joining a batch into one string and copying
 * that into a new Buffer made two large allocations per write, and under load the store cost
 * a server several µs a request more than serializing the traces did (bench/README.md).
 * One worker writes at a time, so one buffer serves every batch.
 */
class LineEncoder {
  static readonly INITIAL_BYTES = 64 * 1024
  // A burst of huge traces grows the buffer; it is not kept past this.
  static readonly MAX_KEPT_BYTES = 4 * 1024 * 1024
  #buffer = Buffer.allocUnsafeSlow(LineEncoder.INITIAL_BYTES)

  /** The lines' texts, each ended by `\n`, as UTF-8; valid until the next call. */
  encode(lines: readonly StoreLine[]): Buffer {
    if (this.#buffer.length > LineEncoder.MAX_KEPT_BYTES) {
      this.#buffer = Buffer.allocUnsafeSlow(LineEncoder.INITIAL_BYTES)
    }
    let offset = 0
    for (const { text } of lines) {
      // At most 3 bytes per UTF-16 unit, plus the newline.
      const room = text.length * 3 + 1
      if (offset + room > this.#buffer.length) this.#grow(offset, offset + room)
      offset += this.#buffer.write(text, offset)
      this.#buffer[offset++] = 0x0a
    }
    return this.#buffer.subarray(0, offset)
  }

  #grow(used: number, needed: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(needed, this.#buffer.length * 2))
    this.#buffer.copy(bigger, 0, 0, used)
    this.#buffer = bigger
  }
}

interface PendingLines {
  readonly writer: SegmentWriter
  readonly queue: DeliveryQueue<StoreLine>
}

// One 'exit' listener for every store in the process (not one each, which would trip Node's
// MaxListeners warning in apps and tests that create many).
const exitWriter = {
  stores: new Set<PendingLines>(),
  listening: false,
  track(store: PendingLines) {
    this.stores.add(store)
    if (this.listening) return
    this.listening = true
    process.on('exit', () => {
      for (const { writer, queue } of this.stores) {
        try {
          // Sync: 'exit' listeners cannot wait.
          writer.closeSync(queue.takeQueued())
        } catch {
          // Nothing left to report to; the lines are lost as they would be without this hook.
        }
      }
    })
  },
  untrack(store: PendingLines) {
    this.stores.delete(store)
  },
}
