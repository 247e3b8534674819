/**
 * The packages as a user installs them (DEVELOPERS.md: "what passes from source but breaks from
 * `pnpm pack` is broken"): packed tarballs in fresh npm apps outside the workspace, one per
 * framework as users have them, compiled with strict NodeNext and `skipLibCheck: false` (a
 * missing type augmentation or a declaration that names a dev dependency fails here), run with
 * the Node under test and asked over raw sockets. CI runs it on Node 20, 22 and 24.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, type RawReply, rawRequest } from '../contract/client.js'
import {
  installApp,
  type PackedApp,
  packAll,
  type RunningApp,
  scratchDir,
  startApp,
} from './packed-apps.js'

const run = promisify(execFile)
const APPS = ['express', 'fastify', 'koa', 'nest'] as const
// Installing four apps from the registry (or npm's cache) is the slow part.
const INSTALL_MS = 600_000

let scratch: string
const apps = new Map<string, PackedApp>()
const running: RunningApp[] = []

beforeAll(async () => {
  scratch = await scratchDir()
  const tarballs = await packAll(scratch)
  const installed = await Promise.all(APPS.map((name) => installApp(name, tarballs, scratch)))
  for (const [i, app] of installed.entries()) apps.set(APPS[i]!, app)
}, INSTALL_MS)

afterAll(async () => {
  await Promise.all(running.map((app) => app.stop()))
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

async function start(name: string, env?: NodeJS.ProcessEnv): Promise<RunningApp> {
  const app = await startApp(apps.get(name)!, 'server.mjs', env)
  running.push(app)
  return app
}

const who = (port: number, ...headers: string[]) =>
  rawRequest(port, ['Host: 127.0.0.1', ...headers], '/who')

function expectClientProblem(reply: RawReply, status: number, code: string): void {
  expectProblem(reply, status, code)
  // E1: what a client reads says what is wrong, not how to wire the middleware.
  expect(JSON.parse(reply.body).detail).not.toMatch(/traciumTenant|mount/i)
}

/** The three answers every app gives: its tenant, none (401), and a header sent twice (400). */
async function expectTenantContract(port: number, tenant: string) {
  const ok = await who(port, `X-Tenant-ID: ${tenant}`)
  expect(ok.status).toBe(200)
  const body = JSON.parse(ok.body)
  expect(body).toMatchObject({ tenant, same: tenant })
  expectClientProblem(await who(port), 401, 'TENANT_MISSING')
  // Node joins the two into "a, b": a raw socket is the only way to send them.
  expectClientProblem(await who(port, 'X-Tenant-ID: a', 'x-tenant-id: b'), 400, 'TENANT_INVALID')
  return body
}

// Run in the app's directory, so both resolve the packages as the app does.
const EXPORT_NAMES = `
import { createRequire } from 'node:module'
const require = createRequire(process.cwd() + '/')
const names = (m) => Object.keys(m).filter((k) => k !== 'default').sort()
const out = {}
for (const name of process.argv.slice(1)) {
  out[name] = { esm: names(await import(name)), cjs: names(require(name)) }
}
console.log(JSON.stringify(out))
`

describe.each(APPS)('packed %s app', (name) => {
  it('compiles against the packed declarations (strict, NodeNext, skipLibCheck off)', () => {
    const { code, output } = apps.get(name)!.compiled
    expect({ code, output }).toEqual({ code: 0, output: '' })
  })

  it('gets the same exports from each package by require as by import', async () => {
    const app = apps.get(name)!
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', EXPORT_NAMES, ...app.packages],
      { cwd: app.dir },
    )
    const builds: Record<string, { esm: string[]; cjs: string[] }> = JSON.parse(stdout)
    for (const [pkg, { esm, cjs }] of Object.entries(builds)) {
      // A bundler helper leaking into the CJS exports (`__toESM`) once did not.
      expect({ pkg, cjs }).toEqual({ pkg, cjs: esm })
    }
  })
})

describe('packed apps over raw sockets, on this Node', () => {
  it('express: the tenant in the route, on req.tenant and on an OpenTelemetry span', async () => {
    const store = await mkdtemp(join(scratch, 'store-'))
    const app = await start('express', { TRACIUM_DIR: store })
    const body = await expectTenantContract(app.ports.express!, 'acme-express')
    expect(body.span).toBe('acme-express')

    // The SDK's request traces reach the local store by the exit flush (SIGTERM), and the
    // packed `tracium` bin reads them back by tenant.
    const { code, signal } = await app.stop()
    expect(code === 0 || signal === 'SIGTERM').toBe(true)
    const cli = join(apps.get('express')!.dir, 'node_modules/.bin/tracium')
    const { stdout } = await run(process.execPath, [cli, 'report', '--json', '--dir', store])
    const report = JSON.parse(stdout)
    expect(JSON.stringify(report)).toContain('acme-express')
  })

  it('express: the CommonJS build of each package, with one tenant context', async () => {
    const app = apps.get('express')!
    const { stdout } = await run(process.execPath, [join(app.dir, 'dist/require.cjs')])
    expect(JSON.parse(stdout)).toEqual({
      core: 'function',
      express: 'function',
      otel: 'function',
      sdk: 'function',
      shared: 'acme',
    })
  })

  it('fastify: the tenant in the route and in a job processed after it', async () => {
    const app = await start('fastify')
    const body = await expectTenantContract(app.ports.fastify!, 'acme-fastify')
    expect(body.job).toEqual({ text: 'hello', tenant: 'acme-fastify' })
  })

  it('koa: the tenant in the middleware and on ctx.state.tenant', async () => {
    const app = await start('koa')
    await expectTenantContract(app.ports.koa!, 'acme-koa')
  })

  it('nest: the README module on both platforms', async () => {
    const app = await start('nest')
    await expectTenantContract(app.ports['nest-express']!, 'acme-nest-express')
    await expectTenantContract(app.ports['nest-fastify']!, 'acme-nest-fastify')
  })
})
