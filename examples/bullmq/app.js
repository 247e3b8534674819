// The web side: /chat answers at once and enqueues a follow-up job. The route knows nothing
// about tenants: the queue wrapped by tenantQueue() stamps each job with the request's tenant.
import { tenantQueue } from '@tracium/bullmq'
import { traciumTenant } from '@tracium/express'
import * as tracium from '@tracium/sdk'
import { Queue } from 'bullmq'
import express from 'express'

export const QUEUE_NAME = 'follow-ups'

/** The app and its queue; `connection` is ioredis options for BullMQ. */
export function createApp({ connection, queueName = QUEUE_NAME }) {
  const queue = tenantQueue(new Queue(queueName, { connection }))
  const app = express()
  app.use(traciumTenant({ required: true })) // X-Tenant-ID, 401 without it
  app.use(express.json())

  app.post('/chat', async (req, res) => {
    const message = req.body?.message
    if (typeof message !== 'string' || message.length === 0) {
      return res.status(400).json({ detail: 'Send {"message": "..."}' })
    }
    const answer = await tracium.span({ spanType: 'llm', name: 'answer', input: message }, () =>
      Promise.resolve(`You asked: ${message}`),
    )
    const job = await queue.add('follow-up', { message })
    res.json({ tenant: tracium.getCurrentTenant(), response: answer, followUpJob: job.id })
  })
  return { app, queue }
}
