/**
 * The sampler of the SDK's own tracer provider. Every span is recorded, as traces always were:
 * the default ParentBased sampler would also follow an app's unsampled parent and lose the
 * trace's record. The one exception is a span the SDK starts with {@link startUnrecorded}: the
 * root of a request trace that begins and ends when its request closes under a span of the
 * app's OpenTelemetry (whose trace id it shares), while no span exporter is configured; without
 * such a span, that trace is written as a record alone (request-record.ts). No span can start
 * under it, no processor of the app sees the SDK's provider and its record is read from the
 * Trace handle, so recording it was work nobody read: building, stamping and ending the span
 * were a third of a request trace's cost (issue 10, bench/README.md). OpenTelemetry still gives
 * it its ids and its parent, as for any span.
 */
import type { Context } from '@opentelemetry/api'
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base'

const RECORD: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED }
const SKIP: SamplingResult = { decision: SamplingDecision.NOT_RECORD }

let unrecorded = false

/**
 * Runs `start` (which starts one span) with recording off for that span: the tracer then
 * returns a non-recording span with OpenTelemetry's ids.
 * @example
 * ```ts
 * const span = startUnrecorded(() => tracer.startSpan('invoke_agent')) // span.isRecording() === false
 * ```
 */
export function startUnrecorded<T>(start: () => T): T {
  unrecorded = true
  try {
    return start()
  } finally {
    unrecorded = false
  }
}

/**
 * Records every span but the ones started by {@link startUnrecorded}.
 * @example
 * ```ts
 * new BasicTracerProvider({ sampler: traciumSampler })
 * ```
 */
export const traciumSampler: Sampler = {
  shouldSample(_context: Context): SamplingResult {
    return unrecorded ? SKIP : RECORD
  },
  toString: () => 'TraciumSampler',
}
