/**
 * Shared by the Redis-backed tests: the connection to the suite's redis-server, unique queue
 * names, and waiting for BullMQ events with a deadline.
 */
import { randomUUID } from 'node:crypto'
import type { Job, Worker } from 'bullmq'
import { inject } from 'vitest'

/** ioredis options for the suite's server; BullMQ workers need `maxRetriesPerRequest: null`. */
export function connection(): { host: string; port: number; maxRetriesPerRequest: null } {
  return { host: '127.0.0.1', port: inject('redisPort'), maxRetriesPerRequest: null }
}

/** A queue name no other test file or run uses. */
export function queueName(topic: string): string {
  return `${topic}-${randomUUID()}`
}

export interface Outcome {
  state: 'completed' | 'failed'
  job: Job
  result?: unknown
  error?: Error
}

/**
 * Records every job a worker completes or fails, and lets a test wait for particular jobs,
 * failing with a clear message at the deadline instead of hanging.
 */
export class Outcomes {
  readonly byId = new Map<string, Outcome>()
  private waiters: { check: () => boolean; resolve: () => void }[] = []

  constructor(worker: Worker) {
    worker.on('completed', (job, result) => this.record({ state: 'completed', job, result }))
    worker.on('failed', (job, error) => {
      if (job) this.record({ state: 'failed', job, error })
    })
  }

  /**
   * Waits until `count` outcomes satisfy `filter`, or throws after `ms`, and returns the first
   * `count` of them in the order they ended. Not all of them: a job scheduler keeps making jobs,
   * and under CI's load one more could end between the wait and its caller.
   */
  async until(
    what: string,
    filter: (outcome: Outcome) => boolean,
    count: number,
    ms = 20_000,
  ): Promise<Outcome[]> {
    const matching = () => [...this.byId.values()].filter(filter)
    await this.wait(what, () => matching().length >= count, ms)
    return matching().slice(0, count)
  }

  /** The final outcome of the job with `id`. */
  async of(id: string | undefined, ms = 20_000): Promise<Outcome> {
    if (id === undefined) throw new Error('job has no id')
    await this.wait(`job ${id}`, () => this.byId.has(id), ms)
    return this.byId.get(id) as Outcome
  }

  private record(outcome: Outcome): void {
    // A failed attempt that BullMQ will retry also emits 'failed'; keep only final outcomes.
    if (outcome.state === 'failed' && outcome.job.attemptsMade < (outcome.job.opts.attempts ?? 1)) {
      return
    }
    this.byId.set(outcome.job.id as string, outcome)
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.check()) return true
      waiter.resolve()
      return false
    })
  }

  private wait(what: string, check: () => boolean, ms: number): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.check !== check)
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`))
      }, ms)
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  }
}
