// The 127.0.0.1 OTLP/HTTP sink that both OTLP cells (`tracium-otlp`, `otel-http`) export to: it
// reads each `POST /v1/traces` body to its end, discards it and answers 200 with an empty (valid)
// ExportTraceServiceResponse (zero protobuf bytes), so an exporter sees every batch delivered and
// the cost measured is the sender's. run.js starts one (in its own process, so the sink's CPU is
// not the server's) and passes its URL to the servers as BENCH_OTLP_SINK.
import { once } from 'node:events'
import http from 'node:http'

/** Starts the sink; `url` is the OTLP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
export async function startOtlpSink() {
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(req.method === 'POST' && req.url === '/v1/traces' ? 200 : 404, {
        'content-type': 'application/x-protobuf',
        'content-length': 0,
      })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}
