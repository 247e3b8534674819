/**
 * The rollup sidecar of a segment: `<segment>.rollup.json`, one JSON object.
 *
 * ```json
 * {"format":"tracium-rollup","version":1,"closed":true,"segment":"20250131T120000123Z-k3x-9f86d081.jsonl",
 *  "bytes":67108412,"lines":50113,"skippedLines":0,"cells":…}
 * ```
 *
 * - `bytes`: the prefix of the segment it covers, always up to a line end. A segment only grows
 *   (append-only), so a sidecar stays true for its prefix whatever is appended later: a reader
 *   uses the cells and reads only the lines after `bytes`.
 * - `lines` / `skippedLines`: non-empty lines in the prefix, and those that were not a trace.
 * - `closed`: written by the segment's writer when it rotated or shut down; a reader that
 *   rebuilds a sidecar writes `closed: false`. Retention deletes closed segments first.
 * - `cells`: the rollup of the prefix's traces (report/rollup.ts, its own format).
 *
 * Written to a temp file and renamed over the old one, so a reader sees a whole sidecar or the
 * previous one. A sidecar that does not parse, has another version, names another segment or
 * covers more bytes than the segment has is ignored and rebuilt from the segment's lines.
 */
import { renameSync, writeFileSync } from 'node:fs'
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises'

/** The `format` field of every sidecar. */
export const SIDECAR_FORMAT = 'tracium-rollup'

/** The sidecar version this SDK writes and reads; another version is rebuilt. */
export const SIDECAR_VERSION = 1

/** A sidecar's content, cells still encoded. */
export interface Sidecar {
  closed: boolean
  /** The segment's file name. */
  segment: string
  bytes: number
  lines: number
  skippedLines: number
  /** The rollup's own serialised form. */
  cells: unknown
}

/**
 * The sidecar as JSON, header fields first (retention reads only the head, see {@link isClosed}).
 * @example
 * ```ts
 * serializeSidecar({ closed: true, segment: 'a.jsonl', bytes: 0, lines: 0, skippedLines: 0, cells: [] })
 * ```
 */
export function serializeSidecar(sidecar: Sidecar): string {
  const { closed, segment, bytes, lines, skippedLines, cells } = sidecar
  return JSON.stringify({
    format: SIDECAR_FORMAT,
    version: SIDECAR_VERSION,
    closed,
    segment,
    bytes,
    lines,
    skippedLines,
    cells,
  })
}

/**
 * Reads the sidecar at `path` for the segment named `segment` of `size` bytes; `null` when it
 * is missing, torn, of another version or not about this segment (then rebuild it).
 * @example
 * ```ts
 * const sidecar = await readSidecar(sidecarPath(segment.path), segment.name, segment.size)
 * ```
 */
export async function readSidecar(
  path: string,
  segment: string,
  size: number,
): Promise<Sidecar | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return null
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  return asSidecar(value, segment, size)
}

function asSidecar(value: unknown, segment: string, size: number): Sidecar | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const counts = [v.bytes, v.lines, v.skippedLines]
  if (
    v.format !== SIDECAR_FORMAT ||
    v.version !== SIDECAR_VERSION ||
    v.segment !== segment ||
    typeof v.closed !== 'boolean' ||
    !counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) ||
    (v.bytes as number) > size ||
    !('cells' in v)
  ) {
    return null
  }
  return {
    closed: v.closed,
    segment,
    bytes: v.bytes as number,
    lines: v.lines as number,
    skippedLines: v.skippedLines as number,
    cells: v.cells,
  }
}

/**
 * Writes a sidecar atomically: a temp file in the same folder, then a rename over `path`.
 * @example
 * ```ts
 * await writeSidecar(sidecarPath(segmentPath), sidecar, writerId)
 * ```
 */
export function writeSidecar(path: string, sidecar: Sidecar, tag: string): Promise<void> {
  return writeFileAtomic(path, serializeSidecar(sidecar), tag)
}

/**
 * Writes `text` to `path` through a temp file (named with `tag`) renamed over it, so a reader
 * sees the whole new file or the old one.
 * @example
 * ```ts
 * await writeFileAtomic('/s/rollup-days.json', JSON.stringify(cache), 'reader-1')
 * ```
 */
export async function writeFileAtomic(path: string, text: string, tag: string): Promise<void> {
  const temp = `${path}.${tag}.tmp`
  try {
    await writeFile(temp, text)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

/**
 * {@link writeSidecar}, synchronously (for a process's `exit` hook).
 * @example
 * ```ts
 * writeSidecarSync(sidecarPath(segmentPath), sidecar, writerId)
 * ```
 */
export function writeSidecarSync(path: string, sidecar: Sidecar, tag: string): void {
  const temp = `${path}.${tag}.tmp`
  writeFileSync(temp, serializeSidecar(sidecar))
  renameSync(temp, path)
}

const CLOSED_HEAD = `{"format":"${SIDECAR_FORMAT}","version":${SIDECAR_VERSION},"closed":true,`

/**
 * Whether the sidecar at `path` was written by its segment's writer on close, from its first
 * bytes only (a sidecar can be megabytes; retention asks this of every segment).
 * @example
 * ```ts
 * if (await isClosed(sidecarPath(segment.path))) await rm(segment.path)
 * ```
 */
export async function isClosed(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r')
    try {
      const head = Buffer.alloc(CLOSED_HEAD.length)
      const { bytesRead } = await handle.read(head, 0, head.length, 0)
      return bytesRead === head.length && head.toString('utf8') === CLOSED_HEAD
    } finally {
      await handle.close()
    }
  } catch {
    return false
  }
}
