// A user's Fastify app on the packed packages, with @tracium/bullmq's job helpers typed against
// BullMQ's own Queue and Job (no Redis here: the processor is called with the stamped job).
import type { AddressInfo } from 'node:net'
import { tenantJob, tenantQueue, withJobTenant } from '@tracium/bullmq'
import { getCurrentTenant, traciumTenant } from '@tracium/fastify'
import type { Job, Queue } from 'bullmq'
import Fastify from 'fastify'

// BullMQ's Queue fits the wrapper's structural type, and keeps its own type through it.
export const wrapQueue = (queue: Queue): Queue => tenantQueue(queue)

const processJob = withJobTenant(async (job: Job<{ text: string }>) => ({
  text: job.data.text,
  tenant: getCurrentTenant(),
}))

const app = Fastify()
await app.register(traciumTenant, { required: true })
app.get('/who', async (request) => {
  const data = tenantJob({ text: 'hello' }) // what tenantQueue(queue).add() would enqueue
  // The worker side, outside this request: the job's tenant, not the caller's.
  const job = await new Promise((resolve) =>
    setImmediate(() => resolve(processJob({ data } as Job))),
  )
  return { tenant: getCurrentTenant(), same: request.tenant?.id ?? null, job }
})

await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`READY ${JSON.stringify({ fastify: (app.server.address() as AddressInfo).port })}`)
