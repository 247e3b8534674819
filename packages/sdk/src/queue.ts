/**
 * The bounded background queue behind the HTTP exporter and the local store. One worker delivers
 * batches in order (the store), or several workers each deliver one trace's items in order
 * (HTTP). A failed delivery is retried with exponential backoff when the error is retryable;
 * nothing ever throws into the app (fail-open): a full queue drops and counts, a delivery that
 * keeps failing is counted and reported once as a process warning.
 *
 * Backoff timers are unref'd: a script whose backend is down must not hang for minutes
 * retrying. `drain()` holds the process open (with its own timer) for as long as the caller
 * waits, so `await flush()` still delivers.
 */
import { timerDelay } from './time.js'
import { warnOnce } from './warn.js'

/**
 * Counters of a queue, as `getQueueStats()` reports them (Python's `get_queue_stats`).
 * @example
 * ```ts
 * const { enqueued, sent, failed, dropped } = tracium.getQueueStats()
 * ```
 */
export interface QueueStats {
  /** Items waiting or being delivered now. */
  queueSize: number
  /** The most items that may wait; more are dropped. */
  capacity: number
  /** Items accepted. */
  enqueued: number
  /** Items delivered. */
  sent: number
  /** Items given up on after their retries. */
  failed: number
  /** Items refused because the queue was full or shut down. */
  dropped: number
  /** `sent / (sent + failed)`; `1` before any delivery finished. */
  successRate: number
  /** `dropped / (enqueued + dropped)`; `0` before any item was offered. */
  dropRate: number
}

/** The counters of {@link QueueStats}, from which the rates follow. */
export type QueueCounters = Omit<QueueStats, 'successRate' | 'dropRate'>

/**
 * Completes `counters` with the two rates.
 * @example
 * ```ts
 * withRates({ queueSize: 0, capacity: 10, enqueued: 4, sent: 3, failed: 1, dropped: 0 }).successRate // 0.75
 * ```
 */
export function withRates(counters: QueueCounters): QueueStats {
  const finished = counters.sent + counters.failed
  const offered = counters.enqueued + counters.dropped
  return {
    ...counters,
    successRate: finished === 0 ? 1 : counters.sent / finished,
    dropRate: offered === 0 ? 0 : counters.dropped / offered,
  }
}

/** Options of {@link DeliveryQueue}. */
export interface DeliveryQueueOptions<T> {
  /** Most items waiting; more are dropped. */
  capacity: number
  /** Delivers a batch; throw (or reject) to fail it. */
  deliver: (batch: T[]) => Promise<void>
  /** Most items per `deliver` call. Default: `1`. */
  maxBatch?: number
  /**
   * How many workers deliver at once. Each takes the items of one `push()` call (one trace's
   * calls) and delivers them one by one, in order; different pushes go in parallel. Above `1`,
   * `maxBatch` and `lingerMs` must stay at their defaults. Default: `1`.
   */
  concurrency?: number
  /**
   * How long the worker waits for a batch to fill before it delivers a partial one. `drain()`,
   * `close()` and a full batch end the wait. With `0` only items pushed in the same tick share
   * a batch. Default: `0`.
   */
  lingerMs?: number
  /** Retries after the first failed attempt. Default: `0`. */
  retries?: number
  /** Delay before the first retry; it doubles for each further retry. Default: `100`. */
  initialDelayMs?: number
  /** Whether an error is worth a retry. Default: every error is. */
  isRetryable?: (error: unknown) => boolean
  /** Called with the error of a batch given up on. Default: one process warning. */
  onError?: (error: unknown) => void
}

/**
 * The delay before retry number `attempt` (0 for the first retry): `initialDelayMs · 2^attempt`.
 * No jitter: one process has one worker, so there is no herd to spread.
 * @example
 * ```ts
 * [0, 1, 2].map((a) => backoffDelay(a, 100)) // [100, 200, 400]
 * ```
 */
export function backoffDelay(attempt: number, initialDelayMs: number): number {
  return initialDelayMs * 2 ** attempt
}

/**
 * A bounded FIFO with one delivering worker, or several (`concurrency`) that each deliver the
 * items of one `push()` in order.
 * @example
 * ```ts
 * const queue = new DeliveryQueue({ capacity: 10_000, retries: 3, deliver: (batch) => send(batch) })
 * queue.push([item])         // false when full: the item is dropped and counted
 * await queue.drain(5_000)   // true once everything was delivered or given up on
 * ```
 */
export class DeliveryQueue<T> {
  // One entry per push(): with several workers, a push's items are delivered in order by one.
  readonly #groups: T[][] = []
  readonly #capacity: number
  readonly #concurrency: number
  readonly #deliver: (batch: T[]) => Promise<void>
  readonly #maxBatch: number
  readonly #retries: number
  readonly #initialDelayMs: number
  readonly #isRetryable: (error: unknown) => boolean
  readonly #onError: (error: unknown) => void
  readonly #lingerMs: number
  readonly #idleWaiters = new Set<() => void>()
  // Ends the worker's wait for a batch to fill (lingerMs), when it waits.
  #wake: (() => void) | null = null
  // Accepted and not yet delivered or given up on: the capacity and queueSize count these.
  #pending = 0
  #workers = 0
  #closed = false
  #enqueued = 0
  #sent = 0
  #failed = 0
  #dropped = 0

  constructor(options: DeliveryQueueOptions<T>) {
    this.#capacity = options.capacity
    this.#deliver = options.deliver
    this.#maxBatch = options.maxBatch ?? 1
    this.#lingerMs = options.lingerMs ?? 0
    this.#concurrency = options.concurrency ?? 1
    if (this.#concurrency > 1 && (this.#maxBatch !== 1 || this.#lingerMs !== 0)) {
      throw new Error('DeliveryQueue: batches and linger need a single worker (concurrency 1).')
    }
    this.#retries = options.retries ?? 0
    this.#initialDelayMs = options.initialDelayMs ?? 100
    this.#isRetryable = options.isRetryable ?? (() => true)
    this.#onError = options.onError ?? defaultOnError
  }

  /**
   * Appends `items`, all or none: a trace's calls must not be half-delivered. Returns `false`
   * (and counts them dropped) when they do not fit or the queue is closed. The queue keeps the
   * array (it takes items out of it): pass one of your own, not one you change later.
   */
  push(items: T[]): boolean {
    if (this.#closed || this.#pending + items.length > this.#capacity) {
      this.#dropped += items.length
      if (!this.#closed) {
        warnOnce(
          'TRACIUM_QUEUE_FULL',
          `The Tracium export queue is full (${this.#capacity} items), so traces are being ` +
            'dropped. The exporter is slower than the app produces traces; raise ' +
            'init({ maxQueueSize }) or check the exporter. getQueueStats() counts the drops.',
        )
      }
      return false
    }
    if (items.length === 0) return true
    // Kept, not copied: one array less per trace, the local store's hot path (issue 10).
    this.#groups.push(items)
    this.#pending += items.length
    this.#enqueued += items.length
    if (this.#workers < Math.min(this.#concurrency, this.#groups.length)) {
      this.#workers++
      void this.#work()
    } else if (this.#pending >= this.#maxBatch) {
      this.#wake?.()
    }
    return true
  }

  /**
   * Resolves `true` once every accepted item was delivered or given up on, `false` when
   * `timeoutMs` passed first. Keeps the process alive while it waits.
   */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#workers === 0) return Promise.resolve(true)
    this.#wake?.() // whoever waits for the queue to empty should not wait for a batch to fill
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#idleWaiters.delete(done)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.#idleWaiters.delete(done)
        resolve(false)
      }, timerDelay(timeoutMs))
      this.#idleWaiters.add(done)
    })
  }

  /** Refuses new items from now on (they count as dropped), then drains. */
  close(timeoutMs: number): Promise<boolean> {
    this.#closed = true
    return this.drain(timeoutMs)
  }

  /**
   * Removes and returns the items not yet handed to `deliver`, for a last synchronous write when
   * the process exits (an 'exit' listener cannot wait for the worker).
   */
  takeQueued(): T[] {
    const items = this.#groups.splice(0).flat()
    this.#pending -= items.length
    return items
  }

  /** The counters. */
  stats(): QueueStats {
    return withRates({
      queueSize: this.#pending,
      capacity: this.#capacity,
      enqueued: this.#enqueued,
      sent: this.#sent,
      failed: this.#failed,
      dropped: this.#dropped,
    })
  }

  async #work(): Promise<void> {
    // One macrotask of delay lets everything pushed in the same tick share a batch.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.#groups.length > 0) {
      if (this.#concurrency === 1) {
        await this.#linger()
        await this.#deliverWithRetries(this.#takeBatch())
      } else {
        for (const item of this.#groups.shift()!) await this.#deliverWithRetries([item])
      }
    }
    this.#workers--
    if (this.#workers === 0) for (const waiter of [...this.#idleWaiters]) waiter()
  }

  /** Up to maxBatch items from the front, across pushes (one worker keeps them in order). */
  #takeBatch(): T[] {
    const batch: T[] = []
    while (batch.length < this.#maxBatch && this.#groups.length > 0) {
      const group = this.#groups[0]!
      const take = group.splice(0, this.#maxBatch - batch.length)
      for (const item of take) batch.push(item)
      if (group.length === 0) this.#groups.shift()
    }
    return batch
  }

  /**
   * Waits up to lingerMs for a full batch. Under load a write then carries many items instead
   * of the few that arrived while the previous one was in flight. The timer is unref'd; the
   * store writes what is still queued when the process exits.
   */
  #linger(): Promise<void> | undefined {
    if (this.#lingerMs === 0 || this.#pending >= this.#maxBatch || this.#draining()) return
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), this.#lingerMs).unref()
      this.#wake = () => {
        clearTimeout(timer)
        this.#wake = null
        resolve()
      }
    })
  }

  #draining(): boolean {
    return this.#closed || this.#idleWaiters.size > 0
  }

  async #deliverWithRetries(batch: T[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#deliver(batch)
        this.#sent += batch.length
        this.#pending -= batch.length
        return
      } catch (error) {
        if (attempt < this.#retries && this.#isRetryable(error)) {
          await sleepUnref(backoffDelay(attempt, this.#initialDelayMs))
          continue
        }
        this.#failed += batch.length
        this.#pending -= batch.length
        try {
          this.#onError(error)
        } catch {
          // A throwing onError must not stop the worker (fail-open).
        }
        return
      }
    }
  }
}

function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

function defaultOnError(error: unknown): void {
  warnOnce(
    'TRACIUM_EXPORT_FAILED',
    `Tracium could not export traces (${error instanceof Error ? error.message : String(error)}). ` +
      'The app is not affected; getQueueStats() counts the failures.',
  )
}
