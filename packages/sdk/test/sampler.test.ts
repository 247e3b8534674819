/**
 * The SDK provider's sampler (otel/sampler.ts): every span recorded, but the one the SDK starts
 * unrecorded, which still gets OpenTelemetry's ids.
 */
import { trace as otelTrace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { getClient } from '../src/init.js'
import { startUnrecorded } from '../src/otel/sampler.js'
import { useMemory } from './helpers.js'

describe('the SDK tracer provider sampler', () => {
  it('records every span but one started with startUnrecorded, which keeps valid ids', () => {
    useMemory()
    const tracer = getClient().tracer
    const recorded = tracer.startSpan('recorded')
    const unrecorded = startUnrecorded(() => tracer.startSpan('unrecorded'))
    const after = tracer.startSpan('after')
    expect(recorded.isRecording()).toBe(true)
    expect(unrecorded.isRecording()).toBe(false)
    expect(otelTrace.isSpanContextValid(unrecorded.spanContext())).toBe(true)
    expect(unrecorded.spanContext().traceId).not.toBe(recorded.spanContext().traceId)
    expect(after.isRecording()).toBe(true)
    for (const span of [recorded, unrecorded, after]) span.end()
  })
})
