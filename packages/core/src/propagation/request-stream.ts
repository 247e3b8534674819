/**
 * Binds listeners on HTTP request streams to their request's scope (S7), cheaply enough for
 * every request.
 *
 * Node emits later body chunks of a request from the socket's async context, created before the
 * request's scope, so `req.on('data', …)` in a handler loses the tenant after the first chunk.
 * Patching each request object's methods fixes that but costs about 7 µs a request (measured:
 * adding own properties to an `IncomingMessage`, whose prototype Express has swapped, is slow).
 * So `IncomingMessage.prototype`'s listener methods are wrapped once per process, and a request
 * is bound by one `WeakMap` entry: about 0.3 µs. Requests that no adapter registered, and
 * client responses, behave exactly as before.
 */
import { IncomingMessage } from 'node:http'
import { type Binder, type Listener, once, persistent } from './emitter.js'

type Add = (this: IncomingMessage, event: string | symbol, listener: Listener) => IncomingMessage

// In the global symbol registry, so two copies of core patch once and share the map (S8).
const REGISTRY_KEY = Symbol.for('@tracium/core:request-stream-bindings')
type Registry = { [REGISTRY_KEY]?: WeakMap<IncomingMessage, Binder> }

/**
 * From now on, listeners added to `req` are wrapped by `binder.bind` (the request scope's), until
 * {@link unbindRequestStream}. The scope itself is the map's value: no closure per request.
 */
export function bindRequestStream(req: IncomingMessage, binder: Binder): void {
  bindings().set(req, binder)
}

/**
 * Ends the binding when the request is over. Not only tidy: a WeakMap holding every request
 * until its collection makes each GC walk tens of thousands of ephemerons (measured: GC went
 * from 3% to 15% of a Koa server's time).
 */
export function unbindRequestStream(req: IncomingMessage): void {
  ;(globalThis as Registry)[REGISTRY_KEY]?.delete(req)
}

function bindings(): WeakMap<IncomingMessage, Binder> {
  const registry = globalThis as Registry
  let map = registry[REGISTRY_KEY]
  if (map !== undefined) return map
  map = new WeakMap()
  registry[REGISTRY_KEY] = map
  patchPrototype(map)
  return map
}

function patchPrototype(map: WeakMap<IncomingMessage, Binder>): void {
  const proto = IncomingMessage.prototype as unknown as Record<string, Add>
  const on = proto.on!
  const prepend = proto.prependListener!
  const addPersistent = (add: Add): Add =>
    function (event, listener) {
      const binder = map.get(this)
      return add.call(this, event, binder === undefined ? listener : persistent(binder, listener))
    }
  // Our own once: Node's once() goes through on(), and a wrapped once-wrapper could not remove
  // itself.
  const addOnce = (add: Add, original: Add): Add =>
    function (event, listener) {
      const binder = map.get(this)
      if (binder === undefined) return original.call(this, event, listener)
      return add.call(this, event, once(binder, event, listener))
    }
  proto.once = addOnce(on, proto.once!)
  proto.prependOnceListener = addOnce(prepend, proto.prependOnceListener!)
  proto.on = proto.addListener = addPersistent(on)
  proto.prependListener = addPersistent(prepend)
}
