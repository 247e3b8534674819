/**
 * Appends lines to the segments of one writer, rotating by size and age, and closes each
 * segment with its rollup sidecar.
 *
 * One writer owns its segments: no other process or exporter appends to them, so lines never
 * interleave whatever the file system, and the writer's rollup of what it wrote is exactly the
 * segment's content. Each segment is appended through one handle opened with O_APPEND; a batch
 * of lines is one buffer written whole (looping on short writes).
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReportTrace } from '../report/valid-trace.js'
import { newWriterId, SEGMENTS_DIR, segmentName, sidecarPath } from '../store-path.js'
import type { StoreLine } from './lines.js'
import { applyRetention, type RetentionLimits } from './retention.js'
import { type Sidecar, writeSidecar, writeSidecarSync } from './sidecar.js'

/** The rollup a writer keeps of its open segment. */
export interface SegmentRollup {
  addTrace(trace: ReportTrace): unknown
  /** The cells as stored in the sidecar. */
  toJSON(): unknown
}

/** Options of {@link SegmentWriter}. */
export interface SegmentWriterOptions {
  /** The store's directory (absolute). */
  dir: string
  /** Rotate before a write would take the segment past this many bytes. */
  segmentMaxBytes: number
  /** Rotate before writing to a segment opened longer ago than this. */
  segmentMaxAgeMs: number
  retention: Omit<RetentionLimits, 'segmentMaxAgeMs'>
  newRollup: () => SegmentRollup
  /** Told when retention failed; the write goes on. */
  onRetentionError: (error: unknown) => void
  /** The clock; tests move it. Default: `Date.now`. */
  now?: () => number
}

interface OpenSegment {
  readonly path: string
  readonly name: string
  readonly openedMs: number
  handle: FileHandle | null
  bytes: number
  lines: number
  skippedLines: number
  readonly rollup: SegmentRollup
  // A failed write may have left part of a batch: the rollup no longer matches the file, so
  // no sidecar is written for it (a reader rebuilds one from the lines).
  dirty: boolean
}

/**
 * The writer behind `localStore()`. Not safe for concurrent `append` calls: the store's queue
 * has one worker.
 * @example
 * ```ts
 * const writer = new SegmentWriter({ dir, segmentMaxBytes: 64 << 20, segmentMaxAgeMs: 3_600_000, retention: {}, newRollup })
 * await writer.append([toStoreLine(record)], encoded)
 * await writer.close()
 * ```
 */
export class SegmentWriter {
  readonly id = newWriterId()
  readonly #options: SegmentWriterOptions
  readonly #now: () => number
  #current: OpenSegment | null = null
  #writing = false
  // Two segments opened in one millisecond still get two names.
  #lastOpenedMs = Number.NEGATIVE_INFINITY

  constructor(options: SegmentWriterOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /** The segment being written; before the first write, the folder it will be opened in. */
  get file(): string {
    return this.#current?.path ?? join(this.#options.dir, SEGMENTS_DIR)
  }

  /** Appends `lines`, which `encoded` holds (each line's text and its `\n`, UTF-8). */
  async append(lines: readonly StoreLine[], encoded: Buffer): Promise<void> {
    this.#writing = true
    try {
      let segment = this.#current
      if (segment !== null && this.#mustRotate(segment, encoded.length)) {
        await this.#close(segment)
        segment = null
      }
      if (segment === null) segment = await this.#open()
      segment.handle ??= await open(segment.path, 'a')
      try {
        await writeAll(segment.handle, encoded)
      } catch (error) {
        segment.dirty = true
        throw error
      }
      this.#count(segment, lines, encoded.length)
    } finally {
      this.#writing = false
    }
  }

  /** Closes the open segment (writes its sidecar). Later appends open a new one. */
  async close(): Promise<void> {
    if (this.#current !== null) await this.#close(this.#current)
  }

  /**
   * For the process's `exit` hook: appends `lines` and closes the segment, synchronously.
   * When an async write is still under way its outcome is unknown, so no sidecar is written
   * (a reader rebuilds it).
   */
  closeSync(lines: readonly StoreLine[]): void {
    let segment = this.#current
    if (lines.length > 0) {
      if (segment === null) {
        segment = this.#newSegment()
        mkdirSync(join(this.#options.dir, SEGMENTS_DIR), { recursive: true })
      }
      const text = `${lines.map((line) => line.text).join('\n')}\n`
      appendFileSync(segment.path, text)
      this.#count(segment, lines, Buffer.byteLength(text))
    }
    if (segment === null || this.#writing || segment.dirty) return
    this.#current = null
    writeSidecarSync(sidecarPath(segment.path), this.#sidecar(segment), this.id)
  }

  #mustRotate(segment: OpenSegment, incoming: number): boolean {
    const { segmentMaxBytes, segmentMaxAgeMs } = this.#options
    return (
      segment.dirty ||
      (segment.bytes > 0 && segment.bytes + incoming > segmentMaxBytes) ||
      this.#now() - segment.openedMs >= segmentMaxAgeMs
    )
  }

  async #open(): Promise<OpenSegment> {
    const segment = this.#newSegment()
    await mkdir(join(this.#options.dir, SEGMENTS_DIR), { recursive: true })
    segment.handle = await open(segment.path, 'a')
    this.#current = segment
    await this.#retain(segment.path)
    return segment
  }

  #newSegment(): OpenSegment {
    const openedMs = Math.max(this.#now(), this.#lastOpenedMs + 1)
    this.#lastOpenedMs = openedMs
    const name = segmentName(openedMs, this.id)
    const segment: OpenSegment = {
      path: join(this.#options.dir, SEGMENTS_DIR, name),
      name,
      openedMs,
      handle: null,
      bytes: 0,
      lines: 0,
      skippedLines: 0,
      rollup: this.#options.newRollup(),
      dirty: false,
    }
    this.#current = segment
    return segment
  }

  #count(segment: OpenSegment, lines: readonly StoreLine[], bytes: number): void {
    segment.bytes += bytes
    for (const { report } of lines) {
      segment.lines++
      // What a reader of the line sees (toStoreLine), so the sidecar matches the lines.
      if (report === null) segment.skippedLines++
      else segment.rollup.addTrace(report)
    }
  }

  async #close(segment: OpenSegment): Promise<void> {
    this.#current = null
    const handle = segment.handle
    segment.handle = null
    await handle?.close()
    // Retention (another process's) may have deleted an idle segment: no sidecar for it.
    if (segment.dirty || !(await exists(segment.path))) return
    await writeSidecar(sidecarPath(segment.path), this.#sidecar(segment), this.id)
  }

  #sidecar(segment: OpenSegment): Sidecar {
    return {
      closed: true,
      segment: segment.name,
      bytes: segment.bytes,
      lines: segment.lines,
      skippedLines: segment.skippedLines,
      cells: segment.rollup.toJSON(),
    }
  }

  async #retain(openSegment: string): Promise<void> {
    const { dir, retention, segmentMaxAgeMs } = this.#options
    try {
      await applyRetention(dir, { ...retention, segmentMaxAgeMs }, this.#now(), openSegment)
    } catch (error) {
      this.#options.onRetentionError(error)
    }
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset)
    offset += bytesWritten
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
