/**
 * The files of a store directory, oldest first, and a line scanner that knows byte offsets (a
 * rollup sidecar covers a prefix of its segment up to a line end, and the rest is read as lines).
 */
import { type Stats, statSync } from 'node:fs'
import { open, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isSegmentName, SEGMENTS_DIR, STORE_FILE } from '../store-path.js'

/** One file of traces in a store. */
export interface SegmentFile {
  /** Absolute path. */
  readonly path: string
  /** File name (the sidecar checks it). */
  readonly name: string
  /** The pre-segment `traces.jsonl`. */
  readonly legacy: boolean
  /** Bytes when listed. */
  readonly size: number
  readonly mtimeMs: number
}

/**
 * The store's files: the pre-segment `traces.jsonl` first (it holds the oldest traces), then the
 * segments in the order they were opened.
 *
 * @throws an `ENOENT` error naming `dir` when it holds neither (there is no store yet).
 * @example
 * ```ts
 * for (const segment of await listSegments('/srv/.tracium')) console.log(segment.name, segment.size)
 * ```
 */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  const files: SegmentFile[] = []
  const legacy = await statOrNull(join(dir, STORE_FILE))
  if (legacy?.isFile()) files.push(segmentFile(join(dir, STORE_FILE), STORE_FILE, true, legacy))
  let names: string[] | null = null
  try {
    names = await readdir(join(dir, SEGMENTS_DIR))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (names === null && files.length === 0) {
    throw Object.assign(new Error(`ENOENT: no local store at ${dir}`), {
      code: 'ENOENT',
      path: dir,
    })
  }
  for (const name of (names ?? []).filter(isSegmentName).sort()) {
    const path = join(dir, SEGMENTS_DIR, name)
    const stats = await statOrNull(path)
    // Retention may delete a segment between readdir and stat.
    if (stats?.isFile()) files.push(segmentFile(path, name, false, stats))
  }
  return files
}

/**
 * Whether `dir` holds a store (a `traces.jsonl` or a `segments` folder).
 * @example
 * ```ts
 * if (!hasStore(dir)) console.error(`no store at ${dir}`)
 * ```
 */
export function hasStore(dir: string): boolean {
  for (const path of [join(dir, STORE_FILE), join(dir, SEGMENTS_DIR)]) {
    try {
      statSync(path)
      return true
    } catch {}
  }
  return false
}

function segmentFile(path: string, name: string, legacy: boolean, stats: Stats): SegmentFile {
  return { path, name, legacy, size: stats.size, mtimeMs: stats.mtimeMs }
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** The state of a {@link lineBatches} scan, filled in as it reads. */
export interface LineScan {
  /** Offset just past the last `\n` read: the prefix of whole lines. */
  covered: number
  /** A last fragment without `\n` (a write torn by a crash, or one under way), once at the end. */
  tail: string | null
}

// Large reads: splitting lines, not the disk, is the cost; 1 MiB chunks cut it ~15 %.
const CHUNK_BYTES = 1 << 20
const NEWLINE = 0x0a

/**
 * The lines from byte `start` (a line start) to `end` (a line end; default: the end of the file), without their `\n`, one
 * array per read of 1 MiB; empty lines are left out. Lines are split on bytes, so a multi-byte
 * character across two reads is decoded whole. A last fragment without `\n` is not yielded but
 * left in `scan.tail`.
 * @example
 * ```ts
 * const scan = { covered: 0, tail: null }
 * for await (const lines of lineBatches(segment.path, 0, scan)) count += lines.length
 * ```
 */
export async function* lineBatches(
  path: string,
  start: number,
  scan: LineScan,
  end = Number.POSITIVE_INFINITY,
): AsyncGenerator<string[]> {
  scan.covered = start
  scan.tail = null
  const handle = await open(path, 'r')
  try {
    let position = start
    let carry: Buffer | null = null
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    for (;;) {
      const want = Math.min(CHUNK_BYTES, end - position)
      if (want <= 0) break
      const { bytesRead } = await handle.read(chunk, 0, want, position)
      if (bytesRead === 0) break
      position += bytesRead
      let data = chunk.subarray(0, bytesRead)
      if (carry !== null) {
        data = Buffer.concat([carry, data])
        carry = null
      }
      const lines: string[] = []
      let from = 0
      for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, from)) {
        if (nl > from) lines.push(data.toString('utf8', from, nl))
        from = nl + 1
      }
      // The unfinished line is copied: the chunk buffer is reused by the next read.
      if (from < data.length) carry = Buffer.from(data.subarray(from))
      scan.covered = position - (carry?.length ?? 0)
      if (lines.length > 0) yield lines
    }
    scan.tail = carry === null ? null : carry.toString('utf8')
  } finally {
    await handle.close()
  }
}
