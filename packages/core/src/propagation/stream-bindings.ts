/**
 * Which scope each open server request's streams are bound to, found from the request.
 *
 * A `WeakMap` keyed by the request was the obvious table, but its first use of a request gives
 * the request an identity hash, and on an Express request (whose prototype Express swapped)
 * that cost 3.3–4.8 µs of a loaded server's CPU per request, against about 1 µs on Fastify
 * (bench CPU profiles, issue 9); a `Map` keyed by the request cost the same. So a request is
 * filed in a slot of its connection (its socket), which gets its hash once and keeps the slot
 * for its keep-alive requests. A request that finds the slot taken (pipelined behind one still
 * open) is keyed by itself. A slot holds its request strongly, but only until the request is
 * unbound, and never longer than the socket lives.
 */
/** What a request needs here: its connection (an HTTP/1 socket, an HTTP/2 stream's proxy). */
interface ServerRequest {
  readonly socket: object | null
}

/** A connection's slot: the request filed in it, or none between requests. */
interface Slot<R, S> {
  req: R | undefined
  scope: S | undefined
}

/**
 * The table behind `bindHttpStreams`: `get`, `set` and `delete` keyed by the request, like the
 * `WeakMap` an older copy of core may have put in the registry instead (S8).
 */
export class StreamBindings<R extends ServerRequest, S extends object> {
  readonly #slots = new WeakMap<object, Slot<R, S>>()
  readonly #others = new WeakMap<R, S>()
  // The request last bound or found: a handler adds its listeners one after another, so most
  // lookups are for it, and comparing is cheaper than finding the slot, which reads
  // `req.socket` (on Express, a read that misses V8's caches: see bench/README.md).
  #last: R | undefined
  #lastScope: S | undefined

  set(req: R, scope: S): void {
    this.#last = req
    this.#lastScope = scope
    const connection = connectionOf(req)
    if (connection !== undefined) {
      const slot = this.#slots.get(connection)
      if (slot === undefined) {
        this.#slots.set(connection, { req, scope })
        return
      }
      if (slot.req === undefined) {
        slot.req = req
        slot.scope = scope
        return
      }
    }
    this.#others.set(req, scope)
  }

  get(req: R | undefined): S | undefined {
    if (req === undefined) return undefined
    if (req === this.#last) return this.#lastScope
    const slot = this.#slotOf(req)
    // A request never keyed by itself has no identity hash, and then this miss is cheap too.
    const scope = slot !== undefined ? slot.scope : this.#others.get(req)
    if (scope !== undefined) {
      this.#last = req
      this.#lastScope = scope
    }
    return scope
  }

  delete(req: R): void {
    if (req === this.#last) {
      this.#last = undefined
      this.#lastScope = undefined
    }
    const slot = this.#slotOf(req)
    if (slot === undefined) {
      this.#others.delete(req)
    } else {
      slot.req = undefined
      slot.scope = undefined
    }
  }

  /** The slot `req` is filed in, if it is. */
  #slotOf(req: R): Slot<R, S> | undefined {
    const connection = connectionOf(req)
    const slot = connection === undefined ? undefined : this.#slots.get(connection)
    return slot?.req === req ? slot : undefined
  }
}

/**
 * An HTTP/1 request's socket. An HTTP/2 request's `socket` is a proxy of its own stream, made
 * once per stream, so each HTTP/2 request gets a slot of its own.
 */
function connectionOf(req: ServerRequest): object | undefined {
  return req.socket ?? undefined
}
