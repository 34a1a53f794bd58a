import { UseFilters, UseGuards } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { BearerErrorFilter, Claim, RequireScope, ResourceServerGuard } from 'nest-resource-server';

/**
 * `ws://…/live` behind `ResourceServerWsAdapter`: the handshake's token, the decorators on
 * messages. Nest 11 applies no global guard to gateways (Nest 12 does): the guard is named here.
 */
@WebSocketGateway({ path: '/live' })
@UseGuards(ResourceServerGuard)
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
