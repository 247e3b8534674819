/**
 * Reads the local store line by line (a file stream through readline), so memory stays bounded
 * whatever the file's size. A line that does not parse as a trace, such as the torn last line a
 * crash can leave, is skipped and counted, never fatal.
 */
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { TraceRecord } from '../records.js'
import { storeFile } from '../store-path.js'

/** Options of {@link readTraces}. */
export interface ReadTracesOptions {
  /** Directory of the store. Default: env `TRACIUM_DIR`, else `.tracium`. */
  dir?: string
}

/** The traces of a local store, in the order they were written (the order they ended). */
export interface TraceReader extends AsyncIterable<TraceRecord> {
  /** Absolute path of the file read. */
  readonly file: string
  /** Lines skipped so far because they were not a whole trace (e.g. torn by a crash). */
  readonly skippedLines: number
}

/**
 * Streams the traces of the local store.
 *
 * @throws (while iterating) the file system's error, e.g. `ENOENT` when there is no store yet.
 * @example
 * ```ts
 * const reader = tracium.readTraces({ dir: '.tracium' })
 * for await (const trace of reader) if (trace.status === 'failed') console.log(trace.id)
 * console.log(`${reader.skippedLines} torn lines skipped`)
 * ```
 */
export function readTraces(options: ReadTracesOptions = {}): TraceReader {
  const file = storeFile(options.dir)
  let skippedLines = 0
  return {
    file,
    get skippedLines() {
      return skippedLines
    },
    async *[Symbol.asyncIterator]() {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
      for await (const line of lines) {
        if (line.length === 0) continue
        const record = parseRecord(line)
        if (record === null) skippedLines++
        else yield record
      }
    },
  }
}

function parseRecord(line: string): TraceRecord | null {
  try {
    const value = JSON.parse(line) as Partial<TraceRecord> | null
    // A torn line cannot parse (a record only closes at its last byte); the shape check guards
    // against foreign lines.
    return typeof value === 'object' && value !== null && typeof value.id === 'string'
      ? (value as TraceRecord)
      : null
  } catch {
    return null
  }
}
