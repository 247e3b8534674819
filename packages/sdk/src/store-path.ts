/**
 * Where the local store lives and how its files are named, shared by the writer (the exporter)
 * and the reader (the CLI, the dashboard).
 *
 * Layout of a store directory (see the README, "The local store"):
 *
 * ```text
 * <dir>/traces.jsonl                                    the single file of stores written before segments (read, never written)
 * <dir>/segments/<opened>-<writer>.jsonl                one segment: JSON lines, appended by one writer only
 * <dir>/segments/<opened>-<writer>.jsonl.rollup.json    its rollup sidecar (see store/sidecar.ts)
 * ```
 *
 * `<opened>` is the UTC time the segment was named, `20250131T120000123Z`: fixed width, so the
 * names sort in the order segments were opened. `<writer>` is the writing process's pid and a
 * random tag, unique per exporter instance.
 */
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'

/** The store's directory when neither an option nor `TRACIUM_DIR` names one. */
export const DEFAULT_STORE_DIR = '.tracium'

/** The single JSONL file of a store written before segments (still read). */
export const STORE_FILE = 'traces.jsonl'

/** The folder of segments inside the store's directory. */
export const SEGMENTS_DIR = 'segments'

/** Ends the name of a segment. */
export const SEGMENT_SUFFIX = '.jsonl'

/** Appended to a segment's file name to name its rollup sidecar. */
export const SIDECAR_SUFFIX = '.rollup.json'

// `<opened>-<writer>.jsonl`; the pattern is anchored and has no nested quantifier (linear).
const SEGMENT_NAME = /^\d{8}T\d{9}Z-[0-9a-z]+-[0-9a-f]{8}\.jsonl$/

/**
 * The absolute path of the store's directory: `dir`, else env `TRACIUM_DIR`, else `.tracium`
 * under the current working directory.
 * @example
 * ```ts
 * storeDir('/var/lib/app/.tracium') // '/var/lib/app/.tracium'
 * ```
 */
export function storeDir(dir?: string): string {
  return resolve(dir || process.env.TRACIUM_DIR || DEFAULT_STORE_DIR)
}

/**
 * The absolute path of the pre-segment store file (`traces.jsonl`) in the store's directory
 * (see {@link storeDir}).
 * @example
 * ```ts
 * storeFile('/var/lib/app/.tracium') // '/var/lib/app/.tracium/traces.jsonl'
 * ```
 */
export function storeFile(dir?: string): string {
  return join(storeDir(dir), STORE_FILE)
}

/**
 * A tag unique to one writer: its pid (base 36) and 4 random bytes.
 * @example
 * ```ts
 * newWriterId() // 'k3x-9f86d081'
 * ```
 */
export function newWriterId(): string {
  return `${process.pid.toString(36)}-${randomBytes(4).toString('hex')}`
}

/**
 * The file name of a segment opened at `openedMs` by `writerId`.
 * @example
 * ```ts
 * segmentName(Date.parse('2025-01-31T12:00:00.123Z'), 'k3x-9f86d081')
 * // '20250131T120000123Z-k3x-9f86d081.jsonl'
 * ```
 */
export function segmentName(openedMs: number, writerId: string): string {
  const stamp = new Date(openedMs).toISOString().replace(/[-:.]/g, '')
  return `${stamp}-${writerId}${SEGMENT_SUFFIX}`
}

/**
 * Whether `name` is a segment's file name (and not a sidecar, a temp file or a stranger's).
 * @example
 * ```ts
 * isSegmentName('20250131T120000123Z-k3x-9f86d081.jsonl') // true
 * ```
 */
export function isSegmentName(name: string): boolean {
  return SEGMENT_NAME.test(name)
}

/**
 * The sidecar's path of the segment at `segmentPath`.
 * @example
 * ```ts
 * sidecarPath('/s/segments/a.jsonl') // '/s/segments/a.jsonl.rollup.json'
 * ```
 */
export function sidecarPath(segmentPath: string): string {
  return `${segmentPath}${SIDECAR_SUFFIX}`
}
