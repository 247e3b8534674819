// `node inproc.js [--frameworks express,koa] [--requests N]`: the JavaScript each cell runs per
// request, measured in one process without sockets. Each app gets Node's own IncomingMessage and
// ServerResponse objects (on a socket that is never connected, so nothing is written), the
// response's `close` is emitted by hand, and the loop times many such requests. No I/O, no load
// generator on the other core: what is left is our code and the framework's, so a 1 µs change
// shows, which the socket benchmark (run.js) cannot resolve on this 2-core machine. Cells are
// interleaved in rounds and the median of the rounds is reported. Use it to find where time
// goes; the targets are checked by run.js.
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    frameworks: { type: 'string', default: 'express,koa,fastify' },
    cells: { type: 'string', default: 'floor,tracium-header' },
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '7' },
  },
})
const REQUESTS = Number(args.requests)

/** One fake request through `handle(req, res)`; resolves when the app has ended the response. */
function once(handle) {
  const socket = new Socket()
  const req = new IncomingMessage(socket)
  req.method = 'GET'
  req.url = '/bench'
  req.headers = { host: '127.0.0.1', 'x-tenant-id': 'tenant-1' }
  req.rawHeaders = ['Host', '127.0.0.1', 'X-Tenant-ID', 'tenant-1']
  req.complete = true
  req.push(null)
  const res = new ServerResponse(req)
  return new Promise((resolve) => {
    const end = res.end
    res.end = function (...rest) {
      const result = end.apply(this, rest)
      res.emit('finish')
      res.emit('close')
      resolve()
      return result
    }
    handle(req, res)
  })
}

async function time(handle) {
  for (let i = 0; i < 2000; i++) await once(handle) // warm-up
  const start = process.cpuUsage()
  for (let i = 0; i < REQUESTS; i++) await once(handle)
  const { user, system } = process.cpuUsage(start)
  return (user + system) / REQUESTS
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1]

for (const framework of args.frameworks.split(',')) {
  const { createApp } = await import(`./apps/${framework}.js`)
  const cells = args.cells.split(',')
  const handles = {}
  for (const cell of cells) handles[cell] = await createApp(cell).handler()
  const samples = Object.fromEntries(cells.map((cell) => [cell, []]))
  for (let round = 0; round < Number(args.rounds); round++) {
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[(i + round) % cells.length]
      samples[cell].push(await time(handles[cell]))
    }
  }
  const floor = median(samples.floor ?? [0])
  for (const cell of cells) {
    const us = median(samples[cell])
    console.log(
      `${framework.padEnd(12)} ${cell.padEnd(20)} ${us.toFixed(2).padStart(7)} µs/request  ${(us - floor).toFixed(2).padStart(6)} µs over floor`,
    )
  }
}
