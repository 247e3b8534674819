/**
 * Retention: deletes whole old segments (and their sidecars) when the store is older or bigger
 * than allowed. Never a part of a file: a segment is the unit, so what is left reads as before.
 *
 * Only segments that cannot be written any more are deleted: closed ones (their writer wrote a
 * closed sidecar) and ones untouched for longer than `segmentMaxAgeMs` (a writer rotates before
 * it writes to a segment that old, so nothing will append to it). The pre-segment
 * `traces.jsonl` counts as a segment of the second kind.
 */
import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SEGMENTS_DIR, SIDECAR_SUFFIX, sidecarPath } from '../store-path.js'
import { listSegments, type SegmentFile } from './segments.js'
import { isClosed } from './sidecar.js'

/** What to keep. Unset limits keep everything. */
export interface RetentionLimits {
  /** Delete segments last written longer ago than this, in ms. */
  maxAgeMs?: number
  /** Delete the oldest segments while the store's files take more bytes than this. */
  maxBytes?: number
  /** How long a writer keeps a segment open (see the file comment). */
  segmentMaxAgeMs: number
}

/**
 * Applies `limits` to the store in `dir`, sparing `openSegment` (the caller's own). Returns the
 * deleted segments' paths, oldest first.
 * @example
 * ```ts
 * await applyRetention(dir, { maxAgeMs: 7 * 86_400_000, segmentMaxAgeMs: 3_600_000 }, Date.now(), null)
 * ```
 */
export async function applyRetention(
  dir: string,
  limits: RetentionLimits,
  now: number,
  openSegment: string | null,
): Promise<string[]> {
  if (limits.maxAgeMs === undefined && limits.maxBytes === undefined) return []
  let segments: SegmentFile[]
  try {
    segments = await listSegments(dir)
  } catch {
    return [] // no store yet
  }
  const sizes = new Map<string, number>()
  let total = 0
  for (const segment of segments) {
    const size = segment.size + (await sizeOf(sidecarPath(segment.path)))
    sizes.set(segment.path, size)
    total += size
  }
  const deleted: string[] = []
  for (const segment of segments) {
    if (segment.path === openSegment) continue
    const tooOld = limits.maxAgeMs !== undefined && segment.mtimeMs < now - limits.maxAgeMs
    const tooBig = limits.maxBytes !== undefined && total > limits.maxBytes
    if (!tooOld && !tooBig) continue
    const idle = segment.mtimeMs < now - limits.segmentMaxAgeMs
    if (!idle && !(await isClosed(sidecarPath(segment.path)))) continue
    // The segment first: a sidecar without its segment is an orphan, removed below.
    await rm(segment.path, { force: true })
    await rm(sidecarPath(segment.path), { force: true })
    total -= sizes.get(segment.path) ?? 0
    deleted.push(segment.path)
  }
  await removeOrphanSidecars(dir)
  return deleted
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

// Sidecars whose segment is gone: left by a crash between the two deletes above.
async function removeOrphanSidecars(dir: string): Promise<void> {
  const folder = join(dir, SEGMENTS_DIR)
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return
  }
  const present = new Set(names)
  for (const name of names) {
    if (name.endsWith(SIDECAR_SUFFIX) && !present.has(name.slice(0, -SIDECAR_SUFFIX.length))) {
      await rm(join(folder, name), { force: true })
    }
  }
}
