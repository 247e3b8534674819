/**
 * The record of a request trace that never ran: no `tracium.span()` or `currentTrace()` in its
 * request, so `tracium.trace()` learns of it only when the request closes, and it would begin
 * and end right there. Most requests of most apps are such a trace.
 *
 * When no span exporter is configured and no span of the app's OpenTelemetry is active at the
 * close, its root span would not be recorded (otel/sampler.ts): nobody could see it, no span can
 * start under it, and its record says only what the request told core. Starting and ending
 * that span and the Trace around it cost a loaded server more than the rest of the record did
 * (issue 10, bench/README.md), so the record is built here, with the trace id OpenTelemetry's
 * generator would have given the span. With OTLP, or under an app's span (whose trace id the
 * trace shares), the request trace goes through `Trace` as every other trace does.
 */

import type { Client } from './client.js'
import { activeSpan } from './otel/handles.js'
import type { TraceRecord } from './records.js'
import { elapsedMs, isoTime } from './time.js'
import type { TraceStart } from './trace.js'

/** What a closed request's record is made of. */
export interface RequestRecordFields {
  readonly agentName: string
  readonly tenantId: string | null
  readonly start: TraceStart
  /** The request's `metadata.http`. */
  readonly http: object
  /** The client's request tags, default tags included (request-traces.ts). */
  readonly tags: readonly string[]
  /** Why the trace failed, or `null` when it completed. */
  readonly failure: string | null
}

/**
 * `true` when a request trace that begins at its close can be written as a record alone
 * (see above): `client` exports no spans and no OpenTelemetry span is active.
 * @example
 * ```ts
 * if (writesRecordAlone(client)) client.exportRecord(requestRecord(fields, client))
 * ```
 */
export function writesRecordAlone(client: Client): boolean {
  return !client.exportsSpans && activeSpan() === undefined
}

/**
 * The record of a request trace ended at its request's close: what `Trace.toRecord` gives for a
 * trace without spans begun with `init`'s defaults, in the same key order (records.ts,
 * RECORD_KEYS).
 * @example
 * ```ts
 * client.exportRecord(requestRecord({ agentName: 'users-id', tenantId: 'acme', start, http, tags, failure: null }, client))
 * ```
 */
export function requestRecord(fields: RequestRecordFields, client: Client): TraceRecord {
  const { config } = client
  return {
    id: client.ids.generateTraceId(),
    tenantId: fields.tenantId,
    agentName: fields.agentName,
    status: fields.failure === null ? 'completed' : 'failed',
    startedAt: isoTime(fields.start.epochMs),
    endedAt: isoTime(Date.now()),
    durationMs: elapsedMs(fields.start.mark),
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: null,
    modelId: config.defaultModelId,
    version: config.defaultVersion,
    tags: [...fields.tags],
    metadata: { ...config.defaultMetadata, http: fields.http },
    summary: null,
    error: fields.failure,
    spans: [],
  }
}
