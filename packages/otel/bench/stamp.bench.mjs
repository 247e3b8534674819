// What stamping costs per span, in process: the same OpenTelemetry 2.x provider with and
// without traciumSpanProcessor(), starting and ending spans inside withTenant() (stamped in
// onStart) and outside any tenant (not remembered: no request will resolve one). Interleaved
// rounds; the fastest round of each case is reported (the least disturbed by other load). Run: `pnpm --filter @tracium/otel bench` (after a build).
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import { withTenant } from '@tracium/core'
import { traciumSpanProcessor } from '@tracium/otel'

const SPANS = 20_000
const ROUNDS = 41

const tracers = {
  bare: new BasicTracerProvider({ spanProcessors: [] }).getTracer('bench'),
  tracium: new BasicTracerProvider({ spanProcessors: [traciumSpanProcessor()] }).getTracer('bench'),
  duplicate: new BasicTracerProvider({
    spanProcessors: [traciumSpanProcessor({ duplicateAttribute: 'tenant.id' })],
  }).getTracer('bench'),
}

function spans(tracer) {
  for (let i = 0; i < SPANS; i++) tracer.startSpan('work').end()
}

// CPU time of this process, not wall time: on a shared machine, time spent descheduled while
// other jobs run is not the code's cost.
const cpuNs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) * 1000
}

/** CPU ns per span of `run(tracer)`. */
function time(run, tracer) {
  const start = cpuNs()
  run(tracer)
  return (cpuNs() - start) / SPANS
}

const inTenant = (tracer) => withTenant('tenant-123', () => spans(tracer))
const cases = {
  'bare provider, in a tenant': () => time(inTenant, tracers.bare),
  'with traciumSpanProcessor, in a tenant': () => time(inTenant, tracers.tracium),
  'with duplicateAttribute, in a tenant': () => time(inTenant, tracers.duplicate),
  'bare provider, no tenant': () => time(spans, tracers.bare),
  'with traciumSpanProcessor, no tenant': () => time(spans, tracers.tracium),
}

const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
for (const run of Object.values(cases)) run() // warm-up
const order = Object.entries(cases)
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round, so no case always runs in the garbage of the same neighbour.
  for (const [name, run] of [
    ...order.slice(round % order.length),
    ...order.slice(0, round % order.length),
  ]) {
    results[name].push(run())
  }
}
const m = Object.fromEntries(Object.entries(results).map(([name, xs]) => [name, Math.min(...xs)]))

console.log(
  `Node ${process.version}, ${SPANS} spans x ${ROUNDS} rounds, fastest round, CPU ns per span:`,
)
for (const [name, ns] of Object.entries(m)) console.log(`  ${name.padEnd(40)} ${ns.toFixed(0)} ns`)
const extra = (name, base) =>
  `${(m[name] - m[base]).toFixed(0)} ns (${(m[name] / m[base]).toFixed(2)}x of the bare span)`
console.log(
  `stamping in onStart:         ${extra('with traciumSpanProcessor, in a tenant', 'bare provider, in a tenant')}`,
)
console.log(
  `stamping with the duplicate: ${extra('with duplicateAttribute, in a tenant', 'bare provider, in a tenant')}`,
)
console.log(
  `an untagged background span: ${extra('with traciumSpanProcessor, no tenant', 'bare provider, no tenant')}`,
)

// The processor's own work alone, without creating spans (less allocation, less noise):
// onStart on one started span, again and again, against calling a no-op of the same shape.
const probe = tracers.bare.startSpan('probe')
const processor = traciumSpanProcessor()
const noop = { onStart() {} }
const CALLS = 1_000_000
const callTime = (target) =>
  withTenant('tenant-123', () => {
    const start = cpuNs()
    for (let i = 0; i < CALLS; i++) target.onStart(probe, undefined)
    return (cpuNs() - start) / CALLS
  })
const calls = { noop: [], tracium: [] }
for (let round = 0; round < ROUNDS; round++) {
  calls.noop.push(callTime(noop))
  calls.tracium.push(callTime(processor))
}
const [noopNs, traciumNs] = [Math.min(...calls.noop), Math.min(...calls.tracium)]
console.log(
  `onStart alone (getCurrentTenant + setAttribute): ${(traciumNs - noopNs).toFixed(0)} ns per span`,
)
