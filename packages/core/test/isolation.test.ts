import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { getCurrentTenant, withTenant } from '../src/index.js'

// A seeded generator keeps a failing interleaving reproducible.
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

describe('isolation under concurrency (S3)', () => {
  it('1,000 interleaved withTenant tasks over 50 tenants: every read sees its own tenant', async () => {
    const next = random(20261126)
    let reads = 0
    let mismatches = 0
    const check = (expected: string) => {
      reads++
      if (getCurrentTenant() !== expected) mismatches++
    }
    const waits = [
      () => sleep(Math.floor(next() * 4)),
      () => immediate(),
      () => Promise.resolve(),
      () => new Promise<void>((resolve) => setTimeout(resolve, Math.floor(next() * 3))),
      () => new Promise<void>((resolve) => process.nextTick(resolve)),
    ]
    const task = async (i: number) => {
      const tenant = `tenant-${i % 50}`
      await withTenant(tenant, async () => {
        for (let step = 0; step < 5; step++) {
          check(tenant)
          await waits[Math.floor(next() * waits.length)]!()
        }
        check(tenant)
      })
    }
    await Promise.all(Array.from({ length: 1000 }, (_, i) => task(i)))
    expect(reads).toBe(6000)
    expect(mismatches).toBe(0)
  })
})
