// Worker pools: a real 4-thread Piscina pool reuses its threads across tenants, so the tenant
// travels with each task (tenantTask) and is restored for that task only (withTaskTenant).

import { TENANT_TASK_KEY, tenantTask, withTenant } from '@tracium/core'
import { Piscina } from 'piscina'
import { afterAll, describe, expect, it } from 'vitest'

const pool = new Piscina({
  filename: new URL('./fixtures/pool-worker.mjs', import.meta.url).href,
  minThreads: 4,
  maxThreads: 4,
  // Two tasks at a time per thread: their awaits interleave on the same thread.
  concurrentTasksPerWorker: 2,
})

afterAll(() => pool.destroy())

interface Result {
  id: number
  before: string | null
  after: string | null
  threadId: number
}

describe('Piscina pool with tenantTask / withTaskTenant', () => {
  it('1,000 tasks over 50 tenants, every third without a tenant: zero mismatches, nothing leaks', async () => {
    const tenants = Array.from({ length: 50 }, (_, i) => `tenant-${i}`)
    const expected = new Map<number, string | null>()
    const runs: Array<Promise<Result>> = []
    for (let id = 0; id < 1000; id++) {
      const tenant = id % 3 === 2 ? null : tenants[(id * 7) % tenants.length]!
      expected.set(id, tenant)
      // Every tenant task sets 'poison' at its end: a later task reading it would be a leak.
      const task = { id, poison: tenant !== null }
      runs.push(withTenant(tenant, () => pool.run(tenantTask(task))))
    }
    const results = await Promise.all(runs)
    const mismatches = results.filter(
      (r) => r.before !== expected.get(r.id) || r.after !== expected.get(r.id),
    )
    expect(mismatches.slice(0, 3)).toEqual([])
    expect(mismatches.length).toBe(0)
    // The tasks without a tenant read null, right after poisoned tasks on the same threads.
    expect(results.filter((r) => r.before === null).length).toBe(333)
    expect(results.some((r) => r.before === 'poison' || r.after === 'poison')).toBe(false)
    expect(new Set(results.map((r) => r.threadId)).size).toBe(4)
  })

  it('a forged tenant in the envelope fails the task; an unwrapped task is refused', async () => {
    await expect(
      pool.run({ [TENANT_TASK_KEY]: 1, 'x-tenant-id': ['a', 'b'], task: { id: 1 } }),
    ).rejects.toThrow(/more than one tenant/)
    await expect(
      pool.run({ [TENANT_TASK_KEY]: 1, 'x-tenant-id': 'a\nb', task: { id: 1 } }),
    ).rejects.toThrow(/Invalid tenant id/)
    await expect(pool.run({ id: 1 })).rejects.toThrow(/tenantTask\(\) did not wrap/)
  })
})
