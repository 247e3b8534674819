// An OTLP/HTTP sink on 127.0.0.1 that discards: `POST /v1/traces` is read to its end and
// answered 200 with an empty ExportTraceServiceResponse (zero protobuf bytes), so an exporter
// sees every batch delivered. Its own process, forked by server.js, so its CPU is not counted
// as the server's. Sends {port} over IPC once listening; exits with its parent.
import http from 'node:http'

const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(req.method === 'POST' && req.url === '/v1/traces' ? 200 : 404, {
      'content-type': 'application/x-protobuf',
    })
    res.end()
  })
})
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('disconnect', () => process.exit(0))
