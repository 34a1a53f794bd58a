import { UseFilters } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { BearerErrorFilter, Claim, RequireScope } from 'nest-resource-server';

/**
 * `ws://…/live` behind `ResourceServerWsAdapter`: the handshake's token, the decorators on
 * messages. Nest 11 runs no global guard on gateways: the adapter puts the module's guard on
 * this one (no `@UseGuards()` here, on purpose: the spec shows `@RequireScope()` still holds).
 */
@WebSocketGateway({ path: '/live' })
@UseFilters(BearerErrorFilter)
export class LiveGateway {
  @SubscribeMessage('whoami')
  whoami(@Claim('sub') sub: string): { event: string; data: string } {
    return { event: 'whoami', data: sub };
  }

  @RequireScope('todo:write')
  @SubscribeMessage('admin')
  admin(): { event: string; data: boolean } {
    return { event: 'admin', data: true };
  }
}
