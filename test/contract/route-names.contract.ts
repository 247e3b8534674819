/**
 * Request traces are named by route pattern on every adapter (issue 12): the trace of
 * `GET /t/acme/whoami` is `t-tenant-whoami` whatever the tenant, a request whose handler threw is
 * named by its route too (Express used to say `undefined-throw-sync`: `req.baseUrl` is reset once
 * the error leaves the router), and every request no route matched is `unmatched`, so a scan of
 * random paths cannot create one agent per path. Observed end to end: `@tracium/sdk`'s
 * `trace()` over real HTTP, with the adapter under test.
 */
import * as tracium from '@tracium/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from './client.js'
import { type AdapterHarness, type ContractServer, Probe } from './harness.js'

export function describeRouteNamesContract(harness: AdapterHarness): void {
  describe(`route names contract: ${harness.name}`, () => {
    let server: ContractServer
    const traces: tracium.TraceRecord[] = []
    let wanted = 0
    let arrived: () => void = () => {}

    beforeAll(async () => {
      tracium.trace({
        exporter: {
          export(trace) {
            traces.push(trace)
            if (traces.length >= wanted) arrived()
          },
        },
      })
      server = await harness.start({}, new Probe())
    })
    afterAll(async () => {
      await server.close()
      await tracium.shutdown()
    })

    /** Sends the requests, then waits for their traces (exported after each response closes). */
    async function namesOf(paths: string[]): Promise<Array<[string, number, string]>> {
      traces.length = 0
      wanted = paths.length
      const all = new Promise<void>((resolve) => {
        arrived = resolve
      })
      const statuses = new Map<string, number>()
      for (const path of paths) {
        const res = await send(server.port, { path, headers: { 'x-tenant-id': 'acme' } })
        statuses.set(path, res.status)
      }
      await all
      return traces
        .map((t) => {
          const path = (t.metadata.http as { path: string }).path
          return [path, statuses.get(path) ?? 0, t.agentName] as [string, number, string]
        })
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    }

    it('names a routed request by its pattern, not its parameters', async () => {
      expect(await namesOf(['/t/acme/whoami', '/t/globex/whoami'])).toEqual([
        ['/t/acme/whoami', 200, 't-tenant-whoami'],
        ['/t/globex/whoami', 200, 't-tenant-whoami'],
      ])
    })

    it('names a request whose handler threw by its route', async () => {
      expect(await namesOf(['/throw-async', '/throw-sync'])).toEqual([
        ['/throw-async', 500, 'throw-async'],
        ['/throw-sync', 500, 'throw-sync'],
      ])
    })

    it('names every request no route matched `unmatched`', async () => {
      const names = await namesOf(['/no/such/route/1', '/no/such/route/2', '/wp-admin.php'])
      expect(names.map(([path, , name]) => [path, name])).toEqual([
        ['/no/such/route/1', 'unmatched'],
        ['/no/such/route/2', 'unmatched'],
        ['/wp-admin.php', 'unmatched'],
      ])
      // 404, or 500 where the harness's catch-all error filter (Nest) answers the NotFound.
      for (const [, status] of names) expect([404, 500]).toContain(status)
    })
  })
}
