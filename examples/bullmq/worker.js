// The worker side: each follow-up job runs under the tenant of the request that enqueued it, so
// the trace it starts is that tenant's. Run it in the web process (server.js does) or on its own
// (`node worker.js`), as many processes as you like.
import { pathToFileURL } from 'node:url'
import { getCurrentTenant, withJobTenant } from '@tracium/bullmq'
import * as tracium from '@tracium/sdk'
import { Worker } from 'bullmq'
import { QUEUE_NAME } from './app.js'

/** Starts a worker for the follow-up queue; `connection` is ioredis options for BullMQ. */
export function startWorker({ connection, queueName = QUEUE_NAME, concurrency = 4 }) {
  return new Worker(
    queueName,
    withJobTenant(async (job) =>
      tracium.startTrace({ agentName: 'follow-up', metadata: { jobId: job.id } }, async () =>
        tracium.span({ spanType: 'tool', name: 'summarize', input: job.data.message }, () => ({
          tenant: getCurrentTenant(),
          summary: job.data.message.slice(0, 40),
        })),
      ),
    ),
    // BullMQ workers need maxRetriesPerRequest: null on their connection.
    { connection: { ...connection, maxRetriesPerRequest: null }, concurrency },
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  tracium.init()
  startWorker({ connection: redisFromEnv() })
  console.log(`Worker for "${QUEUE_NAME}" on Redis ${redisFromEnv().host}:${redisFromEnv().port}`)
}

/** Redis at REDIS_HOST:REDIS_PORT, default 127.0.0.1:6379. */
export function redisFromEnv() {
  return {
    host: process.env.REDIS_HOST ?? '127.0.0.1',
    port: Number(process.env.REDIS_PORT ?? 6379),
  }
}
