import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as tracium from '../src/index.js'
import { onCleanup, storedTraces, tempDir, useMemory, withEnv } from './helpers.js'
import { recordingServer } from './helpers-http.js'

function captureStderr(): string[] {
  const lines: string[] = []
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk))
    return true
  })
  onCleanup(() => spy.mockRestore())
  return lines
}

// Runs first in this file: the local-store notice is printed once per process.
describe('init() with no API key and no exporter', () => {
  it('writes to the local store in TRACIUM_DIR and says so once', async () => {
    const dir = await tempDir()
    withEnv({ TRACIUM_API_KEY: undefined, TRACIUM_DIR: dir })
    const stderr = captureStderr()
    tracium.init()
    tracium.init()
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({ agentName: 'local' }, () => {})
    await tracium.flush()
    const notices = stderr.filter((l) => l.includes('local store'))
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain(join(dir, 'segments'))
    expect(notices[0]).toContain('npx tracium report')
    const lines = await storedTraces(dir)
    expect(lines.map((l) => l.agentName)).toEqual(['local'])
  })

  it('the dir option wins over TRACIUM_DIR', async () => {
    const envDir = await tempDir()
    const dir = await tempDir()
    withEnv({ TRACIUM_API_KEY: undefined, TRACIUM_DIR: envDir })
    tracium.init({ dir })
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({}, () => {})
    await tracium.flush()
    expect(await storedTraces(dir)).toHaveLength(1)
    await expect(storedTraces(envDir)).rejects.toThrow(/ENOENT/)
  })

  it('the first trace initializes the SDK when init() was never called', async () => {
    const dir = await tempDir()
    withEnv({ TRACIUM_API_KEY: undefined, TRACIUM_DIR: dir })
    await tracium.shutdown() // no client at all
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({ agentName: 'auto' }, () => {})
    await tracium.flush()
    expect((await storedTraces(dir))[0]?.agentName).toBe('auto')
  })
})

describe('init() with an API key', () => {
  it('sends traces to TRACIUM_BASE_URL with TRACIUM_API_KEY', async () => {
    const server = await recordingServer(() => ({ status: 200, body: '{"id":"srv"}' }))
    withEnv({ TRACIUM_API_KEY: 'env-key', TRACIUM_BASE_URL: server.url })
    tracium.init()
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({ agentName: 'remote' }, () => {})
    expect(await tracium.flush()).toBe(true)
    expect(server.requests.map((r) => [r.path, r.headers['x-api-key']])).toEqual([
      ['/agents/traces', 'env-key'],
      ['/agents/traces/srv/complete', 'env-key'],
    ])
  })

  it('options win over the environment', async () => {
    const server = await recordingServer()
    withEnv({ TRACIUM_API_KEY: 'env-key', TRACIUM_BASE_URL: 'http://127.0.0.1:9' })
    tracium.init({ apiKey: 'option-key', baseUrl: `${server.url}/` })
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({}, () => {})
    await tracium.flush()
    expect(server.requests[0]?.headers['x-api-key']).toBe('option-key')
  })

  it('an exporter option wins over the API key', async () => {
    withEnv({ TRACIUM_API_KEY: 'env-key' })
    const memory = useMemory()
    tracium.startTrace({}, () => {})
    expect(memory.traces).toHaveLength(1)
    expect(tracium.getQueueStats().enqueued).toBe(0)
  })
})

describe('init() options', () => {
  it.each([
    ['defaultAgentName', { defaultAgentName: 'has/slash' }],
    ['defaultTags', { defaultTags: ['x'.repeat(129)] }],
    ['defaultMetadata', { defaultMetadata: [] as unknown as Record<string, unknown> }],
    ['defaultModelId', { defaultModelId: 'm'.repeat(257) }],
    ['defaultVersion', { defaultVersion: '' }],
    ['maxQueueSize', { maxQueueSize: 0 }],
    ['exporter', { exporter: {} as tracium.TraceExporter }],
  ])('rejects a bad %s when init is called', (_name, options) => {
    expect(() => tracium.init(options)).toThrow(tracium.TraciumError)
  })

  it('accepts several exporters and sends every trace to each', () => {
    const a = tracium.memoryExporter()
    const b = tracium.memoryExporter()
    tracium.init({ exporter: [a, b] })
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({}, () => {})
    expect([a.traces.length, b.traces.length]).toEqual([1, 1])
  })

  it('an exporter that throws does not reach the app', () => {
    const memory = tracium.memoryExporter()
    const broken: tracium.TraceExporter = {
      export() {
        throw new Error('disk on fire')
      },
    }
    tracium.init({ exporter: [broken, memory] })
    onCleanup(() => tracium.shutdown())
    expect(tracium.startTrace({}, () => 'fine')).toBe('fine')
    expect(memory.traces).toHaveLength(1)
  })

  it('a second init() leaves running traces with the configuration they started with', () => {
    const first = useMemory({ defaultAgentName: 'first' })
    const running = tracium.startTrace()
    const second = useMemory({ defaultAgentName: 'second' })
    tracium.startTrace({}, () => {})
    running.end()
    expect(first.traces.map((t) => t.agentName)).toEqual(['first'])
    expect(second.traces.map((t) => t.agentName)).toEqual(['second'])
  })
})

describe('init() again while traces run', () => {
  it('keeps the old exporters open until the traces started with them have ended', async () => {
    const dir = await tempDir()
    tracium.init({ exporter: tracium.localStore({ dir }) })
    const running = tracium.startTrace({ traceId: 'started-before' })
    tracium.init({ exporter: tracium.memoryExporter() })
    onCleanup(() => tracium.shutdown())
    running.end()
    const deadline = Date.now() + 5_000
    let ids: string[] = []
    while (!ids.includes('started-before') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      ids = (await storedTraces(dir).catch(() => [])).map((t) => t.id)
    }
    expect(ids).toContain('started-before')
  })
})

describe('flush(), shutdown(), getQueueStats()', () => {
  it('before init: zero counters, and flush() creates nothing', async () => {
    const dir = await tempDir()
    withEnv({ TRACIUM_API_KEY: undefined, TRACIUM_DIR: dir })
    await tracium.shutdown()
    expect(tracium.getQueueStats()).toEqual({
      queueSize: 0,
      capacity: 0,
      enqueued: 0,
      sent: 0,
      failed: 0,
      dropped: 0,
      successRate: 1,
      dropRate: 0,
    })
    expect(await tracium.flush()).toBe(true)
    await expect(storedTraces(dir)).rejects.toThrow(/ENOENT/)
  })

  it('counts the local store queue and resets after shutdown', async () => {
    const dir = await tempDir()
    withEnv({ TRACIUM_API_KEY: undefined })
    tracium.init({ dir, maxQueueSize: 50 })
    onCleanup(() => tracium.shutdown())
    for (let i = 0; i < 3; i++) tracium.startTrace({}, () => {})
    expect(tracium.getQueueStats()).toMatchObject({ enqueued: 3, capacity: 50 })
    await tracium.flush()
    expect(tracium.getQueueStats()).toMatchObject({ queueSize: 0, enqueued: 3, sent: 3 })
    expect(await tracium.shutdown()).toBe(true)
    expect(tracium.getQueueStats().enqueued).toBe(0)
  })
})
