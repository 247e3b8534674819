/**
 * The dashboard's page: the files the build bundled into `dist/ui`, read once at start-up into
 * memory (a few hundred kB), so no request ever maps a URL onto the file system.
 */
import { readdir, readFile } from 'node:fs/promises'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One file of the page. */
export interface PageFile {
  body: Buffer
  type: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/**
 * Where the built page is: `dist/ui`, beside the bundled CLI (`import.meta.url` is shimmed in the
 * CJS build).
 * @example
 * ```ts
 * await loadPage(defaultPageDir())
 * ```
 */
export function defaultPageDir(): string {
  return fileURLToPath(new URL('./ui/', import.meta.url))
}

/**
 * Reads every file under `dir`, keyed by its URL path (`/index.html`, `/assets/app-1a2b.js`).
 * @throws when `dir` has no `index.html`, with how to fix it.
 * @example
 * ```ts
 * const files = await loadPage('/path/to/dist/ui')
 * files.get('/index.html')?.type // 'text/html; charset=utf-8'
 * ```
 */
export async function loadPage(dir: string): Promise<Map<string, PageFile>> {
  const files = new Map<string, PageFile>()
  let names: string[]
  try {
    names = await readdir(dir, { recursive: true })
  } catch {
    names = []
  }
  for (const name of names) {
    const type = TYPES[extname(name)]
    if (type === undefined) continue
    const path = join(dir, name)
    files.set(`/${relative(dir, path).split(sep).join('/')}`, { body: await readFile(path), type })
  }
  if (!files.has('/index.html')) {
    throw new Error(
      `the dashboard's page is missing from ${dir}: build @tracium/sdk (pnpm build) or reinstall it`,
    )
  }
  return files
}
