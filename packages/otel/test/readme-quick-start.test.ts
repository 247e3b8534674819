/**
 * The README's quick start, run verbatim (issue 10, "Done when"): its `otel.mjs` and `server.mjs`
 * blocks are written to a directory inside this package (so their imports resolve as in a user's
 * app) and started with the README's own command line. Two substitutions only: the receiver
 * listens where the README says `localhost:4318`, and the server gets a free port for `3000`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const SPAN_KIND_SERVER = 2

/** The fenced blocks of the README's quick start section, in order. */
async function quickStartBlocks(): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf('## Quick start')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  return [...section.matchAll(/```(?:js|sh)\n([\s\S]*?)```/g)].map((m) => m[1]!)
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** GET `path` once the server accepts connections (it prints nothing when it listens). */
async function getWhenUp(port: number, path: string, headers: Record<string, string>) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, headers }, (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => {
              body += chunk
            })
            res.on('end', () => resolve({ status: res.statusCode!, body }))
          })
          .on('error', reject)
      })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || attempt > 200) throw error
      await new Promise((resolve) => setTimeout(resolve, 50)) // start-up: retry the connect
    }
  }
}

describe("the README's quick start: an app that already runs OpenTelemetry", () => {
  let receiver: OtlpReceiver
  let child: ChildProcess | undefined
  let port: number
  let stderr = ''
  const dir = join(root, `.quick-start-${process.pid}`)

  beforeAll(async () => {
    const [otel, server, command] = await quickStartBlocks()
    expect(otel).toMatch(/^\/\/ otel\.mjs\n/)
    expect(server).toMatch(/^\/\/ server\.mjs\n/)
    receiver = await startOtlpReceiver()
    port = await freePort()
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'otel.mjs'), otel!)
    await writeFile(
      join(dir, 'server.mjs'),
      server!.replace('app.listen(3000)', `app.listen(${port})`),
    )
    // `NAME=value … node args…`, as a shell runs it.
    const words = command!.trim().split(/\s+/)
    const env: Record<string, string> = {}
    while (/^[A-Z_]+=/.test(words[0]!)) {
      const [name, value] = words.shift()!.split(/=(.*)/)
      env[name!] = value!
    }
    expect(env).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })
    expect(words[0]).toBe('node')
    env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url
    child = spawn(process.execPath, words.slice(1), {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
  })
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill()
      await once(child, 'exit')
    }
    await receiver?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('every request’s server span carries its own tenant', async () => {
    const tenants = Array.from({ length: 20 }, (_, i) => `tenant-${i}`)
    const answers = await Promise.all(
      tenants.map((tenant) => getWhenUp(port, '/chat', { 'x-tenant-id': tenant })),
    )
    expect(answers.map((a) => JSON.parse(a.body).tenant)).toEqual(tenants)
    // The BatchSpanProcessor exports within its 5 s delay.
    const serverSpans = () => receiver.spans.filter((s) => s.kind === SPAN_KIND_SERVER)
    await receiver.waitFor(() => serverSpans().length >= tenants.length)
    const stamped = serverSpans().map((s) => [
      s.attributes['tracium.user.id'],
      s.attributes['tenant.id'],
    ])
    // One server span per tenant, each stamped with it (and its duplicate): none shared, none lost.
    expect(stamped.map(([id]) => id).sort()).toEqual([...tenants].sort())
    for (const [id, duplicate] of stamped) expect(duplicate).toBe(id)
    expect(stderr).not.toMatch(/Error/)
  }, 60_000)
})
