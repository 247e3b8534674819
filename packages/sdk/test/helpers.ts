import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import * as tracium from '../src/index.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Runs `fn` after the current test, last registered first. */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn)
}

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracium-sdk-'))
  onCleanup(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** `init` with a memory exporter (plus `options`); shut down after the test. */
export function useMemory(options: tracium.TraciumOptions = {}): tracium.MemoryExporter {
  const memory = tracium.memoryExporter()
  tracium.init({ ...options, exporter: memory })
  onCleanup(() => tracium.shutdown())
  return memory
}

/** Sets environment variables for one test. */
export function withEnv(vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  onCleanup(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })
}

/** Resolves after `n` turns of the event loop, to interleave concurrent work. */
export async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** Every trace of the local store in `dir`, whatever its layout (segments, store-path.ts). */
export async function storedTraces(dir: string): Promise<tracium.TraceRecord[]> {
  const traces: tracium.TraceRecord[] = []
  for await (const trace of tracium.readTraces({ dir })) traces.push(trace)
  return traces
}
