// The `otel-http` cell: what a user picks instead of the Tracium SDK for request traces.
// OpenTelemetry's instrumentation-http (one SERVER span per request) on a NodeTracerProvider,
// a BatchSpanProcessor with its default settings and the official OTLP/HTTP protobuf exporter,
// sending to the 127.0.0.1 sink that discards (otlp-sink.js, started by run.js, BENCH_OTLP_SINK). Spans are counted
// as they end and as the exporter reports each batch, so the run can say how many were
// delivered and how many the batch processor dropped (queue full) or failed to send.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'

/** Starts OpenTelemetry, exporting to the sink at BENCH_OTLP_SINK. Call it before the framework is imported: the
 * instrumentation patches `http` when the framework requires it. */
export async function startOtelHttp() {
  // Counts by window: a window closes at each exported() call, and a span belongs to the window
  // it ended in, wherever its export lands (requests still queued when the load stops end a
  // little later, and a flush does not wait for a batch the timer already started).
  let window = 0
  const windowOf = new WeakMap()
  const counts = []
  const countsOf = (w) => (counts[w] ??= { ended: 0, delivered: 0, failed: 0 })
  let inFlight = 0
  const settled = []
  const otlp = new OTLPTraceExporter({ url: `${process.env.BENCH_OTLP_SINK}/v1/traces` })
  const exporter = {
    export(spans, done) {
      inFlight++
      otlp.export(spans, (result) => {
        const outcome = result.code === 0 ? 'delivered' : 'failed' // 0: SUCCESS
        for (const span of spans) countsOf(windowOf.get(span))[outcome]++
        if (--inFlight === 0) for (const resolve of settled.splice(0)) resolve()
        done(result)
      })
    },
    forceFlush: () => otlp.forceFlush(),
    shutdown: () => otlp.shutdown(),
  }
  const counter = {
    onStart() {},
    onEnd(span) {
      windowOf.set(span, window)
      countsOf(window).ended++
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  }
  // The counter first: a span's window is set before the batch processor can export it.
  const provider = new NodeTracerProvider({
    spanProcessors: [counter, new BatchSpanProcessor(exporter)],
  })
  provider.register()
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] })
  return {
    /** Closes the current window and returns its counts once every span that ended in it is
     * delivered, failed or dropped: ended − delivered is what was dropped or failed. */
    async exported() {
      const closed = window++
      await provider.forceFlush()
      if (inFlight > 0) await new Promise((resolve) => settled.push(resolve))
      return { ...countsOf(closed) }
    },
  }
}
