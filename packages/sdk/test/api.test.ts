import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import pkg from '../package.json' with { type: 'json' }
import * as tracium from '../src/index.js'

describe('the public API', () => {
  it('reads like the Python SDK: import * as tracium', () => {
    const functions = [
      'init',
      'trace',
      'startTrace',
      'span',
      'currentTrace',
      'flush',
      'shutdown',
      'getQueueStats',
      'setTenant',
      'getCurrentTenant',
      'withTenant',
      'requireTenant',
      'captureTenant',
      'bindTenant',
      'memoryExporter',
      'consoleExporter',
      'localStore',
      'traciumHttpExporter',
      'readTraces',
    ]
    const api: Record<string, unknown> = { ...tracium }
    for (const name of functions) expect(typeof api[name]).toBe('function')
    expect('default' in api).toBe(false)
  })

  it('SDK_VERSION (sent in User-Agent) is the package version', () => {
    expect(tracium.SDK_VERSION).toBe(pkg.version)
  })

  it('the ESM and CJS builds loaded together share one trace context', async () => {
    // Built files (turbo builds before tests); a non-literal specifier keeps tsc off dist.
    const built = '../dist/index'
    const esm = (await import(`${built}.mjs`)) as typeof tracium
    const cjs = createRequire(import.meta.url)(`${built}.cjs`) as typeof tracium
    const memory = esm.memoryExporter()
    esm.init({ exporter: memory })
    try {
      esm.startTrace({ agentName: 'dual' }, () => {
        esm.span({ spanType: 'plan', name: 'esm' }, () => {
          cjs.span({ spanType: 'tool', name: 'cjs' }, () => {})
        })
      })
    } finally {
      await esm.shutdown()
    }
    const [outer, inner] = memory.traces[0]!.spans
    expect(inner?.name).toBe('cjs')
    expect(inner?.parentSpanId).toBe(outer?.id)
  })
})
