/**
 * Scope lifecycle scenarios of issue 9 (defects 6 and 8), run against every adapter: the response
 * side runs in the request's scope, and every scope that opens closes (S2, S7).
 */
import diagnostics from 'node:diagnostics_channel'
import { once } from 'node:events'
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { type RequestScope, TENANT_CHANNELS } from '@tracium/core'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'
import { type AdapterHarness, type ContractServer, Probe } from './harness.js'
import { STREAM_CHUNKS } from './lifecycle-parts.js'

export function describeLifecycleContract(harness: AdapterHarness): void {
  describe(`lifecycle: ${harness.name}`, () => {
    let server: ContractServer | undefined
    let probe: Probe
    afterEach(async () => {
      for (const held of probe.held) held.stop()
      await server?.close()
      server = undefined
    })
    async function start() {
      probe = new Probe()
      server = await harness.start({}, probe)
      return server.port
    }
    const lines = (text: string) => text.trim().split('\n')

    describe('issue 9 #6: the response side runs in the scope', () => {
      it.each(['stream', 'generator'])(
        'every chunk of a %s body reads the tenant; two concurrent responses never mix',
        async (kind) => {
          const port = await start()
          const path = `/lifecycle/${kind}`
          const [a, b] = await Promise.all([
            send(port, { path, headers: { 'x-tenant-id': 'stream-a' } }),
            send(port, { path, headers: { 'x-tenant-id': 'stream-b' } }),
          ])
          expect(a.status).toBe(200)
          expect(lines(a.text)).toEqual(Array(STREAM_CHUNKS).fill('stream-a'))
          expect(lines(b.text)).toEqual(Array(STREAM_CHUNKS).fill('stream-b'))
        },
      )

      it("a 'finish' listener on the response reads the tenant", async () => {
        const port = await start()
        const res = await send(port, {
          path: '/lifecycle/finish',
          headers: { 'x-tenant-id': 'finisher' },
        })
        expect(res.status).toBe(200)
        await waitFor(() => probe.finish.length === 1)
        expect(probe.finish).toEqual(['finisher'])
      })
    })

    describe('issue 9 #8: pipelined requests queued when the client goes away (S2)', () => {
      it('every scope that opened closes, and the timers of each request read null afterwards', async () => {
        const tenants = Array.from({ length: 5 }, (_, i) => `piped-${i}`)
        await pipelineThenHangUp(await start(), tenants)
        expect(probe.held.map((h) => h.tenant).sort()).toEqual(tenants)
        // A read from each request's timer after its scope closed.
        const marks = probe.held.map((h) => h.reads.length)
        await waitFor(() => probe.held.every((h, i) => h.reads.length > marks[i]!))
        for (const held of probe.held)
          expect([held.tenant, held.reads.at(-1)]).toEqual([held.tenant, null])
      })

      it('30 queued on one connection: one listener on it, so Node warns of no leak, and all close', async () => {
        const port = await start()
        const warnings: string[] = []
        const onWarning = (warning: Error) => warnings.push(warning.name)
        process.on('warning', onWarning)
        try {
          await pipelineThenHangUp(
            port,
            Array.from({ length: 30 }, (_, i) => `queued-${i}`),
          )
          await sleep(20) // process warnings are emitted on a later tick
          expect(warnings).not.toContain('MaxListenersExceededWarning')
        } finally {
          process.off('warning', onWarning)
        }
      })

      /**
       * Sends one held request per tenant, pipelined on one raw connection, waits until every
       * handler runs (all but the first response queued), hangs up, and waits until every
       * scope that opened has closed.
       */
      async function pipelineThenHangUp(port: number, tenants: string[]): Promise<void> {
        const opened = new Set<RequestScope>()
        const closed = new Set<RequestScope>()
        const onOpen = (m: unknown) => {
          const { scope } = m as { scope: RequestScope }
          if (scope.request?.url === '/lifecycle/hold') opened.add(scope)
        }
        const onClose = (m: unknown) => closed.add((m as { scope: RequestScope }).scope)
        diagnostics.subscribe(TENANT_CHANNELS.scopeOpen, onOpen)
        diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
        try {
          const socket = net.connect(port, '127.0.0.1')
          socket.on('error', () => {})
          await once(socket, 'connect')
          socket.write(
            tenants
              .map((t) => `GET /lifecycle/hold HTTP/1.1\r\nHost: x\r\nX-Tenant-ID: ${t}\r\n\r\n`)
              .join(''),
          )
          await waitFor(() => probe.held.length === tenants.length)
          socket.destroy()
          await waitFor(
            () => opened.size === tenants.length && [...opened].every((s) => closed.has(s)),
          )
        } finally {
          diagnostics.unsubscribe(TENANT_CHANNELS.scopeOpen, onOpen)
          diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
        }
      }
    })
  })
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(5)
  }
}
