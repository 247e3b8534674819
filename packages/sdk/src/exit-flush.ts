/**
 * A graceful stop loses nothing buffered: on SIGTERM, SIGINT and `beforeExit` the SDK flushes
 * for a bounded time. OpenTelemetry's batch timer is unref'd (it never holds a process open),
 * so without this a script or a container stopped by SIGTERM would drop its last batch.
 *
 * - `beforeExit`: flushes only when something is buffered, so an idle process still exits
 *   (flushing with nothing to do would schedule nothing, and `beforeExit` would fire forever).
 * - A signal: flushes, then, if the app does not listen to that signal itself, removes the
 *   SDK's listener and raises the signal again, so the process ends as it would have without
 *   the SDK (same signal, same exit status). An app that listens decides itself when to exit.
 */
import { peekClient } from './init.js'

const SIGNALS = ['SIGTERM', 'SIGINT'] as const
let limitMs = 5_000
let installed = false
let flushing: Promise<unknown> | null = null

/**
 * Installs the listeners once per process; a later call only changes the time limit.
 * @example
 * ```ts
 * installExitFlush(5_000)
 * ```
 */
export function installExitFlush(timeoutMs: number): void {
  limitMs = timeoutMs
  if (installed) return
  installed = true
  process.on('beforeExit', onBeforeExit)
  for (const signal of SIGNALS) process.on(signal, onSignal)
}

function flushOnce(): Promise<unknown> {
  flushing ??= (peekClient()?.flush(limitMs) ?? Promise.resolve(true)).finally(() => {
    flushing = null
  })
  return flushing
}

function onBeforeExit(): void {
  if (peekClient()?.hasPending()) void flushOnce()
}

function onSignal(signal: NodeJS.Signals): void {
  void flushOnce().finally(() => {
    if (process.listenerCount(signal) > 1) return // the app handles it
    for (const s of SIGNALS) process.removeListener(s, onSignal)
    process.removeListener('beforeExit', onBeforeExit)
    installed = false
    process.kill(process.pid, signal)
  })
}
