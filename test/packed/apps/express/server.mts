// A user's Express app on the packed packages: the tenant middleware, the SDK's request traces
// into the local store ($TRACIUM_DIR), and @tracium/otel's processor on the app's own provider.
import type { AddressInfo } from 'node:net'
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { getCurrentTenant, type ResolvedTenant, traciumTenant } from '@tracium/express'
import { TENANT_ATTRIBUTE, traciumSpanProcessor } from '@tracium/otel'
import * as tracium from '@tracium/sdk'
import express from 'express'

tracium.init({ defaultAgentName: 'packed-express' })
tracium.trace() // one trace per request, with its tenant

const tracer = new BasicTracerProvider({ spanProcessors: [traciumSpanProcessor()] }).getTracer(
  'app',
)

const app = express()
app.use(traciumTenant({ required: true }))
app.get('/who', (req, res) => {
  const resolved: ResolvedTenant | undefined = req.tenant // the package's type augmentation
  const span = tracer.startSpan('work')
  span.end()
  res.json({
    tenant: getCurrentTenant(),
    same: resolved?.id ?? null,
    span: (span as unknown as ReadableSpan).attributes[TENANT_ATTRIBUTE] ?? null,
  })
})

const server = app.listen(0, '127.0.0.1', () => {
  console.log(`READY ${JSON.stringify({ express: (server.address() as AddressInfo).port })}`)
})
