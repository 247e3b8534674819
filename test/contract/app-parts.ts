/** Code every contract app shares: what "services" and "nested async code" do in each framework. */
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises'
import { getCurrentTenant, requireTenant } from '@tracium/core'
import type { Probe } from './harness.js'

/** A service module: reads the tenant without being handed a request. */
export const tenantService = {
  current: (): string | null => getCurrentTenant(),
}

/** Nested async code: two levels of awaits with random timers in between. */
export async function nestedRead(): Promise<string | null> {
  await sleep(Math.floor(Math.random() * 4))
  return inner()
}

async function inner(): Promise<string | null> {
  await immediate()
  await sleep(Math.floor(Math.random() * 3))
  return getCurrentTenant()
}

/** The handler's reads for `/tenant` and `/body`. */
export async function handlerReads(): Promise<Record<string, string | null>> {
  const handler = getCurrentTenant()
  const nested = await nestedRead()
  return { handler, nested, service: tenantService.current() }
}

/** Writes 20 server-sent events 10 ms apart, each with the tenant read at that moment. */
export function streamEvents(write: (chunk: string) => void, end: () => void): void {
  let sent = 0
  const timer = setInterval(() => {
    write(`data: ${getCurrentTenant()}\n\n`)
    if (++sent === 20) {
      clearInterval(timer)
      end()
    }
  }, 10)
}

/** A resource created during a request that outlives it (S2). */
export function leakTimer(probe: Probe): void {
  setTimeout(() => probe.late.push(getCurrentTenant()), 30)
}

/**
 * `true` when the app's error handler should pass a TenantError on (`x-pass-on: 1`), as an app
 * whose handler only answers its own errors does; the adapter's error handling must then answer
 * it (errors.contract.ts).
 */
export function passesOn(headers: Record<string, unknown>, error: unknown): boolean {
  return headers['x-pass-on'] === '1' && (error as { name?: string })?.name === 'TenantError'
}

/** `GET /require-async`: app code that needs a tenant, after an await (issue 9). */
export async function requireAfterAwait(): Promise<{ tenant: string }> {
  await sleep(1)
  return { tenant: requireTenant() }
}

/** The JSON body `GET /throw-*` and forwarded TenantErrors are answered with. */
export function errorBody(error: unknown): { status: number; body: Record<string, unknown> } {
  const err = error as { name?: string; code?: string; status?: number; message?: string }
  if (err?.name === 'TenantError') {
    return {
      status: err.status!,
      body: { forwarded: err.code, errorHandlerTenant: getCurrentTenant() },
    }
  }
  return { status: 500, body: { errorHandlerTenant: getCurrentTenant(), message: err?.message } }
}

/**
 * Reads a request stream with `data` listeners, as upload handlers do, recording the tenant on
 * every chunk. Later chunks are emitted from the socket's context (S7).
 */
export function readUpload(
  stream: NodeJS.ReadableStream,
): Promise<{ bytes: number; chunkTenants: Array<string | null> }> {
  return new Promise((resolve, reject) => {
    let bytes = 0
    const tenants = new Set<string | null>()
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      tenants.add(getCurrentTenant())
    })
    stream.on('end', () => resolve({ bytes, chunkTenants: [...tenants] }))
    stream.on('error', reject)
  })
}
