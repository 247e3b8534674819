/**
 * A real OTLP/HTTP receiver on 127.0.0.1 for the tests: `POST /v1/traces` with an
 * `application/x-protobuf` body, decoded with the protobufjs code that
 * `@opentelemetry/otlp-transformer` 0.216.0 generated from the official opentelemetry-proto
 * definitions (its last version to ship it). Never with an inverse of an encoder of ours.
 *
 * Also used by `@tracium/sdk`'s tests (imported from there), which need the request headers,
 * the span status and events, and a receiver that answers errors or slowly.
 */
import { EventEmitter, once } from 'node:events'
import http from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'

// The generated module's own .d.ts types it as a bare protobufjs Root; these are the parts of
// the official messages this receiver reads.
interface Codec<T> {
  decode(bytes: Uint8Array): T
  encode(message: object): { finish(): Uint8Array }
}
interface DecodedRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] | null } | null
    scopeSpans?: Array<{
      spans?: Array<{
        traceId?: Uint8Array | null
        spanId?: Uint8Array | null
        parentSpanId?: Uint8Array | null
        name?: string | null
        kind?: number | null
        attributes?: KeyValue[] | null
        status?: { code?: number | null; message?: string | null } | null
        events?: Array<{ name?: string | null; attributes?: KeyValue[] | null }> | null
      }> | null
    }> | null
  }> | null
}
type TraceService = {
  ExportTraceServiceRequest: Codec<DecodedRequest>
  ExportTraceServiceResponse: Codec<object>
}
const proto = createRequire(import.meta.url)(
  '@opentelemetry/otlp-transformer/build/src/generated/root.js',
) as { opentelemetry: { proto: { collector: { trace: { v1: TraceService } } } } }
const { ExportTraceServiceRequest, ExportTraceServiceResponse } =
  proto.opentelemetry.proto.collector.trace.v1

/** One decoded span, with ids in hex and attributes as plain values. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  /** The parent's span id in hex; `''` for a root span. */
  readonly parentSpanId: string
  readonly name: string
  /** OTLP `SpanKind`: 1 internal, 2 server, 3 client. */
  readonly kind: number
  readonly attributes: Readonly<Record<string, unknown>>
  /** Attributes of the span's resource. */
  readonly resource: Readonly<Record<string, unknown>>
  /** OTLP `StatusCode`: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string }
  readonly events: ReadonlyArray<{ name: string; attributes: Readonly<Record<string, unknown>> }>
}

/** One `POST /v1/traces` as it arrived, whatever it was answered. */
export interface ReceivedRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly spanCount: number
  /** The status it was answered with. */
  readonly status: number
}

/** How the receiver answers request number `n` (0-based): status and delay. Default: 200 at once. */
export type Responder = (n: number) => {
  status: number
  delayMs?: number
  headers?: Record<string, string>
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43210`, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string
  /** Spans of the requests answered 2xx. */
  readonly spans: readonly ReceivedSpan[]
  /** Every request, answered 2xx or not. */
  readonly requests: readonly ReceivedRequest[]
  /** Resolves once `predicate(spans)` holds, checked after every export request. */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean): Promise<void>
  /** Resolves once `predicate(requests)` holds, checked after every export request. */
  waitForRequests(predicate: (requests: readonly ReceivedRequest[]) => boolean): Promise<void>
  close(): Promise<void>
}

type KeyValue = { key?: string | null; value?: AnyValue | null }
type AnyValue = {
  stringValue?: string | null
  boolValue?: boolean | null
  intValue?: number | { toNumber(): number } | null
  doubleValue?: number | null
}

function plain(attributes: readonly KeyValue[] | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const { key, value } of attributes ?? []) {
    if (!key || !value) continue
    const int = value.intValue
    out[key] =
      value.stringValue ??
      value.boolValue ??
      value.doubleValue ??
      (typeof int === 'object' && int !== null ? int.toNumber() : int)
  }
  return out
}

const hex = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('hex')

export async function startOtlpReceiver(respond?: Responder): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const requests: ReceivedRequest[] = []
  const events = new EventEmitter()
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end()
      return
    }
    if (req.headers['content-type'] !== 'application/x-protobuf') {
      res.writeHead(415).end()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = ExportTraceServiceRequest.decode(Buffer.concat(chunks))
      const decoded: ReceivedSpan[] = []
      for (const resourceSpans of request.resourceSpans ?? []) {
        const resource = plain(resourceSpans.resource?.attributes)
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            decoded.push({
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              parentSpanId: hex(span.parentSpanId),
              name: span.name ?? '',
              kind: span.kind ?? 0,
              attributes: plain(span.attributes),
              resource,
              status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
              events: (span.events ?? []).map((e) => ({
                name: e.name ?? '',
                attributes: plain(e.attributes),
              })),
            })
          }
        }
      }
      const answer = respond?.(requests.length) ?? { status: 200 }
      requests.push({ headers: req.headers, spanCount: decoded.length, status: answer.status })
      events.emit('request')
      const reply = () => {
        if (answer.status >= 200 && answer.status < 300) {
          spans.push(...decoded)
          const body = ExportTraceServiceResponse.encode({}).finish()
          res.writeHead(answer.status, { 'content-type': 'application/x-protobuf' }).end(body)
        } else {
          res.writeHead(answer.status, answer.headers).end()
        }
        events.emit('spans')
      }
      if (answer.delayMs) setTimeout(reply, answer.delayMs)
      else reply()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    async waitFor(predicate) {
      while (!predicate(spans)) await once(events, 'spans')
    },
    async waitForRequests(predicate) {
      while (!predicate(requests)) await once(events, 'request')
    },
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
