/**
 * EventEmitters run listeners in the context of whoever calls `emit`: a shared socket, a pool or
 * another tenant's request. bindEmitter makes each listener run with the tenant current when it
 * was added instead.
 */
import type { EventEmitter } from 'node:events'
import { bindTenant } from '../tenant-context.js'

export type Listener = (...args: unknown[]) => unknown
type AddListener = (this: EventEmitter, event: string | symbol, listener: Listener) => EventEmitter
type AddMethod = 'on' | 'addListener' | 'prependListener' | 'once' | 'prependOnceListener'

const BOUND = Symbol.for('@tracium/core:bound-emitter')

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
 * Patches `emitter` so that each listener added from now on is wrapped by `bind` when added.
 * Shared by {@link bindEmitter} (tenant value) and `RequestScope.bindEmitter` (the scope).
 */
export function bindListeners<E extends EventEmitter>(
  emitter: E,
  bind: (fn: Listener) => Listener,
): E {
  const target = emitter as unknown as Record<AddMethod, AddListener> & { [BOUND]?: true }
  if (target[BOUND]) return emitter
  target[BOUND] = true
  const on = target.on
  const prepend = target.prependListener
  const persistent = (add: AddListener): AddListener =>
    function (event, listener) {
      // The `listener` property is how Node's removeListener finds a wrapped listener.
      return add.call(this, event, Object.assign(bind(listener), { listener }))
    }
  const once = (add: AddListener): AddListener =>
    function (event, listener) {
      const bound = bind(listener)
      const fireOnce = Object.assign(
        function (this: EventEmitter, ...args: unknown[]) {
          this.removeListener(event, fireOnce)
          return bound.apply(this, args)
        },
        { listener },
      )
      return add.call(this, event, fireOnce)
    }
  target.on = persistent(on)
  target.addListener = persistent(target.addListener)
  target.prependListener = persistent(prepend)
  target.once = once(on)
  target.prependOnceListener = once(prepend)
  return emitter
}
