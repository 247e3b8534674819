/**
 * A bounded cache of verified tokens, so a client that sends the same token on every request pays
 * for one verification. An entry never outlives its token's `exp`, nor `maxTokenAge`.
 *
 * Eviction is "second chance" (CLOCK), an approximation of least-recently-used: a hit only marks
 * its entry, and a full cache evicts the oldest entry not marked since it was last passed over.
 * A true LRU moved the entry to the end of the map on every hit (a delete and a set), and that
 * cost a cached request about 0.4 µs, half of its resolution (bench/README.md).
 */
import type { ClaimedTenant } from '../source.js'

interface Entry {
  readonly value: ClaimedTenant
  readonly expiresAt: number
  /** Read since it was inserted or last passed over by eviction. */
  used: boolean
}

// A token without `exp` still leaves the cache after this long, so key rotation takes effect.
const MAX_ENTRY_AGE_MS = 5 * 60_000

export class VerifiedTokenCache {
  // Insertion order is the clock's order: the oldest entry comes first.
  readonly #entries = new Map<string, Entry>()

  constructor(readonly capacity: number) {}

  get(token: string, now: number): ClaimedTenant | undefined {
    const entry = this.#entries.get(token)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= now) {
      this.#entries.delete(token)
      return undefined
    }
    entry.used = true
    return entry.value
  }

  set(token: string, value: ClaimedTenant, expiresAt: number, now: number): void {
    if (this.capacity === 0) return
    const until = Math.min(expiresAt, now + MAX_ENTRY_AGE_MS)
    if (until <= now) return
    this.#entries.delete(token)
    if (this.#entries.size >= this.capacity) this.#evictOne()
    this.#entries.set(token, { value, expiresAt: until, used: false })
  }

  get size(): number {
    return this.#entries.size
  }

  /** Removes the oldest entry not read since it was last passed over; read ones go to the end. */
  #evictOne(): void {
    // Each pass clears a mark, so this ends within capacity + 1 steps.
    for (const [token, entry] of this.#entries) {
      this.#entries.delete(token)
      if (!entry.used) return
      entry.used = false
      this.#entries.set(token, entry)
    }
  }
}
