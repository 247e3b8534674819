// A user's OpenTelemetry 3.x set-up: 3.x has no NodeTracerProvider, so the app registers the
// context manager, propagator and provider itself (the sdk-trace 3.x README's recipe). The
// exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (the test's receiver).
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { traciumSpanProcessor } from '@tracium/otel'

context.setGlobalContextManager(new AsyncLocalStorageContextManager())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
trace.setGlobalTracerProvider(
  new TracerProvider({
    spanProcessors: [
      traciumSpanProcessor({ duplicateAttribute: 'tenant.id' }),
      // 3.x takes one options object and reads no OTEL_BSP_* variables: set here what the 2.x
      // runs set through the environment (prompt delivery, room for the whole burst).
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        scheduledDelayMillis: 50,
        maxQueueSize: 20_000,
      }),
    ],
  }),
)
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] })
