/**
 * The embedded local store: traces appended as JSON lines to `.tracium/traces.jsonl`, so the SDK
 * works with no account and no server, and `tracium report` can read them.
 *
 * Crash safety, by construction:
 * - One line per trace, written whole: lines are joined into one buffer and appended through a
 *   single file handle opened with O_APPEND, by one queue worker, so lines of concurrent traces
 *   never interleave.
 * - A crash can tear only the last line (a write cut short). The reader skips and counts a line
 *   that does not parse, and the next writer first ends a torn tail with a newline, so its own
 *   first line is never glued onto the fragment.
 * - On `process.exit()`, lines still queued are written synchronously.
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { type FileHandle, mkdir, open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { invalidArgument } from '../errors.js'
import { safeStringify } from '../json.js'
import { DeliveryQueue } from '../queue.js'
import type { TraceRecord } from '../records.js'
import { storeFile } from '../store-path.js'
import type { TraceExporter } from './exporter.js'

/**
 * Options of {@link localStore}.
 * @example
 * ```ts
 * localStore({ dir: '/var/lib/app/.tracium', maxQueueSize: 50_000 })
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
}

/** The exporter returned by {@link localStore}. */
export interface LocalStoreExporter extends Required<TraceExporter> {
  /** Absolute path of the JSONL file. */
  readonly file: string
}

// Lines per write: large enough to amortize the syscall, small enough to bound the buffer.
const MAX_LINES_PER_WRITE = 1000
// At 20,000 traces a second a write every 50 ms carries 1,000 lines; without a wait, a busy
// server wrote every few lines and paid a thread-pool round trip for each.
const DEFAULT_LINGER_MS = 50

/**
 * The local store exporter, the default when there is no API key and no exporter.
 *
 * @throws {TraciumError} `INVALID_ARGUMENT` for a negative or non-numeric `lingerMs`.
 * @example
 * ```ts
 * tracium.init({ exporter: tracium.localStore({ dir: '/var/lib/my-app/.tracium' }) })
 * // later: npx tracium report --dir /var/lib/my-app/.tracium
 * ```
 */
export function localStore(options: LocalStoreOptions = {}): LocalStoreExporter {
  const file = storeFile(options.dir)
  const encoder = new LineEncoder()
  const lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS
  if (!Number.isFinite(lingerMs) || lingerMs < 0) {
    throw invalidArgument(`lingerMs must be a non-negative number, got ${String(lingerMs)}.`)
  }
  let handle: Promise<FileHandle> | null = null

  async function append(lines: string[]): Promise<void> {
    handle ??= openForAppend(file)
    let h: FileHandle
    try {
      h = await handle
    } catch (error) {
      handle = null // try to open again with the next batch
      throw error
    }
    await writeAll(h, encoder.encode(lines))
  }

  const queue = new DeliveryQueue<string>({
    capacity: options.maxQueueSize ?? 10_000,
    maxBatch: MAX_LINES_PER_WRITE,
    lingerMs,
    deliver: append,
    ...(options.onError && { onError: options.onError }),
  })
  const pending = { file, queue }

  return {
    file,
    export(trace) {
      exitWriter.track(pending)
      queue.push([toLine(trace)])
    },
    flush: (timeoutMs) => queue.drain(timeoutMs),
    async shutdown(timeoutMs) {
      const drained = await queue.close(timeoutMs)
      exitWriter.untrack(pending)
      const h = handle
      handle = null
      await (await h?.catch(() => null))?.close()
      return drained
    },
    stats: () => queue.stats(),
  }
}

// JSON leaves U+2028 and U+2029 unescaped, and Node 24's readline ends lines at them: escape
// them so a line is a line for every reader. `\u2028` parses back to the same string.
const LINE_SEPARATORS = /[\u2028\u2029]/g

function toLine(trace: TraceRecord): string {
  return safeStringify(trace).replace(LINE_SEPARATORS, (c) =>
    c === '\u2028' ? '\\u2028' : '\\u2029',
  )
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

  /** The lines, each ended by `\n`, as UTF-8; valid until the next call. */
  encode(lines: readonly string[]): Buffer {
    if (this.#buffer.length > LineEncoder.MAX_KEPT_BYTES) {
      this.#buffer = Buffer.allocUnsafeSlow(LineEncoder.INITIAL_BYTES)
    }
    let offset = 0
    for (const line of lines) {
      // At most 3 bytes per UTF-16 unit, plus the newline.
      const room = line.length * 3 + 1
      if (offset + room > this.#buffer.length) this.#grow(offset, offset + room)
      offset += this.#buffer.write(line, offset)
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

async function openForAppend(file: string): Promise<FileHandle> {
  await mkdir(dirname(file), { recursive: true })
  // a+: append, and read the last byte to detect a torn tail.
  const handle = await open(file, 'a+')
  try {
    const { size } = await handle.stat()
    if (size > 0) {
      const last = Buffer.alloc(1)
      await handle.read(last, 0, 1, size - 1)
      // A previous process died mid-line: end the fragment so it stays one skipped line.
      if (last[0] !== 0x0a) await writeAll(handle, Buffer.from('\n'))
    }
  } catch (error) {
    await handle.close()
    throw error
  }
  return handle
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset)
    offset += bytesWritten
  }
}

interface PendingLines {
  readonly file: string
  readonly queue: DeliveryQueue<string>
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
      for (const { file, queue } of this.stores) {
        const lines = queue.takeQueued()
        if (lines.length === 0) continue
        try {
          // Sync: 'exit' listeners cannot wait. appendFileSync opens with O_APPEND too. The
          // directory may not exist yet when the process exits before the first write.
          mkdirSync(dirname(file), { recursive: true })
          appendFileSync(file, `${lines.join('\n')}\n`)
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
