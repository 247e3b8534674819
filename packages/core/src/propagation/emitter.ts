/**
 * EventEmitters run listeners in the context of whoever calls `emit`: a shared socket, a pool or
 * another tenant's request. Binding an emitter makes each listener added later run in a context
 * chosen when it was added instead.
 */
import type { EventEmitter } from 'node:events'
import { bindTenant } from '../tenant-context.js'

export type Listener = (...args: unknown[]) => unknown
type Add = (this: EventEmitter, event: string | symbol, listener: Listener) => EventEmitter

/** Binds a listener to a context: a request scope, or the tenant value (`bindTenant`). */
export interface Binder {
  bind(listener: Listener): Listener
}

/** What a bound emitter keeps: how to bind a listener, and the methods it had before. */
interface Binding extends Binder {
  readonly on: Add
  readonly prependListener: Add
}

const BINDING = Symbol.for('@tracium/core:emitter-binding')
type Bound = EventEmitter & { [BINDING]?: Binding }

/**
 * Makes every listener added to `emitter` from now on run with the tenant that was current when
 * it was added (the value, S5). `removeListener`/`off` with the original function still work.
 * Binding the same emitter twice is a no-op. Returns the emitter.
 *
 * @example
 * ```ts
 * const jobs = bindEmitter(new EventEmitter())
 * withTenant('acme', () => jobs.on('done', () => getCurrentTenant())) // 'acme' on every emit
 * ```
 */
export function bindEmitter<E extends EventEmitter>(emitter: E): E {
  return bindListeners(emitter, bindTenant)
}

/**
 * Makes `emitter` wrap each listener added from now on with `bind`. Shared by
 * {@link bindEmitter} (the tenant value) and `RequestScope.bindEmitter` (the request's scope).
 *
 * Adapters call this for every request, so it allocates one object and reuses the same five
 * method functions for all emitters: per-emitter closures cost measurable throughput.
 */
export function bindListeners<E extends EventEmitter>(
  emitter: E,
  bind: (listener: Listener) => Listener,
): E {
  const target = emitter as Bound
  if (target[BINDING] !== undefined) return emitter
  target[BINDING] = { bind, on: target.on as Add, prependListener: target.prependListener as Add }
  target.on = target.addListener = boundOn as E['on']
  target.prependListener = boundPrepend as E['prependListener']
  target.once = boundOnce as E['once']
  target.prependOnceListener = boundPrependOnce as E['prependOnceListener']
  return emitter
}

function boundOn(this: Bound, event: string | symbol, listener: Listener): EventEmitter {
  const binding = this[BINDING]!
  return binding.on.call(this, event, persistent(binding, listener))
}

function boundPrepend(this: Bound, event: string | symbol, listener: Listener): EventEmitter {
  const binding = this[BINDING]!
  return binding.prependListener.call(this, event, persistent(binding, listener))
}

function boundOnce(this: Bound, event: string | symbol, listener: Listener): EventEmitter {
  const binding = this[BINDING]!
  return binding.on.call(this, event, once(binding, event, listener))
}

function boundPrependOnce(this: Bound, event: string | symbol, listener: Listener): EventEmitter {
  const binding = this[BINDING]!
  return binding.prependListener.call(this, event, once(binding, event, listener))
}

type Wrapped = Listener & { listener?: Listener }

// The `listener` property is how Node's removeListener finds the original of a wrapped listener.
// Assigned, not Object.assign()ed: adapters wrap several listeners per request, and the object
// literal and the copy cost about 60 ns each.
export function persistent(binder: Binder, listener: Listener): Listener {
  const bound: Wrapped = binder.bind(listener)
  bound.listener = listener
  return bound
}

export function once(binder: Binder, event: string | symbol, listener: Listener): Listener {
  const bound = binder.bind(listener)
  const fireOnce: Wrapped = function (this: EventEmitter, ...args: unknown[]) {
    this.removeListener(event, fireOnce)
    return bound.apply(this, args)
  }
  fireOnce.listener = listener
  return fireOnce
}
