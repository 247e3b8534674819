// The examples of the Python docs page we port (shared/reference/python-multi-tenancy.md).
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { getCurrentTenant, setTenant, withTenant } from '../src/index.js'
import { outsideAnyScope } from './helpers.js'

describe('the Python docs examples', () => {
  it('set_tenant then get_current_tenant, and None after clearing', async () => {
    // A script's top level: no scope at all (S4).
    await outsideAnyScope(() => {
      setTenant('tenant-456')
      expect(getCurrentTenant()).toBe('tenant-456')
      setTenant(null)
      expect(getCurrentTenant()).toBeNull()
    })
  })

  it('a tenant set in an async function is seen in nested awaited calls', async () => {
    const seen: Array<string | null> = []
    async function fetchData() {
      await sleep(1)
      seen.push(getCurrentTenant())
    }
    async function generateResponse() {
      await new Promise((resolve) => setImmediate(resolve))
      seen.push(getCurrentTenant())
    }
    async function processRequest(tenantId: string) {
      setTenant(tenantId)
      await fetchData()
      await generateResponse()
    }
    // asyncio.gather of two requests: each runs as its own task.
    await outsideAnyScope(() =>
      Promise.all([
        withTenant(null, () => processRequest('t-1')),
        withTenant(null, () => processRequest('t-2')),
      ]),
    )
    expect(seen.sort()).toEqual(['t-1', 't-1', 't-2', 't-2'])
  })

  it('accepts every id format the docs list', () => {
    for (const id of [
      '550e8400-e29b-41d4-a716-446655440000',
      'acme-corp',
      'org_123456',
      'customer_abc123',
      'org_123:workspace_456',
    ]) {
      expect(withTenant(id, getCurrentTenant)).toBe(id)
    }
  })
})
