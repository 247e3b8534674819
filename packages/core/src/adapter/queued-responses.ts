/**
 * Responses queued on a pipelined connection. Node 20 never emits 'close' on a response still
 * queued behind another one when the client goes away (issue 9 #8), so such a request's scope is
 * closed by its connection's 'close' instead.
 *
 * One listener per connection serves all of its queued responses. A listener each made Node warn
 * of a leak (MaxListenersExceededWarning) at the eleventh pipelined request, and removing them,
 * one array scan per response, cost time quadratic in the number of requests a client pipelines.
 */
import type { EventEmitter } from 'node:events'

type Close = () => void

// Per copy of core: two copies (S8) each add at most one listener to a connection.
const waiting = new WeakMap<EventEmitter, Set<Close>>()

/**
 * Calls `close` when `connection` closes, unless {@link unwatchConnection} removed it first.
 * @example
 * ```ts
 * if (res.socket === null) watchConnection(req.socket, close)
 * ```
 */
export function watchConnection(connection: EventEmitter, close: Close): void {
  ;(waiting.get(connection) ?? firstWatch(connection)).add(close)
}

/**
 * Stops watching for `close`: its response closed on its own.
 * @example
 * ```ts
 * unwatchConnection(req.socket, close)
 * ```
 */
export function unwatchConnection(connection: EventEmitter, close: Close): void {
  waiting.get(connection)?.delete(close)
}

/** The one listener of `connection`, and the set of closes it calls. */
function firstWatch(connection: EventEmitter): Set<Close> {
  const closes = new Set<Close>()
  waiting.set(connection, closes)
  connection.once('close', () => {
    waiting.delete(connection)
    for (const each of closes) each()
  })
  return closes
}
