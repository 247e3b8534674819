import { describe, expect, it } from 'vitest'
import { backoffDelay, DeliveryQueue } from '../src/queue.js'

describe('DeliveryQueue', () => {
  it('delivers in order, in batches of at most maxBatch of what was pushed in one tick', async () => {
    const batches: number[][] = []
    const queue = new DeliveryQueue<number>({
      capacity: 100,
      maxBatch: 3,
      deliver: async (batch) => {
        batches.push(batch)
      },
    })
    for (let i = 0; i < 7; i++) queue.push([i])
    expect(await queue.drain(5_000)).toBe(true)
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]])
    expect(queue.stats()).toMatchObject({ enqueued: 7, sent: 7, queueSize: 0 })
  })

  it('pushes all or nothing and counts drops against the capacity, in-flight items included', async () => {
    let release: () => void = () => {}
    const queue = new DeliveryQueue<string>({
      capacity: 4,
      deliver: () =>
        new Promise<void>((resolve) => {
          release = resolve
        }),
    })
    expect(queue.push(['a', 'b', 'c'])).toBe(true)
    expect(queue.push(['d', 'e'])).toBe(false)
    expect(queue.push(['d'])).toBe(true)
    expect(queue.stats()).toMatchObject({ queueSize: 4, enqueued: 4, dropped: 2 })
    expect(queue.stats().dropRate).toBeCloseTo(2 / 6)
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setImmediate(resolve))
      release()
    }
    expect(await queue.drain(5_000)).toBe(true)
  })

  it('retries retryable errors `retries` times, then counts a failure and reports it', async () => {
    let attempts = 0
    const errors: unknown[] = []
    const queue = new DeliveryQueue<number>({
      capacity: 10,
      retries: 3,
      initialDelayMs: 1,
      deliver: async () => {
        attempts++
        throw new Error('down')
      },
      onError: (error) => errors.push(error),
    })
    queue.push([1])
    await queue.drain(5_000)
    expect(attempts).toBe(4)
    expect(queue.stats()).toMatchObject({ sent: 0, failed: 1, successRate: 0 })
    expect(errors).toEqual([new Error('down')])
  })

  it('does not retry errors that are not retryable, and survives a throwing onError', async () => {
    let attempts = 0
    const queue = new DeliveryQueue<number>({
      capacity: 10,
      retries: 3,
      initialDelayMs: 1,
      isRetryable: () => false,
      deliver: async (batch) => {
        attempts++
        if (batch[0] === 1) throw new Error('bad request')
      },
      onError: () => {
        throw new Error('broken handler')
      },
    })
    queue.push([1])
    queue.push([2])
    await queue.drain(5_000)
    expect(attempts).toBe(2)
    expect(queue.stats()).toMatchObject({ sent: 1, failed: 1 })
  })

  it('drain() resolves false when delivery outlasts the timeout', async () => {
    const queue = new DeliveryQueue<number>({
      capacity: 10,
      deliver: () => new Promise<void>(() => {}), // never settles
    })
    queue.push([1])
    expect(await queue.drain(5)).toBe(false)
  })

  it('drain() with a timeout already past (a deadline minus now) gives up at once, without a warning', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.name)
    process.on('warning', onWarning)
    try {
      const queue = new DeliveryQueue<number>({
        capacity: 10,
        deliver: () => new Promise<void>(() => {}),
      })
      queue.push([1])
      expect(await queue.drain(-1)).toBe(false)
      await new Promise((resolve) => setImmediate(resolve)) // warnings are emitted on a later tick
      // Node 22.? and later warn of a negative setTimeout (TimeoutNegativeWarning); CI runs 24.
      expect(warnings).toEqual([])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('close() refuses new items; takeQueued() hands back what is not yet delivered', async () => {
    const queue = new DeliveryQueue<number>({ capacity: 10, deliver: async () => {} })
    queue.push([1, 2, 3])
    expect(queue.takeQueued()).toEqual([1, 2, 3])
    expect(await queue.close(5_000)).toBe(true)
    expect(queue.push([4])).toBe(false)
    expect(queue.stats()).toMatchObject({ enqueued: 3, sent: 0, dropped: 1 })
  })

  describe('concurrency', () => {
    it('delivers different pushes in parallel, the items of one push in order', async () => {
      const log: string[] = []
      const gates = new Map<string, () => void>()
      const queue = new DeliveryQueue<string>({
        capacity: 10,
        concurrency: 2,
        deliver: ([item]) =>
          new Promise<void>((resolve) => {
            log.push(`start ${item}`)
            gates.set(item!, () => {
              log.push(`end ${item}`)
              resolve()
            })
          }),
      })
      queue.push(['a1', 'a2'])
      queue.push(['b1'])
      const until = async (item: string) => {
        while (!gates.has(item)) await new Promise((resolve) => setImmediate(resolve))
      }
      // Both pushes start at once; a2 waits for a1, not for b1.
      await until('a1')
      await until('b1')
      expect(gates.has('a2')).toBe(false)
      gates.get('a1')!()
      await until('a2')
      gates.get('a2')!()
      gates.get('b1')!()
      expect(await queue.drain(5_000)).toBe(true)
      expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'))
      expect(queue.stats()).toMatchObject({ enqueued: 3, sent: 3, queueSize: 0 })
    })

    it('refuses batches or linger with more than one worker', () => {
      const deliver = async () => {}
      expect(
        () => new DeliveryQueue({ capacity: 1, concurrency: 2, maxBatch: 2, deliver }),
      ).toThrow()
      expect(
        () => new DeliveryQueue({ capacity: 1, concurrency: 2, lingerMs: 5, deliver }),
      ).toThrow()
    })
  })

  describe('lingerMs', () => {
    // A linger far longer than any test: if something waited for it, the test would time out.
    const LONG = 60_000
    const macrotask = () => new Promise((resolve) => setImmediate(resolve))
    /** A lingering queue that records its batches and reports each delivery. */
    function lingering(maxBatch: number, onDeliver = () => {}) {
      const batches: number[][] = []
      const queue = new DeliveryQueue<number>({
        capacity: 10,
        maxBatch,
        lingerMs: LONG,
        deliver: async (batch) => {
          batches.push(batch)
          onDeliver()
        },
      })
      return { queue, batches }
    }

    it('items pushed over several ticks wait to share one batch; drain() ends the wait', async () => {
      const { queue, batches } = lingering(10)
      queue.push([1])
      for (let i = 0; i < 3; i++) await macrotask()
      queue.push([2])
      for (let i = 0; i < 3; i++) await macrotask()
      expect(batches).toEqual([])
      expect(await queue.drain(5_000)).toBe(true)
      expect(batches).toEqual([[1, 2]])
    })

    it('a full batch is delivered without waiting', async () => {
      let delivered: () => void = () => {}
      const done = new Promise<void>((resolve) => {
        delivered = resolve
      })
      const { queue, batches } = lingering(2, () => delivered())
      queue.push([1])
      await macrotask()
      queue.push([2, 3])
      await done
      expect(batches).toEqual([[1, 2]])
      expect(queue.takeQueued()).toEqual([3])
    })
  })

  it('backs off exponentially from the initial delay', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, 100))).toEqual([100, 200, 400, 800])
  })
})
