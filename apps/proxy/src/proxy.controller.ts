import type { IncomingMessage, ServerResponse } from 'node:http';
import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import { AccessToken } from 'nest-resource-server';
import { FORWARDER, type Forwarder } from './forwarder.token.js';

/**
 * Everything under `/api` is forwarded, but only after the global guard has validated the
 * cookie-borne (or header) token: the proxy is a resource server too.
 */
@Controller('api')
export class ProxyController {
  constructor(@Inject(FORWARDER) private readonly forward: Forwarder) {}

  @All(['', '*path'])
  proxy(@Req() request: IncomingMessage, @Res() response: ServerResponse, @AccessToken() token: string): void {
    this.forward(request, response, token);
  }
}
