/**
 * OTLP/HTTP protobuf export through OpenTelemetry's own exporter and BatchSpanProcessor: they
 * batch, bound the queue, retry with backoff (429, 502–504, network errors, honouring
 * Retry-After) and time out. This file only configures them and counts, so that
 * `getQueueStats()` can say how many spans were accepted, sent, failed and dropped.
 */
import type { Context } from '@opentelemetry/api'
import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { type QueueStats, withRates } from '../queue.js'
import { SDK_VERSION } from '../version.js'
import { httpBaseUrl } from './base-url.js'

/** Where and how spans go over OTLP, from `init()`'s options and the environment. */
export interface OtlpSettings {
  /** Full URL of the traces endpoint, or `undefined` to let the exporter read the env. */
  readonly url: string | undefined
  readonly headers: Record<string, string>
  readonly maxQueueSize: number
}

/**
 * The OTLP settings when an endpoint is configured (`endpoint`, else
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`), else `null`.
 * `apiKey` becomes `Authorization: Bearer …` unless a header already authorizes.
 * @throws {TraciumError} `INVALID_ARGUMENT` for an endpoint that is not an http(s) URL.
 * @example
 * ```ts
 * otlpSettings({ endpoint: 'http://127.0.0.1:4318', apiKey: 'trc_1', maxQueueSize: 2048 })
 * ```
 */
export function otlpSettings(options: {
  endpoint?: string | undefined
  headers?: Record<string, string> | undefined
  apiKey?: string | undefined
  maxQueueSize: number
}): OtlpSettings | null {
  const env = process.env
  const fromEnv = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT
  if (!options.endpoint && !fromEnv) return null
  const headers: Record<string, string> = { ...options.headers }
  const authorized =
    Object.keys(headers).some((name) => name.toLowerCase() === 'authorization') ||
    hasAuthorization(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) ||
    hasAuthorization(env.OTEL_EXPORTER_OTLP_HEADERS)
  if (options.apiKey && !authorized) headers.Authorization = `Bearer ${options.apiKey}`
  return {
    url: options.endpoint ? tracesUrl(options.endpoint) : undefined,
    headers,
    maxQueueSize: options.maxQueueSize,
  }
}

function hasAuthorization(list: string | undefined): boolean {
  if (!list) return false
  return list
    .split(',')
    .some((pair) => pair.split('=')[0]?.trim().toLowerCase() === 'authorization')
}

// As OTEL_EXPORTER_OTLP_ENDPOINT: a base URL, to which the signal's path is appended.
function tracesUrl(endpoint: string): string {
  return `${httpBaseUrl('endpoint', endpoint)}/v1/traces`
}

/** The OTLP side of a client: the processor to add, and its counters. */
export interface OtlpPipeline {
  readonly processor: SpanProcessor
  stats(): QueueStats
  /** Spans accepted and not yet sent or failed. */
  pending(): number
}

/**
 * A BatchSpanProcessor over the OTLP/proto exporter, with counters. The bound is enforced here
 * (spans accepted and not yet settled, in flight included) so that every drop is counted; the
 * BatchSpanProcessor gets the same bound and so never drops on its own.
 * @example
 * ```ts
 * const otlp = otlpPipeline(settings)
 * new BasicTracerProvider({ spanProcessors: [otlp.processor] })
 * ```
 */
export function otlpPipeline(settings: OtlpSettings): OtlpPipeline {
  const counters = { enqueued: 0, sent: 0, failed: 0, dropped: 0 }
  // Waiters for the moment nothing is pending: the BatchSpanProcessor's forceFlush() waits
  // for the spans it still holds, not for an export already in flight.
  const idleWaiters = new Set<() => void>()
  const settle = () => {
    if (pending() !== 0) return
    for (const waiter of idleWaiters) waiter()
    idleWaiters.clear()
  }
  const exporter = new OTLPTraceExporter({
    ...(settings.url !== undefined && { url: settings.url }),
    headers: settings.headers,
    userAgent: `tracium-js/${SDK_VERSION}`,
  })
  const counting: SpanExporter = {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) counters.sent += spans.length
        else counters.failed += spans.length
        done(result)
        settle()
      })
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  }
  const batch = new BatchSpanProcessor(counting, { maxQueueSize: settings.maxQueueSize })
  const pending = () => counters.enqueued - counters.sent - counters.failed
  let closed = false
  const processor: SpanProcessor = {
    onStart(span: Span, parent: Context) {
      batch.onStart(span, parent)
    },
    onEnd(span: ReadableSpan) {
      if (closed || pending() >= settings.maxQueueSize) {
        counters.dropped++
        return
      }
      counters.enqueued++
      batch.onEnd(span)
    },
    async forceFlush() {
      await batch.forceFlush()
      if (pending() > 0) await new Promise<void>((resolve) => idleWaiters.add(resolve))
    },
    async shutdown() {
      closed = true
      await processor.forceFlush()
      await batch.shutdown()
    },
  }
  return {
    processor,
    pending,
    stats: () => withRates({ queueSize: pending(), capacity: settings.maxQueueSize, ...counters }),
  }
}
