// `pnpm --filter @tracium-examples/bullmq start`: the web app and a worker in one process, on the
// Redis at REDIS_HOST:REDIS_PORT (default 127.0.0.1:6379). Traces go to ./.tracium.
import * as tracium from '@tracium/sdk'
import { createApp } from './app.js'
import { redisFromEnv, startWorker } from './worker.js'

tracium.trace() // one trace per request, and the worker's startTrace() traces
const connection = redisFromEnv()
const { app } = createApp({ connection })
startWorker({ connection })
const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, '127.0.0.1')
server.once('listening', () => {
  const base = `http://127.0.0.1:${server.address().port}`
  console.log(`BullMQ example on ${base}, Redis ${connection.host}:${connection.port}`)
  console.log(
    `  curl -X POST ${base}/chat -H 'x-tenant-id: acme' -H 'content-type: application/json' -d '{"message":"Hello"}'`,
  )
  console.log('  pnpm tracium traces --tenant acme   # the request trace and the job trace')
})
