// The Python docs' Django example (a middleware that sets the tenant from X-Tenant-ID, a /chat
// view that reads it) on NestJS 12. The module's middleware also clears the tenant when the
// response closes, which the Django version does by hand with set_tenant(None).
import { Module } from '@nestjs/common'
import { TraciumTenantModule } from '@tracium/nestjs'
import { ChatController } from './chat.controller.js'
import { ChatService } from './chat.service.js'

@Module({
  imports: [TraciumTenantModule.forRoot()], // the tenant comes from the X-Tenant-ID header
  controllers: [ChatController],
  providers: [ChatService],
})
export class AppModule {}
