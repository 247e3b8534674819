/**
 * Framework-neutral code behind the `/peers/...` routes each harness mounts for
 * peers.contract.ts. Every function reads `getCurrentTenant()` at the point the scenario is
 * about; the harness files (`*.peers.ts`) only wire them into each framework's idioms.
 *
 * Routes (all JSON unless said otherwise; `T` is a tenant-read object `{ point: tenant }`):
 * - `GET /peers/barrier?key=K[&set=ID]`: optionally `setTenant(ID)`, then waits at barrier `K`
 *   until 2 requests arrived; answers `{ tenants: T }` read before and after the barrier.
 * - `POST /peers/middleware-set?key=K`: a route-level middleware (Fastify: preValidation hook,
 *   Nest: guard) calls `setTenant(body.set)` from the parsed JSON body; the handler waits at
 *   barrier `K` and answers `{ tenants: T }`.
 * - `POST /peers/body/:kind` (`json`, `urlencoded`, `text`, `raw`): the framework's parser for
 *   that kind; answers `{ echo, tenants: T }` with `afterParse` and handler reads.
 * - `POST /peers/file`: multipart with a `note` field and a `file` part, parsed by multer,
 *   @fastify/multipart or koa-body; answers `{ note, bytes, chunkTenants, tenants: T }` where
 *   `chunkTenants` are the tenants read on the file stream's chunks.
 * - `GET /peers/stream`: text, a Readable piped through a Transform to the response; each line
 *   says where it was produced and the tenant read there (`read <t>` / `transform <t>`).
 * - `GET /peers/generator`: text, `Readable.from()` over an async generator handed to the
 *   framework as the response body; each line is `gen <t>`.
 * - `GET /peers/error/:kind`: `middleware-await` (route middleware throws after an await),
 *   `callback-reject` (the handler's promise is rejected from a timer callback), `stream` (the
 *   handler iterates a Readable that is destroyed with an error). The app's error handler
 *   answers 500 `{ errorHandlerTenant, message }` (app-parts.ts `errorBody`).
 * - `GET /peers/keepalive[?set=ID]`: `{ tenants: { start, afterSet, later } }`.
 * - `GET /peers/nested`: nested `withTenant()` calls; `{ tenants: T }`.
 * - `POST /peers/abort`: reads an octet-stream body with `data` listeners; records into
 *   `peersState(probe).abortChunks` and never answers (the client aborts mid-body).
 */
import { EventEmitter } from 'node:events'
import { Readable, Transform } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { getCurrentTenant, setTenant, withTenant } from '@tracium/core'
import { nestedRead, readUpload, tenantService } from './app-parts.js'
import type { Probe } from './harness.js'

type Tenants = Record<string, string | null>

/** Lets `parties` requests wait for each other; one key per pair of requests. */
export class Barrier {
  private readonly waiting = new Map<
    string,
    { count: number; open: () => void; opened: Promise<void> }
  >()

  /** Resolves once `parties` callers arrived with `key`. */
  arrive(key: string, parties = 2): Promise<void> {
    let entry = this.waiting.get(key)
    if (entry === undefined) {
      let open!: () => void
      const opened = new Promise<void>((resolve) => {
        open = resolve
      })
      entry = { count: 0, open, opened }
      this.waiting.set(key, entry)
    }
    if (++entry.count === parties) {
      this.waiting.delete(key)
      entry.open()
    }
    return entry.opened
  }
}

/** What the peers routes share with the test, per running app. */
export class PeersState {
  readonly barrier = new Barrier()
  /** Tenants read on the chunks of `/peers/abort` bodies, in arrival order. */
  readonly abortChunks: Array<string | null> = []
  /** Emits `abort-chunk` on each such chunk, so the test waits for the event, not a delay. */
  readonly events = new EventEmitter()
}

const states = new WeakMap<Probe, PeersState>()

/** The peers state of the app started with `probe` (created on first use). */
export function peersState(probe: Probe): PeersState {
  let state = states.get(probe)
  if (state === undefined) {
    state = new PeersState()
    states.set(probe, state)
  }
  return state
}

/** Reads after an await on a timer callback, in nested async code and in a service. */
async function laterReads(): Promise<Tenants> {
  const afterTimer = await new Promise<string | null>((resolve) =>
    setTimeout(() => resolve(getCurrentTenant()), 1),
  )
  return { afterTimer, nested: await nestedRead(), service: tenantService.current() }
}

/** `GET /peers/barrier`: set (optionally), wait for the other request, read. */
export async function barrierRoute(state: PeersState, key: string, set?: string): Promise<Tenants> {
  if (set) setTenant(set)
  const entered = getCurrentTenant()
  await state.barrier.arrive(key)
  const afterBarrier = getCurrentTenant()
  return { entered, afterBarrier, ...(await laterReads()) }
}

/** The route middleware of `POST /peers/middleware-set`: the tenant comes from the parsed body. */
export function setFromBody(body: unknown): string | null {
  const set = (body as { set?: string } | undefined)?.set
  if (typeof set === 'string') setTenant(set)
  return getCurrentTenant()
}

/** The handler of `POST /peers/middleware-set`. */
export async function middlewareSetRoute(
  state: PeersState,
  key: string,
  inMiddleware: string | null,
): Promise<Tenants> {
  const handler = getCurrentTenant()
  await state.barrier.arrive(key)
  return { inMiddleware, handler, afterBarrier: getCurrentTenant(), ...(await laterReads()) }
}

/** The handler of `POST /peers/body/:kind`: echoes what the parser produced. */
export async function bodyRoute(
  body: unknown,
  afterParse: string | null,
  extra: Tenants = {},
): Promise<{ echo: string | null; tenants: Tenants }> {
  const handler = getCurrentTenant()
  const echo =
    typeof body === 'string'
      ? body
      : Buffer.isBuffer(body)
        ? body.toString('utf8')
        : ((body as { note?: string } | undefined)?.note ?? null)
  return { echo, tenants: { ...extra, afterParse, handler, ...(await laterReads()) } }
}

/** The response of `POST /peers/file`, once the framework stored the file. */
export async function fileRoute(
  note: string | undefined,
  file: { bytes: number; chunkTenants: Array<string | null> } | undefined,
): Promise<Record<string, unknown>> {
  const afterUpload = getCurrentTenant()
  return {
    note: note ?? null,
    bytes: file?.bytes ?? null,
    chunkTenants: file?.chunkTenants ?? null,
    tenants: { afterUpload, ...(await laterReads()) },
  }
}

/** 512 lines of 32 KiB: more than loopback socket buffers hold while the client is paused. */
export const STREAM_LINES = 512
const PAD = 'x'.repeat(32 * 1024)

/**
 * `GET /peers/stream?key=K`: a Readable whose `read()` produces one line per call (after a
 * timer, as a source of model tokens would), through a Transform; both record the tenant they
 * read. When the response pushes back (the client paused), the source pauses and `stream-paused`
 * is emitted with `K`; after that, `read()` and `transform()` run from the response's `drain`.
 */
export function tenantStream(state?: PeersState, key?: string): Readable {
  let produced = 0
  const source = new Readable({
    read() {
      if (produced === STREAM_LINES) {
        this.push(null)
        return
      }
      const tenant = getCurrentTenant()
      produced++
      setImmediate(() => this.push(`read ${tenant} ${PAD}\n`))
    },
  })
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, `transform ${getCurrentTenant()} ${chunk.toString('utf8')}`)
    },
  })
  source.on('error', (error) => transform.destroy(error))
  source.once('pause', () => state?.events.emit('stream-paused', key))
  return source.pipe(transform)
}

/** Lines `GET /peers/generator` answers. */
export const GENERATOR_LINES = 20

/**
 * `GET /peers/generator`: `Readable.from()` over an async generator, as streamed model answers
 * are written. The generator's body first runs when the framework starts reading the stream,
 * i.e. wherever the framework pipes it to the response.
 */
export function tenantGenerator(): Readable {
  async function* tokens() {
    for (let i = 0; i < GENERATOR_LINES; i++) {
      await new Promise((resolve) => setImmediate(resolve))
      yield `gen ${getCurrentTenant()}\n`
    }
  }
  return Readable.from(tokens())
}

/** `GET /peers/error/middleware-await`: a route middleware that fails after an await. */
export async function failAfterAwait(): Promise<never> {
  await sleep(1)
  throw new Error('boom')
}

/** `GET /peers/error/callback-reject`: the rejection comes from a timer callback. */
export function rejectFromCallback(): Promise<never> {
  return new Promise((_resolve, reject) => setTimeout(() => reject(new Error('boom')), 1))
}

/** `GET /peers/error/stream`: iterating a stream that errors (an upstream that fails). */
export async function failInStream(): Promise<never> {
  let sent = 0
  const upstream = new Readable({
    read() {
      if (sent++ < 3) setImmediate(() => this.push('token '))
      else setImmediate(() => this.destroy(new Error('boom')))
    },
  })
  for await (const _chunk of upstream) {
    // consumes tokens until the upstream fails
  }
  throw new Error('the upstream stream ended without its error')
}

/** `GET /peers/keepalive`: what a request sees at its start, after an optional set and later. */
export async function keepAliveRoute(set?: string): Promise<Tenants> {
  const start = getCurrentTenant()
  if (set) setTenant(set)
  const afterSet = getCurrentTenant()
  await sleep(Math.floor(Math.random() * 3))
  return { start, afterSet, later: getCurrentTenant() }
}

/** `GET /peers/nested`: nested withTenant() calls, awaited and concurrent, do not leak out. */
export async function nestedRoute(): Promise<Tenants> {
  const outer = getCurrentTenant()
  const inner = await withTenant('peers-inner', async () => {
    await sleep(1)
    const read = getCurrentTenant()
    setTenant('peers-inner-set')
    return { read, afterSet: getCurrentTenant() }
  })
  const none = await withTenant(null, async () => {
    await sleep(1)
    return getCurrentTenant()
  })
  // A nested scope that is still running while the outer code reads.
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const running = withTenant('peers-concurrent', async () => {
    await gate
    return getCurrentTenant()
  })
  const outerWhileNested = getCurrentTenant()
  release()
  const concurrent = await running
  return {
    outer,
    inner: inner.read,
    innerAfterSet: inner.afterSet,
    none,
    outerWhileNested,
    concurrent,
    outerAfter: getCurrentTenant(),
    ...(await laterReads()),
  }
}

/** `POST /peers/abort`: reads the body with listeners; never answers. */
export function abortRoute(state: PeersState, stream: NodeJS.ReadableStream): void {
  stream.on('data', () => {
    state.abortChunks.push(getCurrentTenant())
    state.events.emit('abort-chunk')
  })
  stream.on('error', () => {}) // the client's abort; the scope-close event is what the test checks
}

/** What the multer-compatible storage engine below stores for a file. */
export interface PeersStoredFile {
  size: number
  chunkTenants: Array<string | null>
}

/**
 * A multer storage engine (also accepted by Nest's FileInterceptor on both platforms): reads the
 * file stream with `data` listeners, recording the tenant per chunk, and keeps only counts.
 */
export const peersStorage = {
  _handleFile(
    _req: unknown,
    file: { stream: NodeJS.ReadableStream },
    callback: (error: Error | null, info?: Partial<PeersStoredFile>) => void,
  ): void {
    readUpload(file.stream).then(
      ({ bytes, chunkTenants }) => callback(null, { size: bytes, chunkTenants }),
      (error: Error) => callback(error),
    )
  },
  _removeFile(_req: unknown, _file: unknown, callback: (error: Error | null) => void): void {
    callback(null)
  },
}
