import { NestFactory } from '@nestjs/core'
import { AppModule } from './app.module.js'

const app = await NestFactory.create(AppModule)
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
const url = await app.getUrl()
console.log(`NestJS example on ${url}`)
console.log(
  `  curl -X POST -H 'x-tenant-id: tenant-123' -H 'content-type: application/json' -d '{"message":"hi"}' ${url}/chat`,
)
