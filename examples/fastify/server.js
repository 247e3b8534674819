import { createApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const app = createApp()
await app.listen({ port, host: '127.0.0.1' })
console.log(`Fastify example on http://127.0.0.1:${port}`)
console.log(
  `  curl -X POST -H 'x-tenant-id: tenant-123' -H 'content-type: application/json' -d '{"message":"hi"}' http://127.0.0.1:${port}/chat`,
)
