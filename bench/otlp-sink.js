// A 127.0.0.1 OTLP/HTTP sink for the OTLP cells: it reads each `POST /v1/traces` body, discards
// it and answers 200 with an empty (valid) ExportTraceServiceResponse, so the cost measured is
// the sender's. It counts requests and bytes. run.js starts one and passes its URL to the
// servers as BENCH_OTLP_SINK.
import { once } from 'node:events'
import http from 'node:http'

/** Starts the sink; `url` is the OTLP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
export async function startOtlpSink() {
  const counts = { requests: 0, bytes: 0 }
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => {
      counts.bytes += chunk.length
    })
    req.on('end', () => {
      counts.requests++
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}
