/**
 * The span processor: the tenant of `@tracium/core`'s context on every span, from anyone's
 * tracer. Structural (the SpanProcessor shape of OpenTelemetry's SDK 1.x, 2.x and 3.x), so it
 * imports no SDK package and goes into whatever provider the app builds.
 */
import diagnostics from 'node:diagnostics_channel'
import { type Context, trace } from '@opentelemetry/api'
import {
  currentRequestScope,
  getCurrentTenant,
  type ScopeOpenMessage,
  TENANT_CHANNELS,
  type TenantResolvedMessage,
} from '@tracium/core'
import { resolveOptions, type TraciumSpanProcessorOptions } from './options.js'
import { PendingSpans } from './pending-spans.js'
import { type AttributeSink, stampTenant } from './tenant-attributes.js'

/**
 * What onStart reads of a span: the SDK's `Span` (1.x, 2.x, 3.x) has both.
 * @example
 * ```ts
 * processor.onStart(span satisfies StartedSpan, context.active())
 * ```
 */
export interface StartedSpan extends AttributeSink {
  /** `SpanKind` of `@opentelemetry/api`: 1 is SERVER. */
  readonly kind?: number
}

const SERVER = 1 // SpanKind.SERVER; a constant, so no runtime import of the enum is needed

/**
 * Stamps `tracium.user.id` (and the optional duplicate attribute) on every span that starts
 * while a tenant is set, and on the spans of a request that started before its tenant was
 * known. Create it with {@link traciumSpanProcessor}.
 *
 * - `onStart`: the span's start context is the current async context, so
 *   `getCurrentTenant()` is the span's tenant. No tenant: no attribute; a SERVER span, a span
 *   started in a request scope not resolved yet, and their untagged children are remembered
 *   with their local tree until they end (see `pending-spans.ts`).
 * - When core resolves a request's tenant (`tracium:tenant:resolved`, published inside the
 *   request), the still-open untagged spans of the request's tree are stamped: the HTTP server
 *   span, which starts before any middleware runs, and spans started before the middleware.
 * - `onEnding` (SDK 2.x and 3.x call it just before a span becomes read-only): a remembered
 *   span whose request got a tenant later, from `setTenant()` in a route, is stamped then.
 *
 * It exports nothing and buffers nothing: `forceFlush()` has nothing to do, `shutdown()` stops
 * listening to core's events. Put it before the exporting processor in `spanProcessors`.
 *
 * @example
 * ```ts
 * const provider = new NodeTracerProvider({
 *   spanProcessors: [new TraciumSpanProcessor(), new BatchSpanProcessor(new OTLPTraceExporter())],
 * })
 * ```
 */
export class TraciumSpanProcessor {
  readonly #duplicate: string | null
  readonly #pending = new PendingSpans()
  #listening = true

  /** @param options see {@link TraciumSpanProcessorOptions}. Default: `{}`. */
  constructor(options?: TraciumSpanProcessorOptions) {
    this.#duplicate = resolveOptions(options).duplicateAttribute
    diagnostics.subscribe(TENANT_CHANNELS.scopeOpen, this.#onScopeOpen)
    diagnostics.subscribe(TENANT_CHANNELS.resolved, this.#onResolved)
  }

  /** Called by the SDK when a span starts, in the async context that starts it. */
  onStart(span: StartedSpan, parentContext: Context): void {
    const tenantId = getCurrentTenant()
    if (tenantId !== null) stampTenant(span, tenantId, this.#duplicate)
    else if (!this.#pending.join(span, trace.getSpan(parentContext)) && mayGetTenant(span)) {
      this.#pending.begin(span)
    }
  }

  /** Called by SDK 2.x/3.x as a span ends, while it is still writable. */
  onEnding(span: AttributeSink): void {
    const tenantId = this.#pending.close(span)?.scope?.tenantId
    if (tenantId != null) stampTenant(span, tenantId, this.#duplicate)
  }

  /** Called by the SDK when a span has ended: it is no longer waiting for a tenant. */
  onEnd(span: object): void {
    this.#pending.close(span)
  }

  /** Nothing is buffered here; resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  /** Stops listening to core's events. Idempotent. */
  shutdown(): Promise<void> {
    if (this.#listening) {
      this.#listening = false
      diagnostics.unsubscribe(TENANT_CHANNELS.scopeOpen, this.#onScopeOpen)
      diagnostics.unsubscribe(TENANT_CHANNELS.resolved, this.#onResolved)
    }
    return Promise.resolve()
  }

  // Both messages are published inside the request, where OpenTelemetry's active span is the
  // request's server span or a span below it: that finds the request's tree. With no span
  // waiting anywhere (an app without OpenTelemetry's HTTP instrumentation, the SDK's own
  // provider), there is no tree to find: every request skips the look-up (issue 10).
  readonly #onScopeOpen = (message: unknown): void => {
    if (this.#pending.openSpans === 0) return
    const group = this.#pending.groupOf(trace.getActiveSpan())
    if (group !== undefined) group.scope = (message as ScopeOpenMessage).scope
  }

  readonly #onResolved = (message: unknown): void => {
    if (this.#pending.openSpans === 0) return
    const group = this.#pending.groupOf(trace.getActiveSpan())
    if (group === undefined) return
    const { tenantId } = message as TenantResolvedMessage
    for (const span of this.#pending.takeOpen(group)) {
      stampTenant(span as AttributeSink, tenantId, this.#duplicate)
    }
  }
}

/** A server span's request has not run its middleware yet; inside a scope, it has not resolved. */
function mayGetTenant(span: StartedSpan): boolean {
  return span.kind === SERVER || currentRequestScope() !== null
}

/**
 * A span processor that puts the tenant of `@tracium/core`'s context on every span as
 * `tracium.user.id` (what Tracium's backend attributes spend, latency and errors by). Add it
 * to your own provider, before the exporting processor.
 *
 * @param options Default: `{}` (no duplicate attribute).
 * @throws {TraciumOptionsError} for an unknown option or a bad `duplicateAttribute`.
 * @example
 * ```ts
 * import { NodeSDK } from '@opentelemetry/sdk-node'
 * import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
 * import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
 * import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
 * import { traciumSpanProcessor } from '@tracium/otel'
 *
 * new NodeSDK({
 *   spanProcessors: [
 *     traciumSpanProcessor({ duplicateAttribute: 'tenant.id' }),
 *     new BatchSpanProcessor(new OTLPTraceExporter()),
 *   ],
 *   instrumentations: [new HttpInstrumentation()],
 * }).start()
 * ```
 */
export function traciumSpanProcessor(options?: TraciumSpanProcessorOptions): TraciumSpanProcessor {
  return new TraciumSpanProcessor(options)
}
