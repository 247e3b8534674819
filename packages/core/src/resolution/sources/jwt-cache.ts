/**
 * A bounded LRU of verified tokens, so a client that sends the same token on every request pays
 * for one verification. An entry never outlives its token's `exp`, nor `maxTokenAge`.
 */
import type { ClaimedTenant } from '../source.js'

interface Entry {
  readonly value: ClaimedTenant
  readonly expiresAt: number
}

// A token without `exp` still leaves the cache after this long, so key rotation takes effect.
const MAX_ENTRY_AGE_MS = 5 * 60_000

export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>()

  constructor(readonly capacity: number) {}

  get(token: string, now: number): ClaimedTenant | undefined {
    const entry = this.#entries.get(token)
    if (entry === undefined) return undefined
    this.#entries.delete(token)
    if (entry.expiresAt <= now) return undefined
    this.#entries.set(token, entry) // most recently used goes last
    return entry.value
  }

  set(token: string, value: ClaimedTenant, expiresAt: number, now: number): void {
    if (this.capacity === 0) return
    const until = Math.min(expiresAt, now + MAX_ENTRY_AGE_MS)
    if (until <= now) return
    this.#entries.delete(token)
    if (this.#entries.size >= this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!)
    }
    this.#entries.set(token, { value, expiresAt: until })
  }

  get size(): number {
    return this.#entries.size
  }
}
