/**
 * OpenTelemetry's context API does nothing until a context manager is registered: spans would
 * not nest and `tracium.span()` would find no trace. An app that runs OpenTelemetry has
 * registered one already (NodeSDK, NodeTracerProvider.register()); otherwise the SDK registers
 * `AsyncLocalStorageContextManager`, the one those register on Node.
 */

import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'

const PROBE = createContextKey('@tracium/sdk context probe')

/**
 * Registers an AsyncLocalStorage context manager unless one is registered already.
 * @example
 * ```ts
 * ensureContextManager() // before the first span
 * ```
 */
export function ensureContextManager(): void {
  const works = context.with(ROOT_CONTEXT.setValue(PROBE, true), () =>
    context.active().getValue(PROBE),
  )
  if (works === true) return
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
}
