/** Route parts for lifecycle.contract.ts and the HTTP/2 apps: response-side reads, held requests. */
import { Readable } from 'node:stream'
import { setImmediate as immediate } from 'node:timers/promises'
import { getCurrentTenant } from '@tracium/core'

/** Chunks each streamed body sends. */
export const STREAM_CHUNKS = 5

/**
 * A stream body whose chunks are made on demand: each `read()` produces a line with the tenant
 * read then, one event-loop turn later. So every chunk is made from the context the consumer
 * (the framework's pipe) reads it in, not the handler's.
 */
export function tenantStream(): Readable {
  let sent = 0
  return new Readable({
    read() {
      setImmediate(() => this.push(sent++ < STREAM_CHUNKS ? `${getCurrentTenant()}\n` : null))
    },
  })
}

/** An async generator body, as `Readable.from(gen)` (Koa 3 takes streams, not bare iterables). */
export function tenantGenerator(): Readable {
  return Readable.from(
    (async function* lines() {
      for (let i = 0; i < STREAM_CHUNKS; i++) {
        await immediate()
        yield `${getCurrentTenant()}\n`
      }
    })(),
  )
}

/** A request held open: a timer reads the tenant every 2 ms until the test stops it. */
export interface HeldRequest {
  readonly tenant: string | null
  readonly reads: Array<string | null>
  stop(): void
}

/** Starts the timer of a held request and hands it to the test. */
export function holdRequest(held: HeldRequest[]): void {
  const reads: Array<string | null> = []
  const timer = setInterval(() => reads.push(getCurrentTenant()), 2)
  held.push({ tenant: getCurrentTenant(), reads, stop: () => clearInterval(timer) })
}
