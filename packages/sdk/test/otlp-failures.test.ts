import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { onCleanup, withEnv } from './helpers.js'
import { receiver } from './otlp.js'

// The exporter's retries stop at its timeout; 3 s keeps a dead receiver's test short.
const ENV = {
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_HEADERS: undefined,
  OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
  TRACIUM_API_KEY: undefined,
}

function traceSome(n: number): void {
  for (let i = 0; i < n; i++) {
    // The app's own results come back untouched whatever the receiver does.
    const value = tracium.startTrace({ agentName: 'job' }, () => i)
    expect(value).toBe(i)
  }
}

/** A port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const server = http.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

describe('OTLP when the receiver misbehaves: the app never sees an error', () => {
  it('a 429 is retried, and the spans arrive', async () => {
    const otlp = await receiver((n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200 },
    )
    withEnv(ENV)
    tracium.init({ endpoint: otlp.url })
    onCleanup(() => tracium.shutdown())
    traceSome(3)
    expect(await tracium.flush()).toBe(true)
    expect(otlp.requests.map((r) => r.status)).toEqual([429, 200])
    expect(otlp.spans).toHaveLength(3)
    expect(tracium.getQueueStats()).toMatchObject({ enqueued: 3, sent: 3, failed: 0, dropped: 0 })
  })

  it('a 500 (not retryable in OTLP) fails the batch and is counted', async () => {
    const otlp = await receiver(() => ({ status: 500 }))
    withEnv(ENV)
    tracium.init({ endpoint: otlp.url })
    onCleanup(() => tracium.shutdown())
    traceSome(2)
    expect(await tracium.flush()).toBe(false)
    expect(otlp.requests).toHaveLength(1)
    expect(tracium.getQueueStats()).toMatchObject({ enqueued: 2, sent: 0, failed: 2, queueSize: 0 })
  })

  it('a receiver that is down: retried until the timeout, then counted as failed', async () => {
    withEnv(ENV)
    tracium.init({ endpoint: `http://127.0.0.1:${await deadPort()}` })
    onCleanup(() => tracium.shutdown())
    traceSome(2)
    expect(await tracium.flush()).toBe(false)
    expect(tracium.getQueueStats()).toMatchObject({ enqueued: 2, sent: 0, failed: 2 })
  })

  it('a slow receiver: the bounded queue drops and counts what does not fit', async () => {
    let answered = 0
    const otlp = await receiver(() => ({ status: 200, delayMs: answered++ === 0 ? 1_500 : 0 }))
    withEnv(ENV)
    tracium.init({ endpoint: otlp.url, maxQueueSize: 4 })
    onCleanup(() => tracium.shutdown())
    traceSome(4) // a full batch: sent at once, and held by the slow answer
    await otlp.waitForRequests((requests) => requests.length === 1)
    traceSome(10) // the queue (4, in flight included) is full
    const during = tracium.getQueueStats()
    expect(during).toMatchObject({ enqueued: 4, dropped: 10, capacity: 4 })
    expect(during.dropRate).toBeCloseTo(10 / 14)
    expect(await tracium.flush()).toBe(true)
    expect(otlp.spans).toHaveLength(4)
    traceSome(2) // room again once the slow answer came
    expect(await tracium.flush()).toBe(true)
    expect(tracium.getQueueStats()).toMatchObject({ enqueued: 6, sent: 6, dropped: 10 })
  })

  it('shutdown(timeout) returns within its timeout while the receiver hangs', async () => {
    const otlp = await receiver(() => ({ status: 200, delayMs: 60_000 }))
    withEnv(ENV)
    tracium.init({ endpoint: otlp.url })
    traceSome(1)
    void tracium.flush(50)
    await otlp.waitForRequests((requests) => requests.length === 1)
    // Side by side: a shutdown bounded at 200 ms against the 60 s the receiver would take.
    const started = performance.now()
    expect(await tracium.shutdown(200)).toBe(false)
    const elapsed = performance.now() - started
    expect(elapsed / 60_000).toBeLessThan(0.5)
  })
})
