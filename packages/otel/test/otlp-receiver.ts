/**
 * A real OTLP/HTTP receiver on 127.0.0.1 for the tests: `POST /v1/traces` with an
 * `application/x-protobuf` body, decoded with the protobufjs code that
 * `@opentelemetry/otlp-transformer` 0.216.0 generated from the official opentelemetry-proto
 * definitions (its last version to ship it). Never with an inverse of an encoder of ours.
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
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43210`, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string
  readonly spans: readonly ReceivedSpan[]
  /** Resolves once `predicate(spans)` holds, checked after every export request. */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean): Promise<void>
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

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
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
      for (const resourceSpans of request.resourceSpans ?? []) {
        const resource = plain(resourceSpans.resource?.attributes)
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              parentSpanId: hex(span.parentSpanId),
              name: span.name ?? '',
              kind: span.kind ?? 0,
              attributes: plain(span.attributes),
              resource,
            })
          }
        }
      }
      const body = ExportTraceServiceResponse.encode({}).finish()
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(body)
      events.emit('spans')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    async waitFor(predicate) {
      while (!predicate(spans)) await once(events, 'spans')
    },
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
