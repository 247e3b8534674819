/**
 * `exclude` and `fromPath` follow the framework's routing rule (issue 9, "Also"): a path the
 * router sends to the excluded route is excluded, and `fromPath('/t/:tenant')` matches exactly
 * the paths the router matches with `/t/:tenant/…`, with the tenant the router parses. The
 * router itself is the oracle: each path goes to an app without Tracium rules (what the router
 * does) and to one with them (what Tracium does), and the two must agree.
 */
import { fromPath, type TraciumTenantOptions } from '@tracium/core'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'
import { type AdapterHarness, type ContractServer, Probe, type RouterSettings } from './harness.js'

/** Spellings of `/health`: case, trailing slashes, percent-encoding, near misses. */
const HEALTH_PATHS = [
  '/health',
  '/HEALTH',
  '/Health',
  '/health/',
  '/HEALTH/',
  '/health//',
  '/%68ealth',
  '/%48EALTH',
  '/health?probe=1',
  '/healthz',
  '/health/deep',
]

/** Spellings of the `/t/` prefix and tenant segment, before a fixed `/whoami`. */
const TENANT_PATHS = [
  '/t/acme/whoami',
  '/T/acme/whoami',
  '/t/Acme/whoami',
  '/%74/acme/whoami',
  '/%54/acme/whoami',
  '/t/%41cme/whoami',
  '/t/ac%2Fme/whoami',
  '/tt/acme/whoami',
]

export function describeRoutingRulesContract(harness: AdapterHarness): void {
  describe(`routing rules: ${harness.name}`, () => {
    const servers: ContractServer[] = []
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => server.close()))
    })
    async function start(options: TraciumTenantOptions, router?: RouterSettings) {
      // Koa's middleware cannot see @koa/router's options: the app states them (documented).
      const told =
        router && !harness.seesRouterSettings ? { ...options, pathMatching: router } : options
      const server = await harness.start(told, new Probe(), router)
      servers.push(server)
      return server.port
    }

    /** For each path: does the router send it to /health, and does Tracium exclude it? */
    async function excludeOutcomes(router?: RouterSettings) {
      const plain = await start({}, router)
      const guarded = await start({ required: true, exclude: ['/health'] }, router)
      const outcomes: Array<{ path: string; routed: boolean; excluded: boolean }> = []
      for (const path of HEALTH_PATHS) {
        const truth = await send(plain, { path })
        const routed = truth.status === 200 && truth.json().health === 'ok'
        // Not excluded: resolution runs and, with no tenant, `required` answers 401.
        const res = await send(guarded, { path })
        outcomes.push({ path, routed, excluded: res.status !== 401 })
      }
      return outcomes
    }

    /** For each path: the router's param (or null: no match), and what fromPath yielded. */
    async function fromPathOutcomes(router?: RouterSettings) {
      const plain = await start({}, router)
      const guarded = await start({ resolve: fromPath('/t/:tenant'), required: true }, router)
      const outcomes: Array<{ path: string; param: string | null; tenant: string | null }> = []
      for (const path of TENANT_PATHS) {
        const truth = await send(plain, { path })
        const param = truth.status === 200 ? (truth.json().param as string) : null
        const res = await send(guarded, { path })
        // 401: fromPath found no tenant. 404: it found one the router does not route.
        const tenant =
          res.status === 200 ? res.json().tenant : res.status === 404 ? 'unrouted' : null
        outcomes.push({ path, param, tenant })
      }
      return outcomes
    }

    const variants: Array<[string, RouterSettings | undefined]> = [
      ['default settings', undefined],
      ['case-sensitive routing', { caseSensitive: true }],
      ['case-insensitive routing', { caseSensitive: false }],
      ['strict routing', { strict: true }],
      ['trailing slash ignored', { strict: false }],
    ]

    describe.each(variants)('%s', (_name, router) => {
      it("exclude: ['/health'] excludes exactly the paths the router sends to /health", async () => {
        const outcomes = await excludeOutcomes(router)
        for (const { path, routed, excluded } of outcomes) {
          expect({ path, excluded }).toEqual({ path, excluded: routed })
        }
      })

      it("fromPath('/t/:tenant') matches the paths the router matches, with its param", async () => {
        const outcomes = await fromPathOutcomes(router)
        for (const { path, param, tenant } of outcomes) {
          expect({ path, tenant }).toEqual({ path, tenant: param })
        }
      })
    })

    it("with default settings, /HEALTH and /health/ follow the framework's documented rule", async () => {
      const { caseSensitive, strict, decode } = harness.routing
      const outcomes = new Map((await excludeOutcomes()).map((o) => [o.path, o]))
      // The oracle agrees with the rule the harness states, so neither can drift unnoticed.
      expect(outcomes.get('/health')).toMatchObject({ routed: true, excluded: true })
      expect(outcomes.get('/HEALTH')).toMatchObject({
        routed: !caseSensitive,
        excluded: !caseSensitive,
      })
      expect(outcomes.get('/health/')).toMatchObject({ routed: !strict, excluded: !strict })
      expect(outcomes.get('/%68ealth')).toMatchObject({ routed: decode, excluded: decode })
      expect(outcomes.get('/healthz')).toMatchObject({ routed: false, excluded: false })
    })

    it("with default settings, fromPath reads /T/Acme/whoami by the framework's case rule", async () => {
      const { caseSensitive } = harness.routing
      const port = await start({ resolve: fromPath('/t/:tenant'), required: true })
      const res = await send(port, { path: '/T/Acme/whoami' })
      if (caseSensitive) expect(res.status).toBe(401)
      else expect([res.status, res.json().tenant]).toEqual([200, 'Acme']) // the tenant keeps its case
    })
  })
}
