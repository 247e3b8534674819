import { Injectable } from '@nestjs/common'
import { TenantService } from '@tracium/nestjs'

/** A default-scope service: it reads the tenant of whichever request calls it. */
@Injectable()
export class ChatService {
  constructor(private readonly tenants: TenantService) {}

  reply(message: string | null) {
    // Traces and logs here are associated with the tenant.
    return { response: 'Hello!', tenant: this.tenants.getCurrentTenant(), message }
  }
}
