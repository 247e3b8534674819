/**
 * Binds a request's HTTP streams (the request and the response, on HTTP/1 and on the HTTP/2
 * compatibility API) to the request's scope (S7), cheaply enough for every request.
 *
 * Node emits later body chunks of a request, and a response's `finish` or `drain`, from the
 * socket's (or HTTP/2 session's) async context, created before the request's scope: so
 * `req.on('data', …)` in a handler loses the tenant after the first chunk, and so does a
 * `res.on('finish', …)` when the framework ends the response outside the scope (Koa does, in
 * `respond()`). Patching each request object's methods fixes that but costs about 7 µs a request
 * (measured: adding own properties to an `IncomingMessage`, whose prototype Express has swapped,
 * is slow). So the listener methods of the four prototypes are wrapped once per process, and a
 * request is bound by one entry in a table keyed by the request (`StreamBindings`): a response
 * finds it through `res.req`, which Node sets on both APIs' responses, so binding the response
 * side costs no second entry. Streams that no adapter registered (client requests and
 * responses, other servers) behave exactly as before.
 *
 * `Readable.prototype.pipe` is wrapped too, for a stream piped into a bound response: Koa 3
 * pipes a stream `ctx.body` (and a Blob, web stream or Response it wraps) into the response after
 * the middleware chain settled, outside the scope, and every chunk the source then produces (its
 * `read()`, an async generator's `next()`) runs in the context the pipe was started from.
 */
import type { EventEmitter } from 'node:events'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { Readable, type Writable } from 'node:stream'
import { type Binder, type Listener, once, persistent } from './emitter.js'
import { StreamBindings } from './stream-bindings.js'

/** A server request: `node:http`'s or the `node:http2` compatibility API's. */
export type HttpRequestStream = IncomingMessage | Http2ServerRequest
/** A server response: `node:http`'s or the `node:http2` compatibility API's. */
export type HttpResponseStream = ServerResponse | Http2ServerResponse

/** What a request's streams are bound to: its scope. */
export interface StreamScope extends Binder {
  readonly closed: boolean
  run<T>(fn: () => T): T
}

type Add = (this: EventEmitter, event: string | symbol, listener: Listener) => EventEmitter
type Pipe = (this: Readable, destination: Writable, options?: { end?: boolean }) => Writable

// In the global symbol registry, so two copies of core patch once and share the table (S8).
// v2: v1 (an older core) patched IncomingMessage only; both can be loaded, each uses its own map.
// A v2 copy of core may have registered a WeakMap: it has the same get/set/delete by request.
const REGISTRY_KEY = Symbol.for('@tracium/core:http-stream-bindings:v2')
interface Table {
  get(req: HttpRequestStream | undefined): StreamScope | undefined
  set(req: HttpRequestStream, scope: StreamScope): unknown
  delete(req: HttpRequestStream): unknown
}
type Registry = { [REGISTRY_KEY]?: Table }
/** Finds the request whose binding a stream uses: the request itself, or a response's `req`. */
type RequestOf = (stream: object) => HttpRequestStream | undefined

/**
 * From now on, listeners added to `req` and to its response (`res.req === req`) run in `scope`
 * (`scope.bind`), and a stream piped into the response is started in it, until
 * {@link unbindHttpStreams}. The scope itself is the map's value: no closure per request.
 */
export function bindHttpStreams(req: HttpRequestStream, scope: StreamScope): void {
  bindings().set(req, scope)
}

/**
 * Ends the binding when the request is over. Not only tidy: a WeakMap holding every request
 * until its collection makes each GC walk tens of thousands of ephemerons (measured: GC went
 * from 3% to 15% of a Koa server's time), and a connection's slot is free for its next request.
 */
export function unbindHttpStreams(req: HttpRequestStream): void {
  ;(globalThis as Registry)[REGISTRY_KEY]?.delete(req)
}

/** The scope `req` is bound to, while its request is open; `undefined` otherwise. */
export function boundScopeOf(req: HttpRequestStream): StreamScope | undefined {
  return (globalThis as Registry)[REGISTRY_KEY]?.get(req)
}

function bindings(): Table {
  const registry = globalThis as Registry
  let map = registry[REGISTRY_KEY]
  if (map !== undefined) return map
  map = new StreamBindings<HttpRequestStream, StreamScope>()
  registry[REGISTRY_KEY] = map
  const itself: RequestOf = (req) => req as HttpRequestStream
  const requestOf: RequestOf = (res) => (res as HttpResponseStream).req
  for (const Stream of [IncomingMessage, Http2ServerRequest]) {
    patchListeners(Stream.prototype as unknown as Record<string, Add>, map, itself)
  }
  for (const Stream of [ServerResponse, Http2ServerResponse]) {
    patchListeners(Stream.prototype as unknown as Record<string, Add>, map, requestOf)
  }
  patchPipe(map)
  return map
}

function patchListeners(proto: Record<string, Add>, map: Table, requestOf: RequestOf): void {
  const on = proto.on!
  const prepend = proto.prependListener!
  const addPersistent = (add: Add): Add =>
    function (event, listener) {
      const scope = map.get(requestOf(this))
      return add.call(this, event, scope === undefined ? listener : persistent(scope, listener))
    }
  // Our own once: Node's once() goes through on(), and a wrapped once-wrapper could not remove
  // itself.
  const addOnce = (add: Add, original: Add): Add =>
    function (event, listener) {
      const scope = map.get(requestOf(this))
      if (scope === undefined) return original.call(this, event, listener)
      return add.call(this, event, once(scope, event, listener))
    }
  proto.once = addOnce(on, proto.once!)
  proto.prependOnceListener = addOnce(prepend, proto.prependOnceListener!)
  proto.on = proto.addListener = addPersistent(on)
  proto.prependListener = addPersistent(prepend)
}

function patchPipe(map: Table): void {
  const proto = Readable.prototype as unknown as { pipe: Pipe }
  const pipe = proto.pipe
  // `stream.pipeline(source, res)` goes through source.pipe(res) too, as Koa 3's respond() does.
  proto.pipe = function pipeInScope(destination, options) {
    const response =
      destination instanceof ServerResponse || destination instanceof Http2ServerResponse
    const scope = response ? map.get(destination.req) : undefined
    if (scope === undefined || scope.closed) return pipe.call(this, destination, options)
    return scope.run(() => pipe.call(this, destination, options))
  }
}
