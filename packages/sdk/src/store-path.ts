/**
 * Where the local store lives, shared by the writer (the exporter) and the reader (the CLI).
 */
import { join, resolve } from 'node:path'

/** The store's directory when neither an option nor `TRACIUM_DIR` names one. */
export const DEFAULT_STORE_DIR = '.tracium'

/** The JSONL file inside the store's directory. */
export const STORE_FILE = 'traces.jsonl'

/**
 * The absolute path of the store file: in `dir`, else in env `TRACIUM_DIR`, else in `.tracium`
 * under the current working directory.
 * @example
 * ```ts
 * storeFile('/var/lib/app/.tracium') // '/var/lib/app/.tracium/traces.jsonl'
 * ```
 */
export function storeFile(dir?: string): string {
  return join(resolve(dir || process.env.TRACIUM_DIR || DEFAULT_STORE_DIR), STORE_FILE)
}
