import { Body, Controller, Get, Post } from '@nestjs/common'
import { RequireTenant, Tenant } from '@tracium/nestjs'
import { ChatService } from './chat.service.js'

@Controller()
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  /** Reads the tenant two ways: the `@Tenant()` parameter and, in the service, TenantService. */
  @Post('chat')
  send(@Tenant() tenant: string | null, @Body() body: { message?: string }) {
    return { ...this.chat.reply(body?.message ?? null), sameAs: tenant }
  }

  /** A route that needs a tenant, like the docs' complete example: 401 without one. */
  @Get('usage')
  @RequireTenant()
  usage(@Tenant() tenant: string) {
    return { tenant, requests: 1 }
  }
}
