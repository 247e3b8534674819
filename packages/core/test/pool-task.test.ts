// tenantTask / withTaskTenant without a pool: the envelope, and a handler run for each task
// under that task's tenant only. On a real 4-thread Piscina pool: test/propagation/piscina.test.ts.
import { describe, expect, it } from 'vitest'
import {
  getCurrentTenant,
  setTenant,
  TENANT_TASK_KEY,
  TenantError,
  tenantTask,
  withTaskTenant,
  withTenant,
} from '../src/index.js'

describe('tenantTask / withTaskTenant', () => {
  it('the envelope carries the current tenant, or none', () => {
    expect(withTenant('acme', () => tenantTask({ n: 1 }))).toEqual({
      [TENANT_TASK_KEY]: 1,
      task: { n: 1 },
      'x-tenant-id': 'acme',
    })
    expect(tenantTask({ n: 1 })).toEqual({ [TENANT_TASK_KEY]: 1, task: { n: 1 } })
    expect(tenantTask('x', 'globex')['x-tenant-id']).toBe('globex')
  })

  it('runs each task under its own tenant; setTenant in one task does not reach the next', async () => {
    const handler = withTaskTenant(async (task: { n: number }) => {
      const seen = getCurrentTenant()
      setTenant('poison')
      return { n: task.n, seen }
    })
    const tasks = [
      withTenant('a', () => tenantTask({ n: 1 })),
      tenantTask({ n: 2 }),
      withTenant('b', () => tenantTask({ n: 3 })),
    ]
    const results = []
    for (const task of structuredClone(tasks)) results.push(await handler(task))
    expect(results).toEqual([
      { n: 1, seen: 'a' },
      { n: 2, seen: null },
      { n: 3, seen: 'b' },
    ])
    expect(getCurrentTenant()).toBeNull()
  })

  it('a forged tenant fails the task with TENANT_INVALID; an unwrapped task is a TypeError', () => {
    const handler = withTaskTenant(() => 'ran')
    expect(() => handler({ [TENANT_TASK_KEY]: 1, 'x-tenant-id': 42, task: 1 } as never)).toThrow(
      TenantError,
    )
    expect(() => handler({ [TENANT_TASK_KEY]: 1, 'x-tenant-id': ' a', task: 1 } as never)).toThrow(
      /white space/,
    )
    expect(() => handler({ n: 1 } as never)).toThrow(/tenantTask\(\) did not wrap/)
    expect(() => withTaskTenant(undefined as never)).toThrow(TypeError)
  })
})
