import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import {
  bindTenant,
  captureTenant,
  getCurrentTenant,
  openRequestScope,
  requireTenant,
  setTenant,
  TenantError,
  withTenant,
} from '../src/index.js'
import { outsideAnyScope } from './helpers.js'

function errorOf(fn: () => unknown): TenantError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TenantError)
    return err as TenantError
  }
  throw new Error('did not throw')
}

describe('getCurrentTenant / requireTenant', () => {
  it('outside any scope: null, and requireTenant says how to fix it', () => {
    expect(getCurrentTenant()).toBeNull()
    const err = errorOf(requireTenant)
    expect(err.code).toBe('TENANT_MISSING')
    expect(err.status).toBe(401)
    expect(err.message).toMatch(/middleware/)
    expect(err.message).toMatch(/withTenant/)
  })

  it('requireTenant returns the tenant when one is set', () => {
    expect(withTenant('acme', requireTenant)).toBe('acme')
  })
})

describe('S3: setTenant inside a scope, withTenant nests', () => {
  it('setTenant inside a request scope is seen by all code of that request', async () => {
    const scope = openRequestScope()
    const seen = await scope.run(async () => {
      const waiting = (async () => {
        await sleep(5)
        return getCurrentTenant()
      })()
      setTenant('acme') // after the waiting code started: it still sees the change
      return waiting
    })
    expect(seen).toBe('acme')
    expect(scope.tenantId).toBe('acme')
  })

  it('withTenant leaves the outer scope untouched, across awaits', async () => {
    const scope = openRequestScope()
    await scope.run(async () => {
      setTenant('outer')
      await withTenant('inner', async () => {
        await sleep(1)
        expect(getCurrentTenant()).toBe('inner')
        setTenant('inner-changed')
        await sleep(1)
        expect(getCurrentTenant()).toBe('inner-changed')
      })
      expect(getCurrentTenant()).toBe('outer')
    })
  })

  it('many concurrent withTenant calls do not see each other', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        withTenant(`t-${i}`, async () => {
          await sleep(Math.random() * 5)
          const first = getCurrentTenant()
          await withTenant(`nested-${i}`, () => sleep(1))
          return [first, getCurrentTenant()]
        }),
      ),
    )
    results.forEach(([a, b], i) => {
      expect(a).toBe(`t-${i}`)
      expect(b).toBe(`t-${i}`)
    })
  })

  it('withTenant(null) runs with no tenant and returns the result', () => {
    expect(withTenant('acme', () => withTenant(null, getCurrentTenant))).toBeNull()
    expect(withTenant('acme', () => 42)).toBe(42)
  })

  it('withTenant rejects a bad id before calling fn', () => {
    let called = false
    const err = errorOf(() =>
      withTenant(' bad', () => {
        called = true
      }),
    )
    expect(err.code).toBe('TENANT_INVALID')
    expect(called).toBe(false)
  })

  it('setTenant validates', () => {
    expect(errorOf(() => withTenant('a', () => setTenant('x\n'))).code).toBe('TENANT_INVALID')
    // undefined is not "clear": only null is, so a missing header never silently clears.
    expect(errorOf(() => setTenant(undefined as unknown as null)).code).toBe('TENANT_INVALID')
  })
})

describe('S4: setTenant outside any scope works like a context variable', () => {
  it('sets the tenant for the current execution and what it starts', async () => {
    const seen = await outsideAnyScope(async () => {
      const seen: Array<string | null> = [getCurrentTenant()]
      setTenant('worker-tenant')
      seen.push(getCurrentTenant())
      await sleep(1)
      seen.push(getCurrentTenant())
      seen.push(await new Promise<string | null>((r) => setTimeout(() => r(getCurrentTenant()))))
      setTenant(null)
      seen.push(getCurrentTenant())
      return seen
    })
    expect(seen).toEqual([null, 'worker-tenant', 'worker-tenant', 'worker-tenant', null])
    expect(getCurrentTenant()).toBeNull()
  })

  it('work started before a later setTenant keeps the value it started with', async () => {
    const seen = await outsideAnyScope(async () => {
      setTenant('first')
      const started = sleep(5).then(() => getCurrentTenant())
      setTenant('second')
      return [await started, getCurrentTenant()]
    })
    expect(seen).toEqual(['first', 'second'])
  })
})

describe('S5: captureTenant and bindTenant capture the value, not the scope', () => {
  it('deferred work keeps its tenant after the request scope closed', async () => {
    const scope = openRequestScope()
    const { snapshot, bound } = scope.run(() => {
      scope.setTenant('acme')
      return {
        snapshot: captureTenant(),
        bound: bindTenant((x: number) => [x, getCurrentTenant()]),
      }
    })
    scope.close()
    await sleep(1)
    expect(snapshot.tenantId).toBe('acme')
    expect(snapshot.run(getCurrentTenant)).toBe('acme')
    expect(bound(7)).toEqual([7, 'acme'])
    // Called from another tenant's context, it still uses its own.
    expect(withTenant('other', () => bound(1))).toEqual([1, 'acme'])
  })

  it('the captured value does not follow later changes', () => {
    withTenant('a', () => {
      const snapshot = captureTenant()
      setTenant('b')
      expect(snapshot.run(getCurrentTenant)).toBe('a')
    })
  })

  it('bindTenant passes this and arguments through', () => {
    const emitter = new EventEmitter()
    const self = withTenant('acme', () =>
      bindTenant(function (this: unknown) {
        return this
      }),
    )
    expect(self.call(emitter)).toBe(emitter)
  })

  it('captureTenant outside any scope captures null', () => {
    expect(captureTenant().tenantId).toBeNull()
  })
})
