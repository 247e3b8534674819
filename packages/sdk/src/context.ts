/**
 * The SDK's own async context: which trace and span the current code runs in, so nested spans
 * find their parent and `tracium.span()` finds its trace. Separate from the tenant storage of
 * `@tracium/core`: the tenant belongs to the request, the span stack to the code.
 *
 * Like core's storage it lives in the global symbol registry, so the ESM and the CJS build of
 * the SDK loaded together still see one span stack (DESIGN.md S8).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Span } from './span.js'
import type { Trace } from './trace.js'

/** What runs where: the current trace and, inside `trace.span(…, fn)`, the current span. */
export interface TraceFrame {
  readonly trace: Trace
  readonly span: Span | null
}

const STORAGE_KEY = Symbol.for('@tracium/sdk:trace-storage:v1')
type Registry = { [STORAGE_KEY]?: AsyncLocalStorage<TraceFrame> }
const registry = globalThis as Registry

registry[STORAGE_KEY] ??= new AsyncLocalStorage<TraceFrame>()
export const traceStorage: AsyncLocalStorage<TraceFrame> = registry[STORAGE_KEY]
