import { createApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
createApp().listen(port, '127.0.0.1', () => {
  console.log(`Koa example on http://127.0.0.1:${port}`)
  console.log(
    `  curl -X POST -H 'x-tenant-id: tenant-123' -H 'content-type: application/json' -d '{"message":"hi"}' http://127.0.0.1:${port}/chat`,
  )
})
